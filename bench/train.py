"""Training throughput at the seed's batch size (`TrainConfig.batch_size`): the seed's CVAE step on a fixed random
batch (the baseline) vs the same step fed by our real data path (`NoteCache` -> `DataLoader(batch_sampler=
epoch_batches(...), collate_fn=_collate)`), plus two cheap CPU options (flush denormals, channels_last) and, if it
compiles in time, `torch.compile`.

    .venv/bin/python bench/train.py [--data DIR] [--cache-root DIR] [--batch-size B] [--steps 10] [--rounds 3]
                                    [--threads N] [--workers 0] [--no-compile]

Every contender has its own model and Adam optimiser (same init) and runs `--steps` optimiser steps per round; rounds
are interleaved (each contender once per round, in a rotated order) and the median round is reported, so a change in
the machine's load hits every contender alike. Compare the ratios, not the absolute numbers. On CUDA (when present)
the same is measured on the GPU in fp32 and with autocast (bf16 where supported, else fp16 + GradScaler), as
`timbre_nb.training.train` does. The script also counts the FLOPs of one step (`FlopCounterMode`) and turns the
measured rates into an estimate of a full NSynth run (289,205 train notes, 15 epochs)."""
import argparse, math, os, platform, resource, statistics, subprocess, sys, time
from datetime import datetime
from pathlib import Path

import numpy as np, torch
from torch.utils.data import DataLoader
from torch.utils.flop_counter import FlopCounterMode

from timbre_nb.cache import build_cache, NoteCache
from timbre_nb.losses import vae_loss
from timbre_nb.model import CVAE, CVAEConfig
from timbre_nb.objectives import TrainConfig
from timbre_nb.training import epoch_batches, _collate

NSYNTH_TRAIN, EPOCHS = 289_205, 15          # NSynth train split; the seed's epochs
BETA, FREE_BITS = 2.0, 0.5                  # the seed's β after warm-up and free bits (total)


def rss_mib() -> float:
    "Current resident set size of this process."
    with open('/proc/self/statm') as f: return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 2**20

def peak_rss_mib() -> float: return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10   # Linux: KiB


def header(a):
    load = ' '.join(f'{x:.2f}' for x in os.getloadavg())
    print(f'== bench/train.py: CVAE training throughput — {datetime.now():%Y-%m-%d %H:%M}')
    print(f'machine: {platform.node()} {platform.machine()} {platform.processor() or ""}; cpu_count={os.cpu_count()}, '
          f'torch threads={torch.get_num_threads()} (interop {torch.get_num_interop_threads()}), load avg {load}')
    cuda = torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'none'
    print(f'torch {torch.__version__}, numpy {np.__version__}, python {platform.python_version()}; CUDA device: {cuda}')
    print(f'batch {a.batch_size}, {a.steps} steps per round, {a.rounds} rounds (median reported), '
          f'DataLoader workers {a.workers}')


def new_model(device, seed=0, channels_last=False):
    torch.manual_seed(seed)
    m = CVAE(CVAEConfig()).to(device).train()
    if channels_last: m = m.to(memory_format=torch.channels_last)
    return m, torch.optim.Adam(m.parameters(), lr=1e-3)


def fixed_batch(bs, cfg=CVAEConfig(), seed=0):
    "A pre-built random batch: x (B, 1, n_mels, T) uniform in [-1, 1], pitch (B,) MIDI 0..127."
    g = torch.Generator().manual_seed(seed)
    return torch.rand(bs, 1, cfg.n_mels, cfg.T, generator=g) * 2 - 1, torch.randint(0, cfg.n_pitches, (bs,), generator=g)


def make_step(model, opt, device, amp=False):
    "One optimiser step as in `train`: forward (autocast if `amp`) -> vae_loss in fp32 -> backward -> step."
    amp_dtype = torch.bfloat16 if amp and torch.cuda.is_bf16_supported() else torch.float16
    scaler = torch.amp.GradScaler('cuda', enabled=amp and amp_dtype == torch.float16)
    def step(x, pitch):
        with torch.autocast(device.type, dtype=amp_dtype, enabled=amp):
            x_hat, mu, logvar = model(x, pitch)
        l = vae_loss(x_hat.float(), x, mu.float(), logvar.float(), BETA, FREE_BITS)
        opt.zero_grad(set_to_none=True)
        scaler.scale(l['total']).backward()
        scaler.step(opt); scaler.update()
        return l
    return step


