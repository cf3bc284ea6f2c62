# %% [markdown]
# # Analysis: the timbre space and the audio
# > Is μ a timbre space? Scores on held-out instruments beside baselines that need no model; PCA and UMAP maps;
# > spectrogram reconstructions; and audio: original, inversion upper bound, and the model — through the run's vocoder
# > and, as a labelled A/B, through Griffin-Lim — with numbers.

# %% [markdown]
# An *experiment* notebook (research log §5–6): papermill injects the run's parameters below and keeps the executed
# copy in `runs/<name>/analysis.ipynb`. All logic lives in `timbre_nb.representations`, `timbre_nb.scores`,
# `timbre_nb.verdict`, `timbre_nb.analysis`, `timbre_nb.inversion`, `timbre_nb.reconstruction`,
# `timbre_nb.descriptors`, `timbre_nb.descriptor_probes`, `timbre_nb.axes` and `timbre_nb.run_report`, documented and
# tested in the library notebooks.
#
# **Which notes.** The scores follow the standard protocol of representation learning: linear probes are fitted on
# μ of the **training** instruments' notes and scored on the **held-out** instruments' notes (the validation and test
# splits, whose instruments the model never saw); retrieval ranks held-out notes among themselves. Every score comes
# with a 95 % bootstrap interval over held-out instruments. The maps use `n_latents` notes drawn from all three
# splits (the research log's 2000), for a picture of the whole space. Spectrograms and audio use held-out notes.

# %% tags=["parameters"]
run_dir = 'runs/quick'   # the training run to analyse
n_latents = 2000         # notes encoded for the maps (the seed: 2000; all if fewer)
n_metrics = 20           # held-out notes inverted to audio for the inversion metrics (≥ 20)
n_audio = 4              # notes with audio players (three variants each)
n_paths = 10             # held-out reference notes per library decoded along each descriptor direction
gl_iters = 64            # Griffin-Lim iterations (the A/B's reference)
vocoder = ''             # '' : the run's (the pipeline's --vocoder); or 'griffin-lim', or a vocoder folder
seed = 0                 # note sampling, UMAP and probe folds

# %% tags=["hide-input"]
from timbre_nb.parameters import notebook_overrides   # first: it reads this notebook's parameters from globals()
_ = notebook_overrides(globals(), 'analysis.ipynb', train_fields=False)   # stops on an unknown parameter

# %% tags=["hide-input"]
import time, numpy as np, torch
from IPython.display import Markdown, display
from timbre_nb.config import SpecConfig, FAMILIES
from timbre_nb.training import load_model
from timbre_nb.model import decode_codes
from timbre_nb.representations import encode_notes, baseline_features, RAW_PCA, PITCH_ALONE, CHANCE_BASELINE
from timbre_nb.scores import timbre_scores, scores_by_library
from timbre_nb.verdict import scores_markdown, plot_scores, scores_verdict, library_verdicts, place_in_spread
from timbre_nb.analysis import extract_latents, save_latents, pca_2d, umap_2d, plot_embedding, plot_spectrograms
from timbre_nb.reconstruction import inversion_table, inversion_verdict, ab_markdown, METRICS
from timbre_nb.vocoder import label
from timbre_nb.vocoder_folder import for_run
from timbre_nb.vocoder_scoring import ab_variants
from timbre_nb.runs import eval_set, report_progress
from timbre_nb.run_report import audio_row, RunReport
from timbre_nb.explore import players_row
from timbre_nb.compare import comparison_of
from timbre_nb.descriptors import DESCRIPTORS, AGREES, descriptor_markdown
from timbre_nb.descriptor_probes import r2_markdown, pitch_explained
from timbre_nb.axes import what_the_axes_mean, rho_markdown, plot_paths, path_waves, save_directions, axes_verdict
cfg, report = SpecConfig(), RunReport(run_dir)
voc = for_run(run_dir, vocoder)                      # what the site plays with
model = load_model(run_dir)
ds_all, ds = eval_set(run_dir, 'train+valid+test'), eval_set(run_dir, 'valid+test')   # maps; held-out
print(model.cfg, f'{model.n_params:,} parameters'); print(ds_all); print(ds)

# %% [markdown]
# ## Is μ a timbre space?
# `timbre_scores` (scores notebook) on μ, beside baselines that need no model: chance (random features), a
# 32-component PCA of the raw log-mel crop (fitted on the training notes), and the time-averaged log-mel spectrum.
# Retrieval asks whether the same instrument is found at other pitches, and — when the data holds several sample
# libraries — whether the same General MIDI program played from the *other* library's samples is found
# (cross-library mAP); the family probe whether families are apart (balanced accuracy); the pitch probes how much
# pitch μ still carries (lower is better); the last column is the model's own log-mel error on these notes.

