"""Training-step throughput on this CPU, as ratios to the fp32 eager step measured in the same run: bf16 autocast
(what `TrainConfig.precision='auto'` picks on a CPU with AVX-512 BF16 or AMX), `torch.compile`, both together, and
the project's own `training.train_step` on the real data path with the default objective, in fp32 and in bf16.

    .venv/bin/python bench/train.py [--data DIR] [--batch-size 64] [--steps 4] [--rounds 5] [--threads 1,2]
                                    [--no-compile] [--compile-timeout 300]

The fixed-batch rows run the seed's step (CVAE forward, `vae_loss`, backward, Adam) on one pre-built random batch,
so they time the arithmetic alone; the `train_step` rows time what `train` does per step (the default objective:
partner pairs, cross-pitch decoding, InfoNCE; batches from `NoteCache` through the DataLoader), so they include the
data path and the objective's extra work. Every contender has its own model and optimiser (same init) and runs
`--steps` steps per round; rounds are interleaved (each contender once per round, in a rotated order), each ratio is
taken within a round (baseline seconds / contender seconds for the same number of steps), and the script prints the
median and the min–max of the per-round ratios, `median [min–max]`. Compare ratios, not absolute rates: the machine
this was written on is a shared 2-core VM. The header prints the load average and whether the CPU computes bf16
natively (`training.cpu_has_bf16`)."""
import argparse, os, platform, statistics, subprocess, sys, time
from datetime import datetime
from pathlib import Path

import numpy as np, torch

from timbre_nb.losses import vae_loss
from timbre_nb.model import CVAE, CVAEConfig
from timbre_nb.objectives import train_config, DEFAULT_OBJECTIVE, PROFILES
from timbre_nb.training import TrainState, epoch_loader, epoch_batches, train_step, load_data
from timbre_nb.devices import cpu_has_bf16

BETA, FREE_BITS = 2.0, 0.5                  # the seed's β after warm-up and its free bits (total)


def header(a):
    load = ' '.join(f'{x:.2f}' for x in os.getloadavg())
    print(f'== bench/train.py: CVAE training step on the CPU — {datetime.now():%Y-%m-%d %H:%M}')
    print(f'machine: {platform.node()} {platform.machine()}; cpu_count={os.cpu_count()}, load avg {load}; '
          f'native bf16 (AVX-512 BF16 / AMX): {cpu_has_bf16()}; '
          f'OMP_WAIT_POLICY={os.environ.get("OMP_WAIT_POLICY", "unset")}')
    print(f'torch {torch.__version__}, numpy {np.__version__}, python {platform.python_version()}')
    print(f'batch {a.batch_size}, {a.steps} steps per contender per round, {a.rounds} rounds; threads {a.threads}')


def fixed_batch(bs, cfg=CVAEConfig(), seed=0):
    "A pre-built random batch: x (B, 1, n_mels, T) uniform in [-1, 1], pitch (B,) MIDI 0..127."
    g = torch.Generator().manual_seed(seed)
    return (torch.rand(bs, 1, cfg.n_mels, cfg.T, generator=g) * 2 - 1,
            torch.randint(0, cfg.n_pitches, (bs,), generator=g))


def seed_step_runner(bs, dtype=None, compiled=False):
    "n steps of the seed's step on a fixed batch: forward (autocast to `dtype` if given) -> vae_loss in fp32 -> step."
    torch.manual_seed(0)
    model = CVAE().train()
    net, opt = (torch.compile(model) if compiled else model), torch.optim.Adam(model.parameters(), lr=1e-3)
    x, pitch = fixed_batch(bs)
    def run(n):
        for _ in range(n):
            with torch.autocast('cpu', dtype=dtype or torch.float32, enabled=dtype is not None):
                x_hat, mu, logvar = net(x, pitch)
            loss = vae_loss(x_hat.float(), x, mu.float(), logvar.float(), BETA, FREE_BITS)['total']
            opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
    return run


def batch_source(cfg):
    "The run's own state and data path: next_batch() cycles epochs as `train` does. Returns (next_batch, state)."
    train_ds, _ = load_data(cfg, 0, 1)
    spe = len(epoch_batches(len(train_ds), cfg.batch_size, cfg.seed, 0, 0, 1, cfg.paired))
    state = TrainState.create(cfg, torch.device('cpu'), 1, spe)
    batches = iter(())
    def next_batch():
        nonlocal batches
        for b in batches: return b
        state.epoch, state.batch_in_epoch = state.epoch + 1, 0            # the epoch ran out: the next one
        batches = iter(epoch_loader(train_ds, state, cfg, 0, 1))
        return next(batches)
    return next_batch, state


def train_step_runner(cfg):
    "n calls of `training.train_step` with the run's own state and data path."
    next_batch, state = batch_source(cfg)
    def run(n):
        for _ in range(n): train_step(state, next_batch(), cfg)
    return run, state


