"""Training-crop throughput: our memory-mapped log-mel cache (`timbre_nb.cache.NoteCache`) vs the seed's layout, one
`.pt` file per note read with `torch.load`.

    .venv/bin/python bench/cache.py [--data DIR] [--profile quick] [--n 0] [--repeats 7] [--batch B] [--no-cold]

Both sides serve the same items in the same random order: a random T-frame crop (`SpecConfig.T`) of each train note's
normalised log-mel (crop starts from `NoteCache.crop_start`, so identical), with its pitch, family and key. The
baseline folder holds each note's full (n_mels, frames) float32 log-mel as its own .pt (what the seed stored), written
once from the cache. The DataLoader batch defaults to the seed's (`TrainConfig.batch_size`).
"Warm" = every file already in the OS page cache (a warm-up pass reads them all first); "cold" = the page cache
dropped before each pass, which needs root and is skipped with a message when refused. Every contender runs once per
round, in a rotated order, for --repeats rounds (warm and cold alike); each round gives a ratio ours/baseline, and
the script prints the median rate and the median ratio with their min-max over the rounds. Compare the ratios, not
the absolute numbers (the machine may be shared)."""
import argparse, json, os, platform, statistics, time
from datetime import datetime
from pathlib import Path

import numpy as np, torch
from torch.utils.data import DataLoader, Dataset

from timbre_nb.cache import build_cache, NoteCache
from timbre_nb.render import render_dataset
from timbre_nb.objectives import TrainConfig


def header(title):
    load = ' '.join(f'{x:.2f}' for x in os.getloadavg())
    print(f'== {title} — {datetime.now():%Y-%m-%d %H:%M}')
    print(f'machine: {platform.node()} {platform.machine()} {platform.processor() or ""}; cpu_count={os.cpu_count()}, '
          f'torch threads={torch.get_num_threads()}, load avg {load}; '
          f'OMP_WAIT_POLICY={os.environ.get("OMP_WAIT_POLICY", "unset")}')
    print(f'torch {torch.__version__}, numpy {np.__version__}')


class PerNotePt(Dataset):
    "The seed's layout: one `<key>.pt` per note holding its full (n_mels, frames) float32 log-mel; same crops as `ref`."
    def __init__(self, folder, ref: NoteCache): self.folder, self.ref = Path(folder), ref
    def __len__(self): return len(self.ref)
    def __getitem__(self, i):
        x, s = torch.load(self.folder / f'{self.ref.keys[i]}.pt'), self.ref.crop_start(i)   # (n_mels, frames)
        return (x[:, s:s + self.ref.T][None], torch.tensor(self.ref.pitch[i]), torch.tensor(self.ref.family[i]),
                str(self.ref.keys[i]))


def write_pt_folder(ds: NoteCache, folder: Path):
    "One .pt per note (reused when complete)."
    done = folder / 'complete.json'
    if done.exists() and json.loads(done.read_text())['n'] == len(ds): return
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(len(ds)): torch.save(torch.from_numpy(ds.full(i)), folder / f'{ds.keys[i]}.pt')
    done.write_text(json.dumps(dict(n=len(ds))))


def drop_page_cache() -> str | None:
    "Drop the OS page cache; returns why not if refused."
    try:
        os.sync()
        with open('/proc/sys/vm/drop_caches', 'w') as f: f.write('3\n')
        return None
    except OSError as e: return f'{type(e).__name__}: {e}'


