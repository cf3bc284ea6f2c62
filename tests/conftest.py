"Shared fixtures: one tiny SoundFont dataset per test session, rendered through the command line."
import subprocess, sys
from pathlib import Path
import pytest

BIN = Path(sys.executable).parent

def pytest_configure(config):
    config.addinivalue_line('markers', 'slow: minutes of end-to-end work; `make test-slow` runs it, `make test` does not')

def cli(*args, cwd=None, check=True, **kw):
    "Run the `timbre-nb` console script; returns the CompletedProcess (stdout+stderr captured)."
    r = subprocess.run([str(BIN / 'timbre-nb'), *map(str, args)], cwd=cwd, capture_output=True, text=True, **kw)
    if check and r.returncode != 0:
        raise AssertionError(f'timbre-nb {" ".join(map(str, args))} failed ({r.returncode}):\n'
                             f'{r.stdout[-4000:]}\n{r.stderr[-4000:]}')
    return r

@pytest.fixture(scope='session')
def tiny_data(tmp_path_factory):
    "The tiny profile of one library, TimGM6mb: the default pair doubles the data and slows training tests ~20 %."
    from timbre_nb.soundfont import default_sf2
    out = tmp_path_factory.mktemp('data') / 'soundfont-tiny'
    cli('data', 'soundfont', '--sf2', default_sf2(), '--profile', 'tiny', '--out', out)
    return out
