"""The fidelity study of `nbs/10b_fidelity.ipynb`: train (or reuse) each lever of `fidelity.LEVERS` on `LEVER_BASE`
(`timbre-inv100`, the default when the study ran), read each run's `fidelity_record` and print the levers side by
side (`lever_table`, mean ± sd over seeds).

    .venv/bin/python bench/levers.py [--levers 'default' 'onset crops' ...] [--seeds 3] [--profile quick]
                                     [--unseen data/fluidr3-quick] [--no-vocoder] [--root runs/levers]

Every run is trained on the same data and steps as `make report`'s (the profile's), so a lever is judged against the
base measured in the same study. Runs and their records (`fidelity.json`) stay under `--root` and are reused on a
rerun: a killed study resumes where it stopped. On this 2-core CPU a quick-profile lever costs 5–8 minutes of training
and 2–3 of scoring per seed; the whole table (the base and 18 levers) is about three hours per seed.

`--unseen` is a dataset root of a SoundFont the runs never trained on (for example FluidR3_GM rendered with
`timbre-nb data soundfont --sf2 /usr/share/sounds/sf2/FluidR3_GM.sf2 --out data/fluidr3-quick`): its notes' L1 and
scores become the table's last column. The vocoded rows (SC, MR-STFT, f0 cents through the run's vocoder) cost a
vocoder per dataset (trained once into `vocoders/`); `--no-vocoder` skips them."""
import argparse, json
from pathlib import Path

from timbre_nb.fidelity import LEVERS, lever_study, lever_table

p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument('--levers', nargs='+', default=list(LEVERS), help='names in fidelity.LEVERS (default: all)')
p.add_argument('--seeds', type=int, default=1)
p.add_argument('--profile', default='quick')
p.add_argument('--root', default='runs/levers')
p.add_argument('--unseen', default=None, help='dataset root of a SoundFont never trained on')
p.add_argument('--no-vocoder', action='store_true')
a = p.parse_args()
unknown = [n for n in a.levers if n not in LEVERS]
if unknown: p.error(f'unknown levers {unknown}; known: {list(LEVERS)}')
if a.unseen and not Path(a.unseen, 'nsynth-train', 'examples.json').exists():
    p.error(f'--unseen {a.unseen}: no nsynth-train/examples.json there (render it with `timbre-nb data soundfont`)')

study = lever_study({n: LEVERS[n] for n in a.levers}, seeds=a.seeds, profile=a.profile, root=a.root,
                    unseen=a.unseen, voc=False if a.no_vocoder else None)
print(lever_table(study))
Path(a.root, 'study.json').write_text(json.dumps(study, indent=1))
print(f'records: {a.root}/study.json')
