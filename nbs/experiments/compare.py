# %% [markdown]
# # Comparison: which objective makes a timbre space?
# > The research log's CVAE, the same model without pitch conditioning, and the timbre objectives, trained on the same
# > data, seed, steps and crops, scored side by side on instruments none of them saw.

# %% [markdown]
# An *experiment* notebook: `timbre-nb compare` (or `make compare`) executes it with papermill into
# `runs/<name>/compare.ipynb`. Each objective is a named set of `TrainConfig` fields (`timbre_nb.objectives.OBJECTIVES`):
#
# - `seed` — the research log's objective exactly: per-element-mean MSE + β·KL, β warmed up to 2, free bits 0.5 nats on
#   the *total* KL (whose gradient is zero all run, see the losses notebook);
# - `seed-vae` — the same without pitch conditioning (the log's "non-conditional VAE");
# - `weighted` — likelihood weighting (reconstruction × 1024: a decoder σ of ~3.2 normalised units instead of ~101)
#   and free bits per dimension, so every dimension above its floor keeps a KL gradient;
# - `partners` — plus cross-pitch reconstruction: a note's code, decoded at its partner's pitch, must rebuild the
#   partner (same instrument, other pitch, same crop time);
# - `timbre` — plus InfoNCE between partners' μ at weight 1 (scale-free, with negatives, so it cannot win by shrinking
#   or collapse); `timbre-inv10`, `-inv100`, `-inv1000` — the same at weights 10, 100, 1000: the trade-off between
#   invariance and the rest (next to reconstruction terms of ~10², a weight of 1 is nearly silent);
# - `timbre-adv30` — plus an adversarial pitch-class head through gradient reversal on tanh(μ), weight 30;
# - `timbre-family`, `timbre-family30` — plus a supervised linear family head on μ, weight 1 and 30 (uses the
#   training instruments' family labels; the held-out instruments' labels are never seen).
#
# Every variant sees the same notes per step (paired objectives: half anchors, half partners), the same steps and the
# same seed; a variant that already finished with the same configuration is reused. The winner is fixed in
# `objectives.DEFAULT_OBJECTIVE` (what `make report` trains); the last cell checks that it still wins here.

# %% tags=["parameters"]
profile = 'quick'                  # the profile every variant trains with (same data, steps, seed)
data = 'data/soundfont-quick'      # dataset root
objectives = ['seed', 'seed-vae', 'weighted', 'partners', 'timbre', 'timbre-inv10', 'timbre-inv100', 'timbre-inv1000',
              'timbre-adv30', 'timbre-family', 'timbre-family30']
overrides = {}                     # TrainConfig fields for every variant (or -p <field> <value>)
cache_root = 'cache'
run_dir = 'runs/quick'             # the run folder whose site gets this page; variants go to <run_dir>/variants/
n_audio = 3                        # held-out notes with each model's reconstruction and audio
gl_iters = 64                      # Griffin-Lim iterations

# %% tags=["hide-input"]
from timbre_nb.objectives import notebook_overrides   # first: it reads this notebook's parameters from globals()
overrides = notebook_overrides(globals(), 'compare.ipynb')

# %% tags=["hide-input"]
import numpy as np, torch
from pathlib import Path
from IPython.display import Markdown, display
from timbre_nb.config import SpecConfig, FAMILIES
from timbre_nb.training import load_model
from timbre_nb.model import decode_codes
from timbre_nb.runs import read_metrics, eval_set
from timbre_nb.objectives import DEFAULT_OBJECTIVE
from timbre_nb.pipeline import compare_runs, audio_row, RunReport
from timbre_nb.scores import encode_notes, timbre_scores, baseline_features, scores_markdown, plot_scores, scores_verdict
from timbre_nb.analysis import plot_spectrograms
from timbre_nb.reconstruction import three_variants
from timbre_nb.data import read_wave, wav_path
cfg, report = SpecConfig(), RunReport(run_dir, name='compare')

# %% [markdown]
# ## Training every variant
# Each variant's log is in `<run_dir>/variants/<objective>/train.log`; a killed comparison resumes where it stopped.

