# %% [markdown]
# # Your notes
# > Your own notes placed on this run's timbre map beside the instruments it trained on, playable, each with its
# > nearest instruments and the nearest General MIDI program of each sample library.

# %% [markdown]
# An *experiment* notebook: `timbre-nb place --run RUN --data DIR` executes it with papermill into the run folder
# and adds it to the run's site. `DIR` is a dataset in NSynth's layout — usually your own folder of one-shot notes
# imported by `timbre-nb data folder --in FOLDER --out DIR --splits all` (`02d_folder`: any format, pitches from the
# file names or estimated by CREPE). All logic lives in the library notebook `19_place`, where each step is explained
# and tested: the notes are encoded by the run's encoder (μ of each note's onset crop), compared with the run's
# **training instruments** (their notes' mean direction in the standardised μ space, the retrieval rule of
# `09c_retrieval`), and drawn on the PCA map of the training notes' μ. Every sound is made by the run's vocoder.

# %% tags=["parameters"]
run_dir = 'runs/quick'     # the trained run (config.json + checkpoints/)
data = 'data/my-notes'     # the dataset of your notes (timbre-nb data folder --out)
cache_root = 'cache'       # where log-mel caches live
vocoder = ''               # '' : the run's (the pipeline's --vocoder); or 'griffin-lim', or a vocoder folder
n_nearest = 3              # nearest instruments listed per note
max_reference = 2000       # training notes that define the instruments (one per instrument and pitch; a sample)
max_points = 300           # training notes drawn on the map (a seeded sample of the same kind): the page's size
map_audio = None           # training points with audio (None: every one); each of your notes always has audio
map_clip_seconds = 0.5     # length of each map clip, s
map_compression = 0.9      # MP3 compression of the map's clips, 0 (best) .. 0.99 (smallest)
map_gl_iters = 16          # Griffin-Lim iterations for the map's model clips (when the vocoder is Griffin-Lim)
map_with_model = True      # also embed the model's reconstruction clip (else recordings only)
seed = 0                   # the samples of training notes

# %% tags=["hide-input"]
from timbre_nb.parameters import notebook_overrides   # first: it reads this notebook's parameters from globals()
_ = notebook_overrides(globals(), 'place.ipynb', train_fields=False)   # stops on an unknown parameter

# %% tags=["hide-input"]
import json
from pathlib import Path
from IPython.display import Markdown, display
from timbre_nb.config import read_json
from timbre_nb.folder import folder_report
from timbre_nb.training import load_model
from timbre_nb.runs import eval_set
from timbre_nb.vocoder import label, GriffinLim
from timbre_nb.vocoder_folder import for_run
from timbre_nb.place import (user_notes, note_records, instrument_names, place_notes, placement_rows,
                             placement_markdown, family_agreement, show_place_map, save_place)
model, reference = load_model(run_dir), eval_set(run_dir, 'train')
yours, records = user_notes(data, cache_root), note_records(data)
voc = for_run(run_dir, vocoder)
map_voc = GriffinLim(map_gl_iters) if label(voc) == 'Griffin-Lim' else voc
print(f'{len(yours)} of your notes from {data}; the run {Path(run_dir).name}: {len(reference)} training notes of '
      f'{len(set(reference.instrument))} instruments ({", ".join(reference.libraries)}); audio by {voc}')

# %% [markdown]
# ## What was imported
# The import's own report (`folder_summary.json`, when the dataset came from `timbre-nb data folder`): files read,
# notes written, how each pitch was found, and every file skipped with its reason.

# %% tags=["hide-input"]
summary = read_json(Path(data) / 'folder_summary.json')
print(folder_report(summary) if summary else f'{data}: not a folder import; {len(records)} notes.')

# %% [markdown]
# ## Your notes on the map
# The run's training notes (one per instrument and pitch, `max_points` of them) in the plane of the first two
# principal components of their μ, one colour per family; your notes **projected into the same plane** as black
# diamonds: placed on the map, not moving it. Hover for the file a note came from; **tap a point to hear it** — the
# recording, or (radio buttons) the model's reconstruction of its onset crop through the run's vocoder. Two
# components keep only part of the space: the table below ranks instruments in the whole of it.

# %% tags=["hide-input"]
map_info = show_place_map(model, reference, yours, records, out_file=f'{run_dir}/place_map.html',
                          max_points=max_points, n_audio=map_audio, clip_seconds=map_clip_seconds, voc=map_voc,
                          compression=map_compression, with_model=map_with_model, seed=seed)

# %% [markdown]
# ## Nearest instruments
# For each of your notes, the `n_nearest` training instruments whose notes' μ point most nearly its way (cosine
# similarity, 1 = the same direction, 0 = unrelated), and the nearest instrument of each sample library the run
# trained on — for the SoundFont libraries, a General MIDI program and its preset's name. *pitch from* says how the
# note's pitch was found: from its file name, or estimated by CREPE with its confidence.

# %% tags=["hide-input"]
placed = place_notes(model, reference, yours, instrument_names(read_json(Path(run_dir) / 'config.json')['data']),
                     max_reference, seed)
rows = placement_rows(placed, yours, records, n_nearest)
agreement = family_agreement(rows)
display(Markdown(placement_markdown(rows) + '\n\n' + agreement['text']))

# %% [markdown]
# ## In the explorer
# In a live notebook (JupyterLab: `make lab`), the slider explorer opens on any of your notes, named by its file:
# its sliders move the note's code along the principal directions of the run's held-out notes and its player uses the
# run's vocoder. The static site cannot run widgets; paste the line below into a notebook.

# %% tags=["hide-input"]
first = rows[0]['source'] if rows else None
display(Markdown(f"```python\nfrom timbre_nb.place import explore_note\n"
                 f"explore_note({str(run_dir)!r}, {str(data)!r}, {first!r}, cache_root={str(cache_root)!r})\n```"))

# %% [markdown]
# ## Summary
# The numbers above, saved to `place.json` in the run folder.

# %% tags=["hide-input"]
display(Markdown(save_place(run_dir, data, rows, agreement, map_info)['summary']))
