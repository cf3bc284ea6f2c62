# %% [markdown]
# # Comparison: which objective makes a timbre space?
# > The research log's CVAE and the timbre objectives, each trained with several seeds on the same data and steps,
# > scored on instruments none of them saw, on each sample library — with the controls that say which claims hold.

# %% [markdown]
# An *experiment* notebook: `timbre-nb compare` (or `make compare`) executes it with papermill into
# `runs/<name>/compare.ipynb`. Each objective is a named set of `TrainConfig` fields (`timbre_nb.objectives.OBJECTIVES`,
# where each is explained); each **variant** — an objective, or a control of the default objective — is trained with
# `seeds` seeds (model initialisation, crops, partners, batch order and sampling noise all change with the seed) on
# the same profile, data and steps. A variant that already finished is reused and a killed comparison resumes.
#
# The scores follow the standard protocol (scores notebook): probes fitted on the training instruments' μ, scored on
# the held-out instruments', retrieval among the held-out notes; a variant's score is the **mean over seeds ± sd**.
# The controls (when they apply): the default objective trained in **bf16** (on a CPU that computes it natively; it
# would be the default only if its scores lay within fp32's seed spread), and trained on **each
# sample library alone** (does a second library help on held-out instruments; how does μ score on a library the
# model never heard?). Variants tried in earlier comparisons and retired are listed, with their numbers, in the
# objectives notebook.

# %% tags=["parameters"]
profile = 'quick'                  # the profile every variant trains with (same data, steps)
data = 'data/soundfont-quick'      # dataset root
objectives = []                    # keys of timbre_nb.objectives.OBJECTIVES ([]: every one)
seeds = 3                          # training seeds per variant
controls = True                    # the default objective's bf16 and one-library controls
overrides = {}                     # TrainConfig fields for every run (or -p <field> <value>)
cache_root = 'cache'
run_dir = 'runs/quick'             # the run folder whose site gets this page; runs go to <run_dir>/variants/
n_audio = 3                        # held-out notes with each objective's reconstruction and audio
gl_iters = 64                      # Griffin-Lim iterations (when the vocoder is Griffin-Lim)
vocoder = ''                       # '' : the run's (the pipeline's --vocoder); or 'griffin-lim', or a vocoder folder

# %% tags=["hide-input"]
from timbre_nb.parameters import notebook_overrides   # first: it reads this notebook's parameters from globals()
overrides = notebook_overrides(globals(), 'compare.ipynb')

# %% tags=["hide-input"]
import numpy as np, torch
from pathlib import Path
from IPython.display import Markdown, display
from timbre_nb.config import SpecConfig, FAMILIES
from timbre_nb.cache import build_cache, NoteCache
from timbre_nb.training import load_model
from timbre_nb.model import decode_codes, encode_means
from timbre_nb.objectives import COMPARE_OBJECTIVES, DEFAULT_OBJECTIVE
from timbre_nb.runs import eval_set
from timbre_nb.compare import compare_variants, compare_runs, score_runs, baseline_scores
from timbre_nb.representations import RAW_PCA
from timbre_nb.verdict import (scores_markdown, plot_scores, scores_verdict, library_verdicts, choose_objective,
                               within_spread, aggregate_seeds)
from timbre_nb.analysis import plot_spectrograms
from timbre_nb.reconstruction import three_variants
from timbre_nb.vocoder import label, GriffinLim
from timbre_nb.vocoder_folder import for_run
from timbre_nb.run_report import audio_row, RunReport
cfg, report = SpecConfig(), RunReport(run_dir, name='compare')
voc = for_run(run_dir, vocoder)                   # what makes the sounds
voc = GriffinLim(gl_iters) if label(voc) == 'Griffin-Lim' else voc

# %% [markdown]
# ## Training every variant with every seed
# Each run's log is in `<run_dir>/variants/<variant>/seed<k>/train.log`.

# %% tags=["hide-input"]
objectives = list(objectives or COMPARE_OBJECTIVES)
libraries = NoteCache(build_cache(data, cache_root=cache_root, progress=False), 'train').libraries
variants = compare_variants(objectives, libraries, controls)
runs = compare_runs(profile, variants, seeds, data=data, root=Path(run_dir) / 'variants', cache_root=cache_root,
                    overrides=overrides)
print(f"{len(variants)} variants x {seeds} seeds on {data} (libraries: {', '.join(libraries)})")

# %% [markdown]
# ## Scores on held-out instruments
# Every run is scored on the same notes — the whole dataset's training notes for the probes and held-out notes for
# the scores — beside the baselines that need no model. Arrows say which way is better; `±` is the sd over seeds.

# %% tags=["hide-input"]
reference = runs[objectives[0]][0]                                  # a run on the whole dataset
fit_set, held_set = eval_set(reference, 'train'), eval_set(reference, 'valid+test')
scored = score_runs(runs, fit_set, held_set)
base = baseline_scores(fit_set, held_set)
rows = {**scored['all'], **base['all']}
table = scores_markdown(rows)
display(Markdown(table))

