"""Papermill batch runs as a user types them: every TrainConfig field is a `-p` parameter of the experiment notebooks,
a JSON `overrides` string works, and an unknown or mistyped name stops the run with a message naming it."""
import json, subprocess, sys
from pathlib import Path
from conftest import BIN

REPO = Path(__file__).resolve().parent.parent
TRAIN = REPO / 'nbs' / 'experiments' / 'train.ipynb'

def papermill(nb, out, *params, cwd):
    "Run the papermill CLI itself; returns the CompletedProcess (stdout + stderr captured)."
    args = [str(BIN / 'papermill'), str(nb), str(out), '--kernel', 'python3', '--no-progress-bar', '--cwd', str(cwd)]
    for name, value in params: args += ['-p', name, str(value)]
    return subprocess.run(args, capture_output=True, text=True, timeout=600)

def base(tiny_data, tmp_path, name):
    return [('data', tiny_data), ('profile', 'tiny'), ('run_name', name), ('runs_root', tmp_path / 'runs'),
            ('cache_root', tmp_path / 'cache'), ('progress', False)]

def test_p_field_sets_the_trainconfig_field(tiny_data, tmp_path):
    r = papermill(TRAIN, tmp_path / 'a.ipynb', *base(tiny_data, tmp_path, 'a'), ('epochs', 1), ('lr', '3e-3'),
                  cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    cfg = json.loads((tmp_path / 'runs' / 'a' / 'config.json').read_text())
    assert (cfg['epochs'], cfg['lr']) == (1, 0.003)                       # the tiny profile's own is 3 epochs
    epochs = [json.loads(l)['epoch'] for l in (tmp_path / 'runs' / 'a' / 'metrics.jsonl').read_text().splitlines()]
    assert epochs == [1]

def test_overrides_as_a_json_string(tiny_data, tmp_path):
    r = papermill(TRAIN, tmp_path / 'b.ipynb', *base(tiny_data, tmp_path, 'b'),
                  ('overrides', '{"epochs": 2, "max_steps": 3, "precision": "fp32"}'), cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    cfg = json.loads((tmp_path / 'runs' / 'b' / 'config.json').read_text())
    assert (cfg['epochs'], cfg['max_steps'], cfg['precision']) == (2, 3, 'fp32')

def test_unknown_or_mistyped_parameters_stop_the_run(tiny_data, tmp_path):
    r = papermill(TRAIN, tmp_path / 'c.ipynb', *base(tiny_data, tmp_path, 'c'), ('epoch', 1), cwd=tmp_path)
    out = r.stdout + r.stderr
    assert (r.returncode != 0 and "unknown parameter(s) ['epoch']" in out
            and "did you mean 'epochs'?" in out), out[-3000:]
    assert not (tmp_path / 'runs' / 'c' / 'metrics.jsonl').exists()        # stopped before training
    # overrides that are not JSON and mistyped values stop the same way: 06c_parameters tests those messages
    analysis = REPO / 'nbs' / 'experiments' / 'analysis.ipynb'
    r = papermill(analysis, tmp_path / 'f.ipynb', ('run_dir', tmp_path / 'runs' / 'c'), ('epochs', 1), cwd=tmp_path)
    assert r.returncode != 0 and "analysis.ipynb: unknown parameter(s) ['epochs']" in r.stdout + r.stderr