def du_mib(paths) -> float: return sum(p.stat().st_size for p in paths) / 2**20


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--data', default=None,
                   help='NSynth-format dataset root (default /tmp/timbre_nb_bench/<profile>, rendered if missing)')
    p.add_argument('--profile', default='quick', choices=['tiny', 'quick'],
                   help='SoundFont profile to render when --data is missing')
    p.add_argument('--cache-root', default='/tmp/timbre_nb_bench/cache',
                   help='where build_cache puts (or finds) the cache')
    p.add_argument('--pt-dir', default=None,
                   help='baseline folder of per-note .pt files (default <cache-root>/pt-<cache name>)')
    p.add_argument('--n', type=int, default=0, help='crops per pass (0 = every train note once)')
    p.add_argument('--batch', type=int, default=TrainConfig().batch_size,
                   help="DataLoader batch size (default: the seed's)")
    p.add_argument('--repeats', type=int, default=7,
                   help='timed rounds, warm and cold each (median and min-max reported)')
    p.add_argument('--no-cold', action='store_true', help='skip the cold-page-cache measurement')
    a = p.parse_args()
    torch.set_num_threads(os.cpu_count())
    header('bench/cache.py: training crops from the log-mel cache')
    data = Path(a.data or f'/tmp/timbre_nb_bench/{a.profile}')
    if not (data / '.complete').exists() and not (data / 'nsynth-train').exists():
        print(f'rendering SoundFont profile {a.profile!r} into {data} ...')
        render_dataset(data, profile=a.profile, progress=False)
    t0 = time.time(); cache_dir = build_cache(data, cache_root=a.cache_root, progress=False)
    ds = NoteCache(cache_dir, 'train', train=True)
    pt_dir = Path(a.pt_dir or Path(a.cache_root) / f'pt-{cache_dir.name}')
    write_pt_folder(ds, pt_dir)
    base = PerNotePt(pt_dir, ds)
    n = a.n or len(ds)
    print(f'cache: {cache_dir} ({time.time() - t0:.0f} s to build/reuse + write baseline); {ds}')
    print(f'  ours: train.npy float16 {du_mib([cache_dir / "train.npy"]):.0f} MiB; '
          f'baseline: {len(ds)} .pt float32 files, '
          f'{du_mib(pt_dir.glob("*.pt")):.0f} MiB in {pt_dir}')

    rng = np.random.default_rng(0)
    orders = [rng.permutation(len(ds))[:n] if n <= len(ds) else rng.integers(0, len(ds), n) for _ in range(a.repeats)]
    for i in orders[0][:16]:                                    # both sides serve the very same item
        (xo, po, fo, ko), (xb, pb, fb, kb) = ds[int(i)], base[int(i)]
        assert torch.equal(xo, xb) and po == pb and fo == fb and ko == kb, f'item {i}: ours and baseline differ'
    assert ds[0][0].shape == (1, ds.spec.n_mels, ds.T)

    def items(d, order):
        for i in order: d[int(i)]
    def loader(d, order):
        for batch in DataLoader(d, batch_size=a.batch, sampler=[int(i) for i in order], num_workers=0): pass
    runs = {'ours: NoteCache[i], random order': lambda o: items(ds, o),
            'baseline: torch.load(<key>.pt) + crop': lambda o: items(base, o),
            f'ours: DataLoader batch {a.batch}, workers 0': lambda o: loader(ds, o),
            f'baseline: DataLoader batch {a.batch}, workers 0': lambda o: loader(base, o)}
    names = list(runs)

    for fn in runs.values(): fn(np.arange(len(ds)))           # warm-up: every file into the page cache
    load0 = os.getloadavg()[0]; ts = rounds(runs, orders)
    print(f'warm page cache (all files cached in RAM), {n} crops per pass, {a.repeats} rounds '
          f'(load avg {load0:.2f} -> {os.getloadavg()[0]:.2f}); median [min-max] over rounds:')
    report(runs, ts, n)

    if a.no_cold: print('cold page cache: skipped (--no-cold)'); return
    why = drop_page_cache()
    if why: print(f'cold page cache: skipped, cannot drop the page cache ({why}); needs root'); return
    load0 = os.getloadavg()[0]; ts = rounds(runs, orders, before=drop_page_cache)
    if ts is None: print('cold page cache: stopped, a drop was refused'); return
    print(f'cold page cache (dropped before each pass), {n} crops per pass, {a.repeats} rounds '
          f'(load avg {load0:.2f} -> {os.getloadavg()[0]:.2f}); median [min-max] over rounds:')
    report(runs, ts, n)


def rounds(runs, orders, before=None):
    "Seconds per pass of each contender, one pass per round in a rotated order, round r serving `orders[r]`."
    names, ts = list(runs), {k: [] for k in runs}
    for r, order in enumerate(orders):
        for k in names[r % len(names):] + names[:r % len(names)]:
            if before and before(): return None                # `before` returns why it failed, or None
            t = time.perf_counter(); runs[k](order); ts[k].append(time.perf_counter() - t)
    return ts


def spread(xs, fmt):
    "median [min-max] of `xs`"
    return f'{statistics.median(xs):{fmt}} [{min(xs):{fmt}}-{max(xs):{fmt}}]'


def report(runs, ts, n):
    names = list(runs)
    for k in names:
        print(f'  {k:45s} {spread([n / t for t in ts[k]], ".0f"):>22s} crops/s')
    for what, o, b in (('item by item', *names[:2]), ('through the DataLoader', *names[2:])):
        ratios = [tb / to for to, tb in zip(ts[o], ts[b])]        # same round: time(baseline) / time(ours)
        print(f'  ratio ours / baseline, {what:22s} {spread(ratios, ".1f"):>17s}x  '
              f'(target >= 10x on the median: {"met" if statistics.median(ratios) >= 10 else "NOT met"})')


if __name__ == '__main__':
    main()
