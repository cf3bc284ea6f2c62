# %% [markdown]
# # Analysis: the timbre space and the audio
# > Is μ a timbre space? Scores on held-out instruments beside baselines that need no model; PCA and UMAP maps;
# > spectrogram reconstructions; and audio: original, inversion upper bound, and the model — with numbers.

# %% [markdown]
# An *experiment* notebook (research log §5–6): papermill injects the run's parameters below and keeps the executed copy
# in `runs/<name>/analysis.ipynb`. All logic lives in `timbre_nb.scores`, `timbre_nb.analysis`, `timbre_nb.inversion`,
# `timbre_nb.reconstruction` and `timbre_nb.pipeline`, documented and tested in the library notebooks.
#
# **Which notes.** The scores use the **held-out** notes only — the validation and test splits, whose instruments the
# model never saw. The maps use `n_latents` notes drawn from all three splits (the research log's 2000), for a
# picture of the whole space. Spectrograms and audio use held-out notes.

# %% tags=["parameters"]
run_dir = 'runs/quick'   # the training run to analyse
n_latents = 2000         # notes encoded for the maps (the seed: 2000; all if fewer)
n_metrics = 20           # held-out notes inverted to audio for the inversion metrics (≥ 20)
n_audio = 4              # notes with audio players (three variants each)
gl_iters = 64            # Griffin-Lim iterations
seed = 0                 # note sampling, UMAP and probe folds

# %% tags=["hide-input"]
from timbre_nb.objectives import notebook_overrides   # first: it reads this notebook's parameters from globals()
notebook_overrides(globals(), 'analysis.ipynb', train_fields=False)   # stops the run on an unknown parameter

# %% tags=["hide-input"]
import numpy as np, torch
from IPython.display import Markdown, display
from timbre_nb.config import SpecConfig, FAMILIES
from timbre_nb.training import load_model
from timbre_nb.model import decode_codes
from timbre_nb.scores import encode_notes, timbre_scores, baseline_features, scores_markdown, plot_scores, scores_verdict
from timbre_nb.analysis import extract_latents, save_latents, pca_2d, umap_2d, plot_embedding, plot_spectrograms
from timbre_nb.reconstruction import three_variants, variant_metrics, inversion_table, inversion_verdict, format_table
from timbre_nb.runs import eval_set
from timbre_nb.pipeline import audio_row, RunReport
from timbre_nb.data import read_wave, wav_path
cfg, report = SpecConfig(), RunReport(run_dir)
model = load_model(run_dir)
ds_all, ds = eval_set(run_dir, 'train+valid+test'), eval_set(run_dir, 'valid+test')   # maps; held-out
print(model.cfg, f'{model.n_params:,} parameters'); print(ds_all); print(ds)

# %% [markdown]
# ## Is μ a timbre space?
# `timbre_scores` (scores notebook) on μ of every held-out note, beside the baselines: chance (random features), a
# 32-component PCA of the raw log-mel crop, and the time-averaged log-mel spectrum. Retrieval asks whether the same
# instrument is found at other pitches; the family probe whether families are apart (balanced accuracy, folds grouped
# by instrument); the pitch probes how much pitch μ still carries (lower is better); the last column is the model's
# own log-mel error on these notes.

# %% tags=["hide-input"]
held = encode_notes(model, ds)
rows = {'μ (this model)': timbre_scores(held['mu'], held, seed=seed, recon_db=float(held['recon_db'].mean()))}
rows.update({name: timbre_scores(f, held, seed=seed) for name, f in baseline_features(held['crops'], seed=seed).items()})
raw_name = next(n for n in rows if n.startswith('raw'))
verdict = scores_verdict(rows['μ (this model)'], rows[raw_name])
for k in ('map', 'p_at_5', 'family_bal_acc', 'family_macro_f1', 'pitch_r2', 'pitch_class_acc', 'recon_l1_db'):
    report.row(f'{k} (μ, held-out)', rows['μ (this model)'][k])
report.row(f'map ({raw_name})', rows[raw_name]['map']); report.row(f'family_bal_acc ({raw_name})', rows[raw_name]['family_bal_acc'])
display(Markdown(scores_markdown(rows))); display(Markdown(f'**Verdict.** {verdict}'))