# %% tags=["hide-input"]
t0 = time.time()
fit = encode_notes(model, eval_set(run_dir, 'train'), decode=False)     # the probes' training notes
report_progress('analysis', 1, 3, t0, 'scoring steps (training notes encoded)')
held = encode_notes(model, ds)                                           # the held-out notes they are scored on
report_progress('analysis', 2, 3, t0, 'scoring steps (held-out notes encoded)')
me = 'μ (this model)'
rows = {me: timbre_scores(fit['mu'], fit, held['mu'], held, recon_db=held['recon_db'], seed=seed)}
baselines = baseline_features(fit['crops'], held['crops'], seed=seed, train_pitch=fit['pitch'],
                              test_pitch=held['pitch'], store=ds.dir)   # the raw PCA kept beside the cache
rows.update({name: timbre_scores(f, fit, h, held, seed=seed) for name, (f, h) in baselines.items()})
verdict = scores_verdict(rows[me], rows[RAW_PCA])
report_progress('analysis', 3, 3, t0, 'scoring steps (probes and baselines scored)')
for k in ('map', 'p_at_5', 'cross_library_map', 'family_bal_acc', 'family_macro_f1', 'pitch_r2', 'pitch_class_acc',
          'recon_l1_db'):
    report.row(f'{k} (μ, held-out)', rows[me][k])
report.row(f'map ({RAW_PCA})', rows[RAW_PCA]['map'])
report.row(f'family_bal_acc ({RAW_PCA})', rows[RAW_PCA]['family_bal_acc'])
scores_table = scores_markdown(rows)
display(Markdown(scores_table)); display(Markdown(f'**Verdict.** {verdict}'))

# %% [markdown]
# ### Which claims hold on which library
# The same goals computed on each sample library's held-out notes (the probes fitted on all training notes). A claim
# that holds on one library and not on the other is not yet a result.

# %% tags=["hide-input"]
names = list(ds.libraries)
by_library = scores_by_library(fit['mu'], fit, held['mu'], held, recon_db=held['recon_db'], library_names=names,
                               seed=seed)
raw_fit, raw_held = baselines[RAW_PCA]
per_library = library_verdicts(by_library,
                               scores_by_library(raw_fit, fit, raw_held, held, library_names=names, seed=seed))
display(Markdown(per_library))

# %% [markdown]
# ### This run within its seed spread
# A single training run is one draw: when the comparison (`make compare`) trained this run's configuration with
# several seeds, here is where this run lies among them.

# %% tags=["hide-input"]
found = comparison_of(run_dir)
placement = (f"Comparison variant `{found[0]}` ({len(found[1])} seeds):\n\n" + place_in_spread(rows[me], found[1])
             if found else '*No comparison of this configuration in this run folder yet (`make compare` adds it).*')
display(Markdown(placement))

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
report.row('latent notes (all splits)', f"{len(mu)} of {len(ds_all)}, "
           f"{len(np.unique(lat['instrument_all']))} instruments, pitch {pitch.min()}–{pitch.max()}")
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
# ## Audio: three variants per note, two vocoders
# Per the research log §6.2, for each note: (1) the original waveform; (2) the original log-mel made audible — the
# inversion's upper bound; (3) the model's reconstruction of the full-length log-mel (sliding 128-frame windows with
# 50 % overlap, Hann-weighted overlap-add) made audible. Variants 2 and 3 are made twice from the *same* log-mels: by
# Griffin-Lim (NNLS mel → linear, 64 iterations: the research log's path) and by the run's vocoder (`08d`: a net
# trained on the training instruments' notes corrects the NNLS magnitude; PGHI + Griffin-Lim phase). The metrics
# compare each variant with the original over `n_metrics` held-out notes; lower is better, ✓ where the vocoder beats
# Griffin-Lim. The verdict on artefacts uses the vocoder's numbers. Variant 2 has no model in it: `ab_variants`
# (`08g`) keeps it, with its f0 track, beside the data's cache, and a later run of the same data and vocoder reuses it.

# %% tags=["hide-input"]
metric_idx = idx[np.linspace(0, len(idx) - 1, min(n_metrics, len(idx))).astype(int)]
names = {'Griffin-Lim': None, label(voc): voc} if label(voc) != 'Griffin-Lim' else {'Griffin-Lim': None}
t0 = time.time()
variants = ab_variants(model, ds, metric_idx, names, cfg, gl_iters,   # variant 2 kept under the cache, reused
                       progress=lambda k, n: report_progress('analysis', k, n, t0, 'notes through both vocoders'))