def data_runner(cfg):
    "n batches of the real data path alone (no step)."
    next_batch, _ = batch_source(cfg)
    def run(n):
        for _ in range(n): next_batch()
    return run


def probe_compile(timeout_s, bs, dtype) -> str | None:
    "Compile and run two steps in a child process (it fills the on-disk compile cache); None if that worked in time."
    code = (f"import torch, sys; sys.argv=['x']\nsys.path.insert(0, {str(Path(__file__).parent)!r})\n"
            f"from train import seed_step_runner\nseed_step_runner({bs}, {dtype}, compiled=True)(2)\n")
    t = time.perf_counter()
    try: r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired: return f'compiling took longer than {timeout_s} s (--compile-timeout)'
    if r.returncode: return f'torch.compile failed: {(r.stderr.strip().splitlines() or ["?"])[-1][:200]}'
    print(f'  torch.compile probe ({dtype or "fp32"}, batch {bs}, 2 steps, child process): '
          f'{time.perf_counter() - t:.0f} s')
    return None


def bench(a, threads, cfg_of):
    torch.set_num_threads(threads)
    bs = a.batch_size
    cons = {'fp32 eager, fixed batch (baseline)': seed_step_runner(bs),
            'bf16 autocast eager, fixed batch': seed_step_runner(bs, torch.bfloat16)}
    if not a.no_compile:
        for name, dtype in (('fp32 torch.compile, fixed batch', None),
                            ('bf16 autocast + torch.compile, fixed batch', 'torch.bfloat16')):
            why = probe_compile(a.compile_timeout, bs, dtype)
            if why: print(f'  {name}: skipped, {why}'); continue
            cons[name] = seed_step_runner(bs, torch.bfloat16 if dtype else None, compiled=True)
    run, st = train_step_runner(cfg_of('fp32'))
    cons[f'train_step, {DEFAULT_OBJECTIVE}, real data, fp32'] = run
    run, st = train_step_runner(cfg_of('auto'))
    cons[f'train_step, {DEFAULT_OBJECTIVE}, real data, precision auto '
         f'({str(st.amp_dtype).replace("torch.", "") if st.amp_dtype else "fp32"})'] = run
    cons['data path alone (NotePairs + DataLoader, no step)'] = data_runner(cfg_of('fp32'))
    for run in cons.values(): run(2)                                      # warm-up: allocator, compiled graphs, epoch 0
    times = {k: [] for k in cons}
    names = list(cons)
    for r in range(a.rounds):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            t = time.perf_counter(); cons[name](a.steps); times[name].append(time.perf_counter() - t)
        print(f'  round {r + 1}/{a.rounds} done, load avg {os.getloadavg()[0]:.2f}', flush=True)
    base = names[0]
    w = max(map(len, names))
    print(f'\n{threads} thread(s):\n{"contender":<{w}}  {"s/step (median)":>15}  '
          f'{"ratio to baseline: median [min–max]":>36}')
    for name in names:
        ratios = [b / t for b, t in zip(times[base], times[name])]
        print(f'{name:<{w}}  {statistics.median(times[name]) / a.steps:15.3f}  '
              f'{statistics.median(ratios):18.2f}x [{min(ratios):.2f}–{max(ratios):.2f}]')
    print('ratio > 1: faster than the fp32 eager step (baseline s / contender s, same steps, within each round)')


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--data', default='/tmp/timbre_nb_bench/quick',
                   help='dataset root (rendered from the default SoundFont quick profile when missing)')
    p.add_argument('--cache-root', default='/tmp/timbre_nb_bench/cache')
    p.add_argument('--batch-size', type=int, default=PROFILES['quick']['batch_size'],
                   help="default: the quick profile's")
    p.add_argument('--steps', type=int, default=4, help='steps per contender per round')
    p.add_argument('--rounds', type=int, default=5)
    p.add_argument('--threads', default='1,2', help='torch intra-op thread counts, comma-separated')
    p.add_argument('--no-compile', action='store_true', help='skip the torch.compile rows')
    p.add_argument('--compile-timeout', type=int, default=300, help='seconds allowed for each compile probe')
    a = p.parse_args()
    header(a)
    data = Path(a.data)
    if not (data / 'nsynth-train' / 'examples.json').exists():
        from timbre_nb.render import render_dataset
        print(f'rendering the quick SoundFont profile into {data} ...')
        render_dataset(data, profile='quick', progress=False)
    cfg_of = lambda precision: train_config('quick', DEFAULT_OBJECTIVE, data=str(data), cache_root=a.cache_root,
                                            batch_size=a.batch_size, precision=precision, progress=False)
    for threads in (int(t) for t in a.threads.split(',')): bench(a, threads, cfg_of)


if __name__ == '__main__':
    main()
