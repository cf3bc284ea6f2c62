# %% [markdown]
# # Explore: hearing the timbre space
# > Interpolations between instruments, one code across its instrument's pitches, a melody and swaps played with
# > chosen codes, and a map of μ you can tap to listen — each with the number that says what the ear should hear.

# %% [markdown]
# An *experiment* notebook: papermill injects the run's parameters below and keeps the executed copy next to the run.
# All logic lives in the library notebooks `13_explore` (notes, codes, the `Voice`, players), `14_interpolation`,
# `15_transposition`, `16_transfer`, `17_timbre_map` and `18_explorer`, where each tool is explained and tested.
# Everything here uses **held-out** notes (validation + test), which the model never trained on, encoded from their
# onset crops; full-length audio decodes every 128-frame window of a note and overlap-adds them, then makes it audible
# with the run's vocoder (`vocoder`: by default what the pipeline's `--vocoder` chose — the NNLS-correction vocoder
# of `08d`, or Griffin-Lim) — the same path as the analysis notebook's reconstructions, whose page has the A/B against
# Griffin-Lim. All players are peak-normalised, so they compare timbre, not level.

# %% tags=["parameters"]
run_dir = 'runs/quick'   # the trained run to explore (config.json + checkpoints/)
n_pairs = 3              # instrument pairs to interpolate (different families, shared pitch)
n_steps = 7              # points on each interpolation line, endpoints included
gl_iters = 32            # Griffin-Lim iterations for full-length audio (when the vocoder is Griffin-Lim)
vocoder = ''             # '' : the run's (the pipeline's --vocoder); or 'griffin-lim', or a vocoder folder
seed = 0                 # choice of pairs, notes, swaps and map sample
melody = [[60, 0.4], [62, 0.4], [64, 0.4], [65, 0.4], [67, 0.8],
          [65, 0.4], [64, 0.4], [62, 0.4], [60, 0.8]]   # [MIDI pitch or None, s], or a .mid path
voice_key = None         # the note whose code plays the melody (None: the across-pitch source note)
n_swaps = 2              # timbre swaps (A's code at B's pitch and back)
map_method = 'pca'       # 2-D embedding of μ for the map: 'pca' or 'umap'
map_audio = None         # map points with audio (None: every one; each ~6.6 kB with both clips)
map_max_points = 300     # points on the map (one per instrument and pitch; a seeded sample if more): the page's size
map_clip_seconds = 0.5   # length of each map clip, s
map_compression = 0.9    # MP3 compression of the map's clips, 0 (best) .. 0.99 (smallest)
map_gl_iters = 16        # Griffin-Lim iterations for the map's model clips (when the vocoder is Griffin-Lim)
map_with_model = True    # also embed the model's reconstruction clip (else recordings only)

# %% tags=["hide-input"]
from timbre_nb.parameters import notebook_overrides   # first: it reads this notebook's parameters from globals()
_ = notebook_overrides(globals(), 'explore.ipynb', train_fields=False)   # stops on an unknown parameter

# %% tags=["hide-input"]
from IPython.display import Markdown, display
from timbre_nb.training import load_model
from timbre_nb.runs import eval_set
from timbre_nb.interpolation import pick_pairs, show_interpolations
from timbre_nb.transposition import pick_voice_note, show_transposition
from timbre_nb.transfer import pick_swaps, show_transfer
from timbre_nb.timbre_map import show_timbre_map
from timbre_nb.explorer import save_explore
from timbre_nb.vocoder import label, GriffinLim
from timbre_nb.vocoder_folder import for_run
model, ds = load_model(run_dir), eval_set(run_dir)
voc = for_run(run_dir, vocoder)                 # every sound below is made by it
map_voc = GriffinLim(map_gl_iters) if label(voc) == 'Griffin-Lim' else voc
print(f'{model.n_params:,} parameters; {ds}; audio by {voc}; {len(set(ds.instrument))} instruments, '
      f'MIDI {ds.pitch.min()}–{ds.pitch.max()}')

# %% [markdown]
# ## Interpolation between instruments
# Pairs of instruments from **different families** that share a pitch. For each pair, the strip decodes the straight
# line between the two onset codes, z(t) = (1 − t) μ_A + t μ_B, at the shared pitch; each panel's title gives the
# log-mel L1 (dB) of that step to the decodes of μ_A and μ_B. The path is called *monotone* when every step moves
# away from A and towards B. The players give both recordings, then each step as full-length audio (the two notes'
# window codes blended at t): t = 0 and t = 1 are the model's reconstructions of A and B.

# %% tags=["hide-input"]
interpolations = show_interpolations(model, ds, pick_pairs(ds, n_pairs, seed), n_steps, gl_iters,
                                     fig_dir=f'{run_dir}/figures', voc=voc)

# %% [markdown]
# ## One code across pitches
# The code (onset μ) of one note — of the instrument with the most pitches in the held-out set, at its middle pitch —
# decoded at every pitch that instrument has, above the real notes at those pitches. If the pitch input carries
# pitch and the code carries the instrument, the decoded row should follow the real one. The table gives the error
# per pitch beside *no transposition* (the source note itself, compared with the real note at each pitch): the
# decoder must beat it for the pitch input to be doing its job.

# %% tags=["hide-input"]
source = pick_voice_note(ds, seed)
across = show_transposition(model, ds, source, gl_iters, fig_dir=f'{run_dir}/figures', voc=voc)

# %% [markdown]
# ## Timbre transfer: a melody and swaps
# The melody (`melody` parameter: MIDI pitch and seconds per note, or a MIDI file) played with one note's code: each
# note decoded at its pitch, inverted, cut to its duration and joined with 15 ms cross-fades. Pitches the held-out
# notes do not have are listed; the model may not have trained on them either, and its pitch embedding there is
# untrained. Then swaps: note A's code decoded at B's pitch, and B's at A's.

# %% tags=["hide-input"]
transfer = show_transfer(model, ds, pick_voice_note(ds, seed, voice_key), melody, pick_swaps(ds, n_swaps, seed),
                         gl_iters, voc=voc)

# %% [markdown]
# ## The playable timbre map
# The held-out notes' μ in 2-D (PCA by default: the same first directions the slider explorer moves along), one point
# per instrument and pitch (`map_max_points` of them, a seeded sample: the page's size grows with them), one colour per
# family; hover for key, family and pitch; **tap a point to hear it** — the recording, or (radio buttons) the model's
# reconstruction of its onset crop through the run's vocoder. Every point carries both, as short MP3 clips
# (`map_clip_seconds`, `map_compression`). The page is also saved on its own as `timbre_map.html` in the run folder
# and works offline from a file; the site shows that one file here and on its front page.

# %% tags=["hide-input"]
timbre_map = show_timbre_map(model, ds, out_file=f'{run_dir}/timbre_map.html', method=map_method,
                             n_audio=map_audio, clip_seconds=map_clip_seconds, voc=map_voc,
                             max_points=map_max_points, compression=map_compression,
                             with_model=map_with_model, seed=seed)

# %% [markdown]
# ## Summary
# The numbers above, saved to `explore.json` in the run folder. In a live notebook,
# `timbre_nb.explorer.TimbreExplorer.from_run(run_dir)` opens an explorer with sliders along the principal directions
# of μ and a pitch slider (widgets need a running kernel, so this static page does not include it).

# %% tags=["hide-input"]
display(Markdown(save_explore(run_dir, interpolations, across, transfer, timbre_map)['summary']))