tables = {name: inversion_table(list(v.values()), cfg) for name, v in variants.items()}
ab, wins = ab_markdown(tables)
table = tables[label(voc)]
inv_verdict = inversion_verdict(table)
for name, t in tables.items():
    for r in t:
        if r['comparison'] in ('inversion (2 vs 1)', 'total (3 vs 1)', 'model (3 vs 2)'):
            report.row(f"{name}, {r['comparison']}: {r['metric']} (n={r['n']})", f"{r['mean']:.3f} ± {r['std']:.3f}")
display(Markdown(ab)); display(Markdown(f'**{label(voc)}:** ' + inv_verdict))

# %% [markdown]
# Listen: the original, then both vocoders from the true log-mel, then both from the model's.

# %% tags=["hide-input"]
players = []
for i in metric_idx[:n_audio]:
    row = {'1 · original': variants['Griffin-Lim'][i]['original']}
    for part, cap in (('inversion', '2 · true log-mel'), ('model', '3 · model')):
        row.update({f'{cap}, {name}': v[i][part] for name, v in variants.items()})
    title = f"{ds.keys[i]} — {FAMILIES[ds.family[i]]}, MIDI pitch {ds.pitch[i]}"
    audio_row(row, title); players.append(title)
i = metric_idx[0]   # one note for the front page: the recording, then the model's, per vocoder
snippet = players_row({'recording': variants['Griffin-Lim'][i]['original'],
                       **{f'model, {name}': v[i]['model'] for name, v in variants.items()}}, cfg.sr,
                      f"<b>{ds.keys[i]}</b> ({FAMILIES[ds.family[i]]}, MIDI {ds.pitch[i]}), held out").data
won = wins.get("model's log-mel", [])
front = ((f"Every sound on these pages is made by the **{label(voc)}**. From the model's log-mel — what you hear — "
          f"it beats Griffin-Lim on {len(won)} of {len(METRICS)} metrics ({', '.join(won) or 'none'}); the A/B is "
          f"on the [Analysis](analysis.ipynb) page.") if len(variants) > 1
         else 'Every sound on these pages is made by Griffin-Lim.')
m = {(r['comparison'], r['metric']): r['mean'] for r in table}   # what the listener hears, and whose error it is
front += (f" From the model's log-mel it is {m['total (3 vs 1)', 'spectral_convergence']:.2f} in spectral convergence "
          f"and {m['total (3 vs 1)', 'f0_cents']:.0f} cents of f0 from the recording; the model's log-mel is "
          f"{m['model (3 vs 2)', 'logmel_l1_db']:.1f} dB from the recording's, the inversion adds "
          f"{m['inversion (2 vs 1)', 'logmel_l1_db']:.1f} dB: what you hear is mostly the model (its study: "
          f"`10b_fidelity`).")

# %% [markdown]
# ## What the axes mean
# A timbre space is only half read until its directions have names. The classic timbre studies (Grey 1977; McAdams
# et al. 1995) and the generative ones after them (Esling et al. 2018) name their axes by acoustic descriptors, as
# the Timbre Toolbox (Peeters et al. 2011) standardised them. Here each note's descriptors are computed from its
# recording's onset crop — the frames μ was encoded from — with librosa's spectral features and the Timbre
# Toolbox's temporal ones (`09b_descriptors`; why librosa and not pytimbre is said there):

# %% tags=["hide-input"]
t0 = time.time()
axes = what_the_axes_mean(model, eval_set(run_dir, 'train'), ds, fit=fit, held=held, baselines=baselines,
                          n_paths=n_paths, seed=seed)
report_progress('analysis', 1, 2, t0, 'descriptor steps (probes and paths)')
display(Markdown(descriptor_markdown()))

# %% [markdown]
# **Which version of a descriptor on which notes.** A decoded note exists only as the model's log-mel, so the
# directions below are checked with descriptors computed from a log-mel (the linear mel power at the band centres)
# — measuring the model, not the vocoder. First the check that this is allowed: on the held-out *recordings*, the
# correlation of each descriptor from the log-mel with the one from the waveform. Only descriptors with r ≥ 0.9 get
# a direction.

# %% tags=["hide-input"]
display(Markdown('| descriptor | r (log-mel vs waveform, held-out recordings) | direction checked |\n|---|---|---|\n'
                 + '\n'.join(f"| {DESCRIPTORS[k].name} | {r:.3f} | {'yes' if r >= AGREES else 'no'} |"
                              for k, r in axes['agreement'].items())))

