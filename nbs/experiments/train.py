# %% [markdown]
# # Training run
# > One model trained on this run's data, as executed by papermill: the research log's log format, honest
# > validation, and per-epoch latent diagnostics.

# %% [markdown]
# This notebook is an *experiment*: papermill replaces the cell below with the run's parameters and keeps the
# executed copy in `runs/<name>/train.ipynb`. All logic lives in `timbre_nb.objectives`, `timbre_nb.training` and
# `timbre_nb.runs` (documented and tested in the library notebooks). A run is named by a **profile** (how much data
# and compute: `tiny` for tests, `quick` for the CPU demo, `full` for the seed's NSynth run on a GPU) and an
# **objective** (what the model is trained for: `seed` is the research log's objective exactly; the default is the
# one the comparison chose).
#
# **Every `TrainConfig` field is a parameter**, under the same name as the command line's `--field-name`:
#
# ```sh
# papermill nbs/experiments/train.ipynb out.ipynb -p data data/soundfont-tiny -p profile tiny -p epochs 1 -p lr 3e-3
# papermill nbs/experiments/train.ipynb out.ipynb -p overrides '{"epochs": 1, "precision": "fp32"}'   # or as JSON
# ```
#
# A name that is neither a parameter below nor a `TrainConfig` field stops the run with the list of valid names
# (papermill itself would only warn and carry on).

# %% tags=["parameters"]
data = 'data/soundfont-quick'   # dataset root (NSynth jsonwav layout)
profile = 'quick'               # 'tiny' | 'quick' | 'full'
objective = 'timbre-fidelity'   # a key of timbre_nb.objectives.OBJECTIVES ('seed': the research log's)
overrides = {}                  # any other TrainConfig fields, e.g. {'lr': 3e-3, 'device': 'cpu', 'max_steps': 100}
run_name = 'quick'              # the run folder is <runs_root>/<run_name>
runs_root = 'runs'
cache_root = 'cache'
resume = False                  # continue from the newest checkpoint of the run folder
progress = True                 # tqdm progress bar (the pipeline turns it off: its progress goes to the terminal)

# %% tags=["hide-input"]
from timbre_nb.parameters import notebook_overrides   # first: it reads this notebook's parameters from globals()
overrides = notebook_overrides(globals(), 'train.ipynb')

# %% tags=["hide-input"]
from dataclasses import asdict
from timbre_nb.training import train
from timbre_nb.objectives import experiment_config, config_help
from timbre_nb.runs import plot_metrics, read_metrics
cfg = experiment_config(profile, objective, data=data, run_name=run_name, runs_root=runs_root, cache_root=cache_root,
                        progress=progress, overrides=overrides)
help_ = config_help()
{k: f'{v!r}  # {help_[k]}' for k, v in asdict(cfg).items()}

# %% [markdown]
# ## The log
# Lines in the research log's format: `[step N] …` every `log_every` steps, and per epoch `Epoch e/E`, `Train: …`,
# `Val : …`. Unlike the seed, **`Val` uses the same β as `Train`** (the seed's `Val` used β = 1, which is why its
# validation total looked lower than training); the `ELBO (beta=1)` line gives the β-free bound `recon + kl_raw`
# for both splits. Objectives with timbre terms add a `Timbre terms` line (cross-pitch reconstruction, InfoNCE,
# heads). The `Diagnostics` line counts active latent units and the dimensions under their free-bits floor (which
# get no KL gradient); the `Progress` line gives elapsed time and an estimate of the time left.

# %% tags=["hide-input"]
summary = train(cfg, resume=resume)

# %% [markdown]
# ## Diagnostics
# Left: losses per epoch (solid: train, dashed: validation, both at the same β). Middle: the validation KL of each
# latent dimension per epoch — dimensions the model uses carry KL, collapsed ones sit at zero. Right: active units
# (Var over notes of the encoder mean μ > 0.01) and the mean posterior σ (≈ 1 for a collapsed dimension).

# %% tags=["hide-input"]
fig = plot_metrics(cfg.run_dir)

# %% tags=["hide-input"]
m = read_metrics(cfg.run_dir)[-1]
{'epoch': m['epoch'], 'active_units': m['val']['active_units'], 'under_floor': m['val']['under_floor'],
 'mean_sigma': round(m['val']['mean_sigma'], 3), 'val_elbo': round(m['val']['elbo'], 4),
 'train_elbo': round(m['train']['elbo'], 4)}
