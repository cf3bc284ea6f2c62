# timbre_nb — every target sets itself up: a fresh clone needs only Python 3.11 + pip.
#   make test     the tests (notebook tests, pytest, export check)
#   make report   the main job: data -> cache -> train -> analyse -> site (PROFILE=quick by default)
#   make report PROFILE=full DATA=/path/to/nsynth   the seed's full configuration on NSynth
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
PROFILE ?= quick
DATA   ?= data/soundfont-$(PROFILE)
NAME   ?= $(PROFILE)
STAMP   = $(VENV)/.setup-stamp

.PHONY: setup test test-nbs test-py check-export test-slow report clean-nbs export bench

setup: $(STAMP)

# Re-runs only when the pins or the package metadata change; otherwise it is a no-op.
$(STAMP): requirements.txt settings.ini setup.py
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	# tinysoundfont declares pyaudio (needs portaudio headers) that offline rendering never uses
	$(BIN)/python -m pip install -q --no-deps tinysoundfont==0.3.7
	$(BIN)/python -m pip install -q --no-deps -e .
	@touch $@

test: test-nbs test-py check-export

test-nbs: $(STAMP)
	$(BIN)/nbdev_test --n_workers 2 --timing

test-slow: $(STAMP)
	$(BIN)/nbdev_test --n_workers 2 --flags slow

test-py: $(STAMP)
	$(BIN)/python -m pytest -q tests

# The package is generated from nbs/: exporting again must change nothing (compared with the tree as it is now).
check-export: $(STAMP)
	@rm -rf .export-check && cp -r timbre_nb .export-check
	$(BIN)/nbdev_export
	@if ! diff -r -q -x __pycache__ .export-check timbre_nb; then rm -rf .export-check; \
	  echo "nbdev_export changed timbre_nb/: edit nbs/, run 'make export', commit both." >&2; exit 1; fi
	@rm -rf .export-check

export: $(STAMP)
	$(BIN)/nbdev_export

clean-nbs: $(STAMP)
	$(BIN)/nbdev_clean

report: $(STAMP)
	$(BIN)/timbre-nb run --profile $(PROFILE) --data $(DATA) --name $(NAME)

bench: $(STAMP)
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done