# %% [markdown]
# ### How well μ predicts each descriptor
# A ridge probe per descriptor, fitted on the training instruments' notes, R² on the held-out instruments' notes with
# its 95 % bootstrap interval over instruments (`10c_descriptor_probes`) — for μ, for μ together with the one-hot pitch
# (what the decoder is given), and for the baselines of the scores above (random features, not shown, score R² ≈ 0 or
# below on every descriptor; the record keeps them). Pitch alone says which descriptors a note's pitch explains by itself.
# Below: all held-out notes, then each library's (the probes fitted on all training notes).

# %% tags=["hide-input"]
lib_names = axes['library_names'] or []
shown = [name for name in axes['r2'] if name != CHANCE_BASELINE]   # random features: R² ≈ 0 or below on every descriptor
display(Markdown(r2_markdown(axes['r2'], columns=shown)))
by_pitch = pitch_explained(axes['r2'], PITCH_ALONE) if PITCH_ALONE in axes['r2'] else []
display(Markdown('**Pitch alone** predicts ' + (', '.join(DESCRIPTORS[k].name for k in by_pitch) or 'none of them')
                 + ' with R² ≥ 0.5 on held-out instruments.'))
for lib in (lib_names if len(lib_names) > 1 else []):
    display(Markdown(f'**{lib}** (its held-out notes)\n\n' + r2_markdown(axes['r2'], lib, columns=shown)))

# %% [markdown]
# ### Decoding along a descriptor's direction
# The direction of a descriptor in μ is where the training notes with more of it lie at a fixed pitch: the covariance
# of μ with the descriptor minus its mean at each pitch (the pattern, not the probe's weights: `10d_axes` says why).
# From `n_paths` held-out notes of each library, z = μ + t·σ·d is decoded at the note's own pitch for t from −2σ to
# 2σ (σ: the training notes' spread along d), and the decoded log-mel's descriptor is measured; Spearman's ρ of t
# against it is 1 for a direction that does what its name says at every step.

# %% tags=["hide-input"]
axes_summary = axes_verdict(axes)
display(Markdown(rho_markdown(axes['rho']))); display(Markdown(f'**Verdict.** {axes_summary}'))
report.figure(plot_paths(axes['paths'], lib_names), 'descriptor_paths.png',
              'Each descriptor of the decoded note (from its log-mel) along its direction in μ, at a fixed pitch.')
save_directions(run_dir, axes['directions'], axes['rho'])
report_progress('analysis', 2, 2, t0, 'descriptor steps (probes and paths)')

# %% [markdown]
# Listen: the first reference note of each library decoded along "brighter" and "slower attack" (when checked),
# from −2σ to +2σ, each step made audible by the run's vocoder at the note's own level and pitch.

# %% tags=["hide-input"]
for key in [k for k in ('centroid', 'log_attack') if k in axes['directions']]:
    for lib in sorted({p['library'] for p in axes['paths']}):
        p0 = next(p for p in axes['paths'] if p['library'] == lib and p['descriptor'] == key)
        i, d = p0['note'], DESCRIPTORS[key]
        waves = path_waves(model, voc, held['mu'][i], p0['pitch'], float(ds.ref_db[i]), axes['directions'][key])
        measured = dict(zip(p0['steps'], p0['values']))
        audio_row({f"{t:+.0f}σ: {d.name} {measured.get(float(t), np.nan):.4g} {d.unit}": w for t, w in waves},
                  f"\"{d.higher}\" — {ds.keys[i]} ({FAMILIES[ds.family[i]]}, MIDI {ds.pitch[i]}"
                  + (f", {lib_names[lib]})" if lib_names else ')') + f", {label(voc)}")
for k in ('centroid', 'log_attack'): report.row(f"R² {DESCRIPTORS[k].name} (μ, held-out)", axes['r2']['μ']['all'][k]['r2'])
for lib, s in axes['rho'].get('centroid', {}).items(): report.row(f'"brighter": mean ρ ({lib})', s['mean'])

# %% tags=["hide-input"]
_ = report.save(verdict + '\n\n' + inv_verdict, vocoder=label(voc), ab=ab, ab_wins=wins, players=front + '\n\n' + snippet,
            scores=rows, table=scores_table, per_library=per_library, placement=placement,
            axes=dict(verdict=axes_summary, agreement=axes['agreement'], r2=axes['r2'], rho=axes['rho'],
                      r2_table=r2_markdown(axes['r2'], columns=shown), rho_table=rho_markdown(axes['rho'])))