def real_batches(ds: NoteCache, bs, workers, device, channels_last=False):
    "Endless batches drawn as `train` draws them: per epoch `set_epoch`, `epoch_batches`, a DataLoader with `_collate`."
    epoch = 0
    while True:
        ds.set_epoch(epoch)
        if len(ds) >= bs:   # full batches only (the epoch's last partial batch would be a smaller step)
            batches = [b for b in epoch_batches(len(ds), bs, 0, epoch) if len(b) == bs]
        else:               # tiny dataset: cycle this epoch's order up to one batch
            order = epoch_batches(len(ds), len(ds), 0, epoch)[0]
            batches = [[order[j % len(order)] for j in range(bs)]]
        loader = DataLoader(ds, batch_sampler=batches, collate_fn=_collate, num_workers=workers,
                            generator=torch.Generator().manual_seed(0))
        for b in loader:
            x, pitch = b['x'].to(device, non_blocking=True), b['pitch'].to(device, non_blocking=True)   # (B,1,n_mels,T), (B,)
            if channels_last: x = x.contiguous(memory_format=torch.channels_last)
            yield x, pitch
        epoch += 1


class Contender:
    "A named closure running `n` training steps; `group` picks the baseline its ratio is taken against."
    def __init__(self, name, group, run_n, device, setup=None, teardown=None):
        self.name, self.group, self.run_n, self.device = name, group, run_n, device
        self.setup, self.teardown, self.times, self.extra = setup, teardown, [], ''
    def __call__(self, n):
        if self.setup: self.setup()
        try:
            if self.device.type == 'cuda': torch.cuda.synchronize()
            t = time.perf_counter(); self.run_n(n)
            if self.device.type == 'cuda': torch.cuda.synchronize()
            return time.perf_counter() - t
        finally:
            if self.teardown: self.teardown()


def fixed_contender(name, group, device, bs, channels_last=False, amp=False, compiled=False):
    model, opt = new_model(device, channels_last=channels_last)
    net = torch.compile(model) if compiled else model
    x, pitch = fixed_batch(bs)
    x, pitch = x.to(device), pitch.to(device)
    if channels_last: x = x.contiguous(memory_format=torch.channels_last)
    step = make_step(net, opt, device, amp)
    def run_n(n):
        for _ in range(n): step(x, pitch)
    return Contender(name, group, run_n, device)


def real_contender(name, group, device, bs, ds, workers, amp=False):
    model, opt = new_model(device)
    step, it = make_step(model, opt, device, amp), real_batches(ds, bs, workers, device)
    def run_n(n):
        for _ in range(n):
            l = step(*next(it))
            if not torch.isfinite(l['total']): raise FloatingPointError('non-finite loss in the benchmark')
            {k: float(l[k].detach()) for k in ('total', 'recon', 'kl_raw', 'kl_fb', 'elbo')}   # the loop's per-step logging
    return Contender(name, group, run_n, device)


def data_contender(name, ds, bs, workers):
    "The real data path alone (no step): what bounds the loop once the step is fast (e.g. on a GPU)."
    it = real_batches(ds, bs, workers, torch.device('cpu'))
    def run_n(n):
        for _ in range(n): next(it)
    return Contender(name, 'cpu', run_n, torch.device('cpu'))


def probe_compile(timeout_s, bs) -> str | None:
    "Compile and run two steps of `torch.compile(CVAE)` at batch `bs` in a child process (fills the on-disk compile cache); None if it worked within `timeout_s`."
    cfg = CVAEConfig()                                        # n_mels and T come from SpecConfig
    code = ("import torch\nfrom timbre_nb.model import CVAE\nfrom timbre_nb.losses import vae_loss\n"
            "torch.manual_seed(0); m = CVAE().train(); net = torch.compile(m); opt = torch.optim.Adam(m.parameters(), 1e-3)\n"
            f"x = torch.rand({bs}, 1, {cfg.n_mels}, {cfg.T}) * 2 - 1; p = torch.randint(0, {cfg.n_pitches}, ({bs},))\n"
            "for _ in range(2):\n"
            "    xh, mu, lv = net(x, p); l = vae_loss(xh, x, mu, lv, 2.0, 0.5)['total']\n"
            "    opt.zero_grad(); l.backward(); opt.step()\n")
    t = time.perf_counter()
    try:
        r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        return f'compiling took longer than {timeout_s} s (--compile-timeout)'
    if r.returncode: return f'torch.compile failed: {(r.stderr.strip().splitlines() or ["?"])[-1][:200]}'
    print(f'torch.compile probe (batch {bs}, 2 steps, child process) compiled and ran in {time.perf_counter() - t:.0f} s')
    return None