# %% tags=["hide-input"]
report.figure(plot_scores(rows, highlight='μ (this model)'), 'scores.png',
              'Timbre-space scores of μ on held-out instruments (red) beside baselines without a model (grey).')

# %% [markdown]
# ## Maps
# μ of `n_latents` notes from all splits (onset crops), saved with the research log's array names in `latents.npz`.
# PCA (linear, global) and UMAP (n_neighbors 30, min_dist 0.1, the seed's settings; fixed random state), coloured by
# instrument family and by pitch. A pitch-conditioned decoder receives the pitch separately, so an ideal latent shows
# families clustered and **no** pitch gradient.

# %% tags=["hide-input"]
lat = extract_latents(model, ds_all, n=n_latents, seed=seed)
save_latents(f'{run_dir}/latents.npz', lat)
mu, fam, pitch = lat['mu_all'], lat['family_all'], lat['pitch_all']
report.row('latent notes (all splits)', f"{len(mu)} of {len(ds_all)}, {len(np.unique(lat['instrument_all']))} instruments, "
           f"pitch {pitch.min()}–{pitch.max()}")
report.figure(plot_embedding(pca_2d(mu), fam, pitch, 'PCA of μ'), 'pca.png',
              'PCA of the encoder means μ, coloured by family (left) and MIDI pitch (right).')

# %% tags=["hide-input"]
report.figure(plot_embedding(umap_2d(mu, random_state=seed), fam, pitch, 'UMAP of μ'), 'umap.png',
              'UMAP (n_neighbors 30, min_dist 0.1) of μ, coloured by family (left) and MIDI pitch (right).')

# %% [markdown]
# ## Spectrograms
# Original, reconstruction (decoded from μ, onset crop) and their difference in dB for a few held-out notes.

# %% tags=["hide-input"]
idx = np.arange(len(ds))
show = idx[np.linspace(0, len(idx) - 1, 4).astype(int)]
recon = decode_codes(model, held['mu'][show], ds.pitch[show])          # (4, n_mels, T), decoded from μ
report.figure(plot_spectrograms(held['crops'][show], recon, list(ds.keys[show]), cfg), 'spectrograms.png',
              'Held-out notes: original, reconstruction and difference (dB re each note’s peak).')

# %% [markdown]
# ## Audio: three variants per note
# Per the research log §6.2, for each note: (1) the original waveform; (2) Griffin-Lim from the *original* log-mel —
# the inversion's upper bound; (3) Griffin-Lim from the model's reconstruction of the full-length log-mel (sliding
# 128-frame windows with 50 % overlap, Hann-weighted overlap-add). The metrics compare each variant to the original
# over `n_metrics` held-out notes, and the model's own error (3 vs 2) to the inversion's (2 vs 1).

# %% tags=["hide-input"]
metric_idx = idx[np.linspace(0, len(idx) - 1, min(n_metrics, len(idx))).astype(int)]
variants, metrics = {}, []
for i in metric_idx:
    wave = read_wave(wav_path(ds.data_root, ds.splits[i], ds.keys[i]), cfg)
    variants[i] = three_variants(model, wave, int(ds.pitch[i]), cfg, n_iter=gl_iters)
    metrics.append(variant_metrics(variants[i], cfg))
table = inversion_table(metrics, cfg)
inv_verdict = inversion_verdict(table)
for r in table: report.row(f"{r['comparison']}: {r['metric']} (n={r['n']})", f"{r['mean']:.3f} ± {r['std']:.3f}")
print(format_table(table)); display(Markdown(inv_verdict))

# %% tags=["hide-input"]
names = {'original': '1 · original', 'inversion': '2 · Griffin-Lim from the original log-mel (upper bound)',
         'model': '3 · Griffin-Lim from the model’s reconstruction'}
for i in metric_idx[:n_audio]:
    audio_row({cap: variants[i][v] for v, cap in names.items()},
              f"{ds.keys[i]} — {FAMILIES[ds.family[i]]}, MIDI pitch {ds.pitch[i]}")

# %% tags=["hide-input"]
report.save(verdict + '\n\n' + inv_verdict, scores=rows)
