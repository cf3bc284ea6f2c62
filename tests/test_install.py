"""A non-editable install works away from the checkout: built as sdist → wheel, installed into a fresh venv, and
`timbre-nb run --profile tiny` from an empty folder renders data, trains, analyses and builds the site there."""
import json, os, subprocess, sys, sysconfig
from pathlib import Path
import pytest

# Minutes of sdist, wheel, venv and a whole tiny pipeline: `make test-slow` runs it (CI does, after `make test`).
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent

def sh(*args, timeout=300, **kw):
    "Run a command; fail the test with its output when it fails."
    r = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout, **kw)
    assert r.returncode == 0, (f'{" ".join(map(str, args))} failed ({r.returncode}):\n'
                               f'{r.stdout[-4000:]}\n{r.stderr[-4000:]}')
    return r

@pytest.fixture(scope='module')
def venv(tmp_path_factory):
    ("A fresh venv outside the checkout holding timbre_nb from a wheel; its dependencies come from this interpreter's "
     "site-packages.")
    tmp = tmp_path_factory.mktemp('install')
    # sdist, then a wheel built from the unpacked sdist, as a release would: checks MANIFEST.in and the package data.
    # Only the sdist touches the checkout (its ignored timbre_nb.egg-info);
    # the wheel is built in pip's temporary folder.
    sh(sys.executable, '-c', 'import sys; from setuptools import build_meta; build_meta.build_sdist(sys.argv[1])',
       tmp / 'dist', cwd=REPO)
    sdist, = (tmp / 'dist').glob('timbre_nb-*.tar.gz')
    sh(sys.executable, '-m', 'pip', 'wheel', '-q', '--no-deps', '--no-build-isolation', '--no-index', '-w',
       tmp / 'dist', sdist)
    wheel, = (tmp / 'dist').glob('timbre_nb-*.whl')
    v = tmp / 'venv'
    sh(sys.executable, '-m', 'venv', v)
    py = v / 'bin' / 'python'
    sh(py, '-m', 'pip', 'install', '-q', '--no-deps', '--no-index', '--disable-pip-version-check', wheel)
    # torch, papermill, jupyter-book … are gigabytes: a .pth puts this interpreter's site-packages after the venv's own.
    # Only a site dir's .pth files run, so the checkout's editable finder in there stays inactive.
    ours = sh(py, '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])').stdout.strip()
    deps = dict.fromkeys(sysconfig.get_paths()[k] for k in ('purelib', 'platlib'))
    (Path(ours) / '_timbre_nb_test_deps.pth').write_text(''.join(f'{d}\n' for d in deps))
    # papermill runs the experiment notebooks with the kernel named 'python3': make that this venv's python
    sh(py, '-m', 'ipykernel', 'install', '--prefix', v, '--name', 'python3')
    return v

def venv_env(v: Path, **extra) -> dict:
    "The environment of a shell with `v` activated: its bin first on PATH, its kernels first on JUPYTER_PATH."
    env = {k: val for k, val in os.environ.items()
           if k not in ('PYTHONPATH', 'PYTHONHOME', 'JUPYTER_PATH', 'IPYTHONDIR')}
    return dict(env, PATH=f'{v / "bin"}{os.pathsep}{env.get("PATH", "")}', VIRTUAL_ENV=str(v),
                JUPYTER_PATH=str(v / 'share' / 'jupyter'), **extra)

def test_installed_package_is_the_wheel(venv, tmp_path):
    env = venv_env(venv)
    out = sh(venv / 'bin' / 'python', '-c', 'import timbre_nb, timbre_nb.site as p, json; '
             'from jupyter_client.kernelspec import KernelSpecManager as K; '
             'print(json.dumps([timbre_nb.__file__, str(p.notebooks_dir()), '
             '[q.name for q in p.library_notebooks()], K().get_kernel_spec("python3").argv[0]]))',
             cwd=tmp_path, env=env)
    pkg, nbs, lib, kernel_python = json.loads(out.stdout)
    assert Path(pkg).is_relative_to(venv) and not Path(pkg).resolve().is_relative_to(REPO), pkg
    assert Path(nbs) == Path(pkg).parent / 'nbs' and (Path(nbs) / 'experiments' / 'analysis.ipynb').exists(), nbs
    assert lib == sorted(p.name for p in (REPO / 'nbs').glob('[0-9]*.ipynb')), lib      # every library notebook shipped
    assert Path(kernel_python).parent == venv / 'bin', kernel_python

def test_installed_run_tiny_builds_site_in_cwd(venv, tmp_path):
    work = tmp_path / 'work'; work.mkdir()
    # an IPython startup file records, in every kernel papermill starts, which python and which timbre_nb it imports
    ipy, proof = tmp_path / 'ipython', tmp_path / 'kernels.jsonl'
    (ipy / 'profile_default' / 'startup').mkdir(parents=True)
    (ipy / 'profile_default' / 'startup' / '00-which.py').write_text(
        'import json, os, sys, timbre_nb\nwith open(os.environ["TIMBRE_NB_PROOF"], "a") as f: '
        'f.write(json.dumps([sys.executable, timbre_nb.__file__]) + "\\n")\n')
    env = venv_env(venv, IPYTHONDIR=str(ipy), TIMBRE_NB_PROOF=str(proof))
    r = sh(venv / 'bin' / 'timbre-nb', 'run', '--profile', 'tiny', '--runs-root', 'runs', '--cache-root', 'cache',
           cwd=work, env=env, timeout=900)
    index = work / 'runs' / 'tiny' / 'site' / 'index.html'
    assert r.stdout.strip().splitlines()[-1] == str(index) and index.exists(), r.stdout[-2000:]
    # data, cache and runs are relative to the working directory
    assert (work / 'data' / 'soundfont-tiny' / 'nsynth-train' / 'examples.json').exists()
    assert any((work / 'cache').iterdir())
    idx = index.read_text()
    assert 'href="train.html"' in idx and 'href="analysis.html"' in idx, idx[:3000]
    assert (index.parent / 'train.html').exists() and (index.parent / 'analysis.html').exists()
    assert (index.parent / 'reference' / '07_training.html').exists()              # library notebooks from the wheel
    # both notebooks ran in kernels of the fresh venv, importing the installed package, not the checkout's
    kernels = [json.loads(l) for l in proof.read_text().splitlines()]
    assert len(kernels) >= 2, kernels                                           # train + analysis
    for exe, pkg in kernels:
        assert Path(exe).parent == venv / 'bin' and Path(pkg).is_relative_to(venv), (exe, pkg)