def step_flops(bs, device=torch.device('cpu')) -> int:
    "FLOPs of one forward + loss + backward of the default CVAE at batch `bs` (convs and matmuls; norms not counted)."
    model, _ = new_model(device)
    x, pitch = fixed_batch(bs)
    with FlopCounterMode(display=False) as fc:
        x_hat, mu, logvar = model(x.to(device), pitch.to(device))
        vae_loss(x_hat, x.to(device), mu, logvar, BETA, FREE_BITS)['total'].backward()
    return fc.get_total_flops()


def fmt_time(s):
    return f'{s / 3600:.1f} h' if s >= 3600 else f'{s / 60:.1f} min'


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--data', default=None, help='NSynth-format dataset root (default /tmp/timbre_nb_bench/quick if it '
                                                 'exists, else the tiny SoundFont profile rendered into /tmp/timbre_nb_bench/tiny)')
    p.add_argument('--cache-root', default='/tmp/timbre_nb_bench/cache', help='where build_cache puts (or finds) the cache')
    p.add_argument('--batch-size', type=int, default=TrainConfig().batch_size, help="default: the seed's")
    p.add_argument('--steps', type=int, default=10, help='optimiser steps per contender per round')
    p.add_argument('--cuda-steps', type=int, default=50, help='steps per round for the CUDA contenders')
    p.add_argument('--rounds', type=int, default=3, help='interleaved timed rounds (median reported)')
    p.add_argument('--threads', type=int, default=os.cpu_count(), help='torch intra-op threads')
    p.add_argument('--workers', type=int, default=0, help='DataLoader workers for the real data path (train default: 0)')
    p.add_argument('--no-compile', action='store_true', help='skip the torch.compile contender')
    p.add_argument('--compile-timeout', type=int, default=180, help='seconds allowed for the compile probe')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    header(a)
    bs, cpu = a.batch_size, torch.device('cpu')

    # memory of one eager step, measured before anything else grows the process
    rss0 = rss_mib(); peak0 = peak_rss_mib()
    base_model, base_opt = new_model(cpu)
    x, pitch = fixed_batch(bs)
    make_step(base_model, base_opt, cpu)(x, pitch)
    rss1, peak1 = rss_mib(), peak_rss_mib()
    print(f'memory, first eager CPU step at batch {bs}: RSS {rss0:.0f} -> {rss1:.0f} MiB (+{rss1 - rss0:.0f} MiB kept); '
          f'peak RSS {peak1:.0f} MiB (+{peak1 - max(rss0, peak0):.0f} MiB above the peak before; '
          f'{"the step set the peak" if peak1 > peak0 else "the step did not raise the peak"})')
    del base_model, base_opt

    data = Path(a.data) if a.data else Path('/tmp/timbre_nb_bench/quick')
    if not a.data and not data.exists():
        from timbre_nb.soundfont import render_dataset
        data = Path('/tmp/timbre_nb_bench/tiny'); print(f'rendering the tiny SoundFont profile into {data} ...')
        render_dataset(data, profile='tiny', progress=False)
    t0 = time.time(); cache_dir = build_cache(data, cache_root=a.cache_root, progress=False)
    ds = NoteCache(cache_dir, 'train', train=True)
    print(f'data: {data}; cache {cache_dir} ({time.time() - t0:.0f} s to build/reuse); {ds}'
          + ('; fewer notes than a batch: each batch cycles the epoch order' if len(ds) < bs else
             f'; {len(ds) // bs} full batches per epoch (the partial last batch is skipped)'))

    flush = lambda on: (lambda: torch.set_flush_denormal(on))
    cons = [fixed_contender('baseline: plain eager, fixed batch', 'cpu', cpu, bs),
            real_contender('ours: training step (NoteCache + DataLoader + step)', 'cpu', cpu, bs, ds, a.workers),
            data_contender('data path only: NoteCache + DataLoader, no step', ds, bs, a.workers)]
    fd = fixed_contender('eager + set_flush_denormal(True)', 'cpu', cpu, bs)
    if torch.set_flush_denormal(True):
        torch.set_flush_denormal(False); fd.setup, fd.teardown = flush(True), flush(False); cons.append(fd)
    else: print('set_flush_denormal: not supported on this CPU (needs SSE3); row skipped')
    cons.append(fixed_contender('eager + channels_last (model and input)', 'cpu', cpu, bs, channels_last=True))
    if a.no_compile: print('torch.compile: skipped (--no-compile)')
    else:
        why = probe_compile(a.compile_timeout, bs)
        if why: print(f'torch.compile: skipped, {why}')
        else:
            c = fixed_contender('torch.compile(model), fixed batch', 'cpu', cpu, bs, compiled=True)
            t = time.perf_counter(); c(1)
            print(f'torch.compile: first step at batch {bs} (compile, mostly from the probe\'s cache) {time.perf_counter() - t:.0f} s')
            cons.append(c)
    if torch.cuda.is_available():
        gpu = torch.device('cuda')
        cons += [fixed_contender('cuda: plain eager fp32, fixed batch', 'cuda', gpu, bs),
                 fixed_contender('cuda: autocast (as train), fixed batch', 'cuda', gpu, bs, amp=True),
                 real_contender('cuda: autocast, real data path (as train)', 'cuda', gpu, bs, ds, a.workers, amp=True)]
    else: print('CUDA: not available, GPU rows skipped')

    steps = {c.name: a.cuda_steps if c.group == 'cuda' else a.steps for c in cons}
    for c in cons: c(2)                                                  # warm-up: allocator, first epoch, autotuning
    if torch.cuda.is_available():                                        # peak GPU memory of one step per CUDA contender
        for c in cons:
            if c.group == 'cuda':
                torch.cuda.synchronize(); torch.cuda.reset_peak_memory_stats(); c(1)
                c.extra = f'peak {torch.cuda.max_memory_allocated() / 2**20:.0f} MiB allocated'
    for r in range(a.rounds):
        k = r % len(cons)
        for c in cons[k:] + cons[:k]: c.times.append(c(steps[c.name]))
        print(f'  round {r + 1}/{a.rounds} done, load avg {os.getloadavg()[0]:.2f}', flush=True)

    rate = {c.name: steps[c.name] / statistics.median(c.times) for c in cons}
    base = {g: next(c.name for c in cons if c.group == g) for g in dict.fromkeys(c.group for c in cons)}
    w = max(len(c.name) for c in cons)
    print(f'\n{"contender":<{w}}  {"steps/s":>8}  {"examples/s":>10}  {"s/step":>7}  {"vs baseline":>11}  rounds (s/step)')
    for c in cons:
        per = ' '.join(f'{t / steps[c.name]:.3f}' for t in c.times)
        print(f'{c.name:<{w}}  {rate[c.name]:8.3f}  {bs * rate[c.name]:10.1f}  {1 / rate[c.name]:7.3f}  '
              f'{rate[c.name] / rate[base[c.group]]:10.2f}x  {per}{"  " + c.extra if c.extra else ""}')
    print(f'ratio = steps/s over the "{base["cpu"]}" row'
          + (f' (CUDA rows: over "{base["cuda"]}")' if 'cuda' in base else '') + '; medians over rounds')
    print(f'peak RSS of the process: {peak_rss_mib():.0f} MiB (ru_maxrss)')

    # full NSynth estimate
    spe = math.ceil(NSYNTH_TRAIN / bs); total = spe * EPOCHS
    print(f'\nfull NSynth run: {NSYNTH_TRAIN:,} train notes -> {spe} steps/epoch at batch {bs} x {EPOCHS} epochs = {total:,} steps')
    for c in cons:
        if (c.group == 'cpu' or 'real data' in c.name) and not c.name.startswith('data path'):
            print(f'  at {rate[c.name]:.3f} steps/s ({c.name}): {fmt_time(total / rate[c.name])}')
    fl = step_flops(bs)
    print(f'FLOPs per training step (forward + loss + backward, batch {bs}, FlopCounterMode; norms/activations not '
          f'counted): {fl / 1e9:.1f} GFLOP -> {fl * total / 1e15:.1f} PFLOP for {EPOCHS} epochs')
    print(f'  measured CPU rate (baseline): {fl * rate[base["cpu"]] / 1e9:.1f} GFLOP/s effective')
    for tf in (10, 50, 100):
        print(f'  at {tf} TFLOP/s effective, {EPOCHS} epochs would take {fmt_time(fl * total / (tf * 1e12))}')
    dp = rate[next(c.name for c in cons if c.name.startswith('data path'))]
    print(f'  the data path alone ({dp * bs:.0f} examples/s here) would need {fmt_time(total / dp)} for {EPOCHS} epochs')
    print(f'  (a rough bracket: a small conv net at batch {bs} rarely reaches a large fraction of a GPU\'s peak, and '
          f'the data path, measured with {a.workers} DataLoader workers on this CPU, may bound it)')


if __name__ == '__main__':
    main()