# %% tags=["hide-input"]
chosen = choose_objective(rows, objectives, rows[RAW_PCA])
report.figure(plot_scores(rows, highlight=chosen), 'compare_scores.png',
              'Each score for each variant (mean over seeds, the seeds as dots), the chosen one highlighted and the '
              'baselines without a model in grey.')

# %% [markdown]
# ## The verdict
# The chosen objective is the one that meets the most of the project's goals on its mean over seeds (retrieval mAP ≥
# 3× and family balanced accuracy ≥ 1.5× the raw PCA, pitch R² ≤ 0.3, log-mel L1 ≤ 6 dB), ties broken by retrieval.

# %% tags=["hide-input"]
verdict = f"Chosen objective `{chosen}`: " + scores_verdict(rows[chosen], rows[RAW_PCA], name=f'`{chosen}` μ')
verdict += (f" It is the default objective (`make report` trains it)." if chosen == DEFAULT_OBJECTIVE else
            f" NOTE: the default objective is `{DEFAULT_OBJECTIVE}`; on this comparison `{chosen}` wins.")
bf16 = f'{DEFAULT_OBJECTIVE} bf16'
if bf16 in rows:
    check = within_spread(rows[bf16], rows[DEFAULT_OBJECTIVE])
    held = [k for k, (_, _, _, ok) in check.items() if ok]
    verdict += (f" Trained in bf16 (this CPU computes it natively), `{DEFAULT_OBJECTIVE}` lies within the seed spread "
                f"of its fp32 training on {len(held)} of {len(check)} key scores" +
                (f" (outside: {', '.join(k for k in check if k not in held)}): training stays in fp32." if
                 len(held) < len(check) else ": bf16 could be the default (`precision='auto'`)."))
display(Markdown(verdict))

# %% [markdown]
# ## Which claims hold on which library
# The chosen objective's goals computed on each library's held-out notes (probes fitted on all training notes).

# %% tags=["hide-input"]
per_library = library_verdicts(scored['by_library'][chosen], base['by_library'][RAW_PCA])
display(Markdown(per_library))

# %% [markdown]
# ## Two libraries or one, and a library never heard
# Each library on its own: the probes are fitted on that library's training notes and scored on its held-out notes,
# for the default objective trained on both libraries and on each alone. A model trained on one library alone meets
# the other library's notes here for the first time (zero-shot).

# %% tags=["hide-input"]
data_variants = [v for v in variants if v == DEFAULT_OBJECTIVE or v.startswith(f'{DEFAULT_OBJECTIVE} · ')]
library_tables = {}
for lib in libraries if len(libraries) > 1 else []:
    lib_rows = {v: [s[lib] for s in scored['within'][v]] for v in data_variants}
    lib_rows.update({name: s[lib] for name, s in base['within'].items()})
    library_tables[lib] = scores_markdown(lib_rows)
    display(Markdown(f'**Held-out notes of `{lib}`**\n\n' + library_tables[lib]))
if not library_tables: display(Markdown('*One sample library: nothing to compare across libraries.*'))

# %% [markdown]
# ## Reconstructions and audio of held-out notes
# For each note: the original and each objective's reconstruction of its onset crop (log-mel, dB), then audio: the
# original and each objective's full-length reconstruction (seed 0), made audible by the run's vocoder.

# %% tags=["hide-input"]
models = {obj: load_model(runs[obj][0]) for obj in objectives}
pick = np.linspace(0, len(held_set) - 1, n_audio).astype(int)
crops = torch.stack([held_set[int(i)][0][0] for i in pick])                       # (n_audio, n_mels, T)
for k, i in enumerate(pick):
    recons = torch.cat([decode_codes(m, encode_means(m, held_set, [i]), held_set.pitch[i]) for m in models.values()])
    fig = plot_spectrograms(crops[[k] * len(models)], recons, [f'{o}\n{held_set.keys[i]}' for o in models], cfg)

# %% tags=["hide-input"]
for i in pick:
    wave = held_set.wave(i)
    p = int(held_set.pitch[i])
    outs = {obj: three_variants(m, wave, p, cfg, voc=voc) for obj, m in models.items()}
    audio_row({'original': wave, **{f'{obj} ({label(voc)})': v['model'] for obj, v in outs.items()}},
              f"{held_set.keys[i]} — {FAMILIES[held_set.family[i]]}, MIDI pitch {held_set.pitch[i]}")

# %% tags=["hide-input"]
report.save(verdict, table=table, scores=scored['all'], keys=scored['keys'], baselines=base['all'], chosen=chosen,
            default=DEFAULT_OBJECTIVE, per_library=per_library, library_tables=library_tables, profile=profile,
            seeds=seeds, variants=variants)