# %% tags=["hide-input"]
runs = compare_runs(profile, objectives, data=data, root=Path(run_dir) / 'variants', cache_root=cache_root, overrides=overrides)
models = {obj: load_model(r) for obj, r in runs.items()}
{obj: f"{read_metrics(r)[-1]['step']} steps, {read_metrics(r)[-1]['val']['active_units']} active units, "
      f"val kl_raw {read_metrics(r)[-1]['val']['kl_raw']:.1f} nats" for obj, r in runs.items()}

# %% [markdown]
# ## Scores on held-out instruments
# One row per model (its μ) and per baseline that needs no model; arrows say which way is better. Chance levels: the
# `chance (random features)` row.

# %% tags=["hide-input"]
ds = eval_set(next(iter(runs.values())), 'valid+test')
encoded = {obj: encode_notes(m, ds) for obj, m in models.items()}
held = next(iter(encoded.values()))
rows = {obj: timbre_scores(e['mu'], e, recon_db=float(e['recon_db'].mean())) for obj, e in encoded.items()}
rows.update({name: timbre_scores(f, held) for name, f in baseline_features(held['crops']).items()})
raw_name = next(n for n in rows if n.startswith('raw'))
table = scores_markdown(rows)
display(Markdown(table))

# %% tags=["hide-input"]
report.figure(plot_scores(rows, highlight=DEFAULT_OBJECTIVE if DEFAULT_OBJECTIVE in rows else None), 'compare_scores.png',
              'Each score for each model and baseline (comparison page).')

# %% [markdown]
# ## The verdict
# The chosen objective against the raw-PCA baseline and the project's goals (retrieval mAP ≥ 2× and family balanced
# accuracy ≥ 1.5× the raw PCA, pitch R² ≤ 0.3, log-mel L1 ≤ 6 dB), and whether another variant beats it on retrieval,
# the property a timbre space exists for.

# %% tags=["hide-input"]
chosen = DEFAULT_OBJECTIVE if DEFAULT_OBJECTIVE in rows else next(iter(runs))
best = max(runs, key=lambda o: rows[o]['map'])
verdict = f"Chosen objective `{chosen}`: " + scores_verdict(rows[chosen], rows[raw_name], name=f'`{chosen}` μ')
verdict += (f" It is also the best variant here on retrieval." if best == chosen else
            f" NOTE: `{best}` beats it on retrieval here (mAP {rows[best]['map']:.3f} vs {rows[chosen]['map']:.3f}).")
if 'seed' in rows: verdict += (f" The research log's objective (`seed`): mAP {rows['seed']['map']:.3f}, family "
                               f"{rows['seed']['family_bal_acc']:.3f}, pitch R² {rows['seed']['pitch_r2']:.2f}, "
                               f"{rows['seed']['recon_l1_db']:.1f} dB.")
display(Markdown(verdict))

# %% [markdown]
# ## Reconstructions and audio of three held-out notes
# For each note: the original and each model's reconstruction of its onset crop (log-mel, dB), then audio: the
# original and each model's full-length reconstruction through Griffin-Lim.

# %% tags=["hide-input"]
pick = np.linspace(0, len(ds) - 1, n_audio).astype(int)
for i in pick:
    recons = torch.cat([decode_codes(m, encoded[obj]['mu'][[i]], ds.pitch[i]) for obj, m in models.items()])
    fig = plot_spectrograms(np.repeat(held['crops'][[i]], len(models), 0), recons, [f'{o}\n{ds.keys[i]}' for o in models], cfg)

# %% tags=["hide-input"]
for i in pick:
    wave = read_wave(wav_path(ds.data_root, ds.splits[i], ds.keys[i]), cfg)
    outs = {obj: three_variants(m, wave, int(ds.pitch[i]), cfg, n_iter=gl_iters) for obj, m in models.items()}
    audio_row({'original': wave, **{f'{obj} (Griffin-Lim)': v['model'] for obj, v in outs.items()}},
              f"{ds.keys[i]} — {FAMILIES[ds.family[i]]}, MIDI pitch {ds.pitch[i]}")

# %% tags=["hide-input"]
report.save(verdict, table=table, scores=rows, chosen=chosen, best_map=best, profile=profile)
