("Training end to end: a papermill run in the seed's log format, kill -9 and resume, and a 2-process torchrun "
 "(gloo) run.")
import json, os, re, shutil, signal, subprocess, time
from pathlib import Path
import papermill as pm
from conftest import cli, BIN

REPO = Path(__file__).resolve().parent.parent
STEP = re.compile(r'^\[step \d+\] beta=\d+\.\d{3} total=\d+\.\d{3} recon=\d+\.\d{3} kl_raw=\d+\.\d{3}$', re.M)
EPOCH = re.compile(r'^Epoch (\d+)/(\d+)\nTrain: total=\d+\.\d{3} recon=\d+\.\d{3} kl_raw=\d+\.\d{3} kl_fb=\d+\.\d{3}\n'
                   r'Val : total=\d+\.\d{3} recon=\d+\.\d{3} kl_raw=\d+\.\d{3} kl_fb=\d+\.\d{3}$', re.M)

def metrics(run): return [json.loads(l) for l in (run / 'metrics.jsonl').read_text().splitlines()]

def test_papermill_tiny_run(tiny_data, tmp_path):
    out = tmp_path / 'runs' / 'pm' / 'train.ipynb'; out.parent.mkdir(parents=True)
    pm.execute_notebook(str(REPO / 'nbs' / 'experiments' / 'train.ipynb'), str(out), kernel_name='python3',
                        progress_bar=False,
                        parameters=dict(data=str(tiny_data), profile='tiny', run_name='pm',
                                        runs_root=str(tmp_path / 'runs'),
                                        cache_root=str(tmp_path / 'cache'), progress=False))
    run = out.parent
    log = (run / 'train.log').read_text()
    assert len(STEP.findall(log)) >= 2, log
    assert [m.groups() for m in EPOCH.finditer(log)] == [('1', '3'), ('2', '3'), ('3', '3')], log
    assert log.startswith('CVAE: ') and 'ELBO (beta=1): train=' in log
    m = metrics(run)
    assert [r['epoch'] for r in m] == [1, 2, 3] and len(m[-1]['val']['kl_per_dim']) == 32
    assert list((run / 'checkpoints').glob('ckpt_*.safetensors')) and list((run / 'checkpoints').glob('ckpt_*.json'))
    nb = out.read_text()
    assert 'Epoch 3/3' in nb and 'image/png' in nb  # the log and the diagnostics plot are in the notebook

def test_kill_and_resume_equals_uninterrupted(tiny_data, tmp_path):
    common = ['train', '--data', tiny_data, '--profile', 'tiny', '--epochs', '5', '--ckpt-every', '1',
              '--device', 'cpu', '--runs-root', tmp_path / 'runs', '--cache-root', tmp_path / 'cache']
    cli(*common, '--name', 'straight')
    run = tmp_path / 'runs' / 'killed'
    p = subprocess.Popen([str(BIN / 'timbre-nb'), *map(str, common), '--name', 'killed'],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while (not list((run / 'checkpoints').glob('ckpt_0000000[3-9].json')) and time.time() < deadline
           and p.poll() is None):
        time.sleep(0.01)
    p.send_signal(signal.SIGKILL); p.wait()
    assert not (run / 'summary.json').exists(), 'the run finished before it could be killed'
    cli(*common, '--name', 'killed', '--resume')
    assert metrics(run) == metrics(tmp_path / 'runs' / 'straight')  # every epoch's losses and diagnostics, bit for bit
    assert 'resumed from' in (run / 'train.log').read_text()

def test_torchrun_two_processes_gloo(tiny_data, tmp_path):
    torchrun = shutil.which('torchrun', path=str(BIN))
    # batch 4 with the default (paired) objective: each process holds a single anchor/partner pair, so InfoNCE over
    # its own shard would be log 1 = 0 — the contrast must run over both processes' pairs (losses.gather_rows)
    r = subprocess.run([torchrun, '--standalone', '--nproc_per_node', '2', str(BIN / 'timbre-nb'), 'train',
                        '--data', str(tiny_data), '--profile', 'tiny', '--batch-size', '4', '--device', 'cpu',
                        '--runs-root', str(tmp_path / 'runs'), '--name', 'ddp',
                        '--cache-root', str(tmp_path / 'cache')], capture_output=True, text=True, timeout=300,
                       env={**os.environ, 'OMP_NUM_THREADS': '1'})
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    run = tmp_path / 'runs' / 'ddp'
    log = (run / 'train.log').read_text()
    assert 'x2 processes' in log
    assert [x['epoch'] for x in metrics(run)] == [1, 2, 3]
    nce = [float(v) for v in re.findall(r'nce=(\d+\.\d+)', log)]
    assert len(nce) == 3 and min(nce) > 0, log                          # it was 0.000: one pair per process
