"""Featuriser throughput: `timbre_nb.features.log_mel` vs librosa (per note) vs a plain torchaudio reference (per
note), on real SoundFont-rendered notes; plus how far apart their outputs are.

    .venv/bin/python bench/features.py [--data DIR] [--profile quick] [--n 192] [--batch 64] [--repeats 7]
                                       [--threads 1,2] [--chunks 1]

All of them compute the same thing, `SpecConfig`'s front end: HTK mel power (reflect-padded STFT, no filter
normalisation) -> dB re the note's peak, floored at 1e-10 and clamped to [-top_db, 0] -> mapped to [-1, 1].
Contenders: ours as the cache calls it (batches of --batch; on a CPU `log_mel` transforms them 8 notes per call),
ours with one transform call per batch (`chunk=batch`, what `log_mel` did before), ours at each chunk size in
--chunks, librosa per note, torchaudio per note.
Every contender runs once per round, in a rotated order, for --repeats rounds, after one warm-up pass each. Each
round gives a ratio between two contenders timed minutes apart at most; the script prints the median rate and the
median ratio with their min-max over the rounds, once per thread count in --threads (torch and numpy's BLAS are
both limited to it). Compare the ratios, not the absolute rates: the machine may be shared."""
import argparse, os, platform, statistics, time
from datetime import datetime
from pathlib import Path

import numpy as np, torch, torchaudio, librosa
from threadpoolctl import threadpool_limits

from timbre_nb.config import SpecConfig, SPLITS
from timbre_nb.data import read_examples, read_wave, wav_path
from timbre_nb.features import log_mel
from timbre_nb.render import render_dataset


def header(title):
    load = ' '.join(f'{x:.2f}' for x in os.getloadavg())
    print(f'== {title} — {datetime.now():%Y-%m-%d %H:%M}')
    print(f'machine: {platform.node()} {platform.machine()} {platform.processor() or ""}; cpu_count={os.cpu_count()}, '
          f'load avg {load}; OMP_WAIT_POLICY={os.environ.get("OMP_WAIT_POLICY", "unset")}')
    print(f'torch {torch.__version__}, torchaudio {torchaudio.__version__}, librosa {librosa.__version__}, '
          f'numpy {np.__version__}')


def load_notes(data, n, cfg):
    ("Up to `n` notes (train first, then valid, test) as an (n, note_samples) float32 array; "
     "cycles if the set is smaller.")
    paths = [wav_path(data, s, r['note_str']) for s in SPLITS for r in read_examples(data, s)]
    if not paths: raise SystemExit(f'{data}: no notes found; pass --data DIR with an NSynth-format dataset')
    return np.stack([read_wave(paths[i % len(paths)], cfg) for i in range(n)]), len(paths)   # (n, note_samples)


def ours(waves, batch, cfg, chunk=None):
    return torch.cat([log_mel(waves[i:i + batch], cfg, chunk=chunk)
                      for i in range(0, len(waves), batch)])   # (n, n_mels, frames)


def librosa_ref(waves, cfg):
    out = []
    for y in waves:
        S = librosa.feature.melspectrogram(y=y, sr=cfg.sr, n_fft=cfg.n_fft, hop_length=cfg.hop, n_mels=cfg.n_mels,
                                           fmin=cfg.f_min, fmax=cfg.f_max, power=2.0, htk=True, norm=None,
                                           center=True, pad_mode='reflect')
        db = librosa.power_to_db(S, ref=np.max, amin=1e-10, top_db=cfg.top_db)     # in [-top_db, 0]
        out.append(1 + 2 * db / cfg.top_db)
    return torch.from_numpy(np.stack(out))


def torchaudio_ref(waves, cfg, mel):
    out = []
    for y in waves:
        S = mel(torch.from_numpy(y))                                                # (n_mels, frames) power
        db = 10 * torch.log10(S.clamp_min(1e-10) / S.max().clamp_min(1e-10))
        out.append(1 + 2 * db.clamp(-cfg.top_db, 0) / cfg.top_db)
    return torch.stack(out)


def timed_interleaved(fns, repeats):
    """Seconds of each fn in each of `repeats` rounds, and each fn's last output. Rounds interleave the fns (in a
    rotated order each round) so that a change in the machine's load hits all of them alike; each fn runs once
    untimed first (filterbank build, numba JIT, allocator)."""
    for fn in fns.values(): fn()
    ts, outs, names = {k: [] for k in fns}, {}, list(fns)
    for r in range(repeats):
        for k in names[r % len(names):] + names[:r % len(names)]:
            t0 = time.perf_counter(); outs[k] = fns[k](); ts[k].append(time.perf_counter() - t0)
    return outs, ts


def spread(xs, fmt='.2f'):
    "median [min-max] of `xs`"
    return f'{statistics.median(xs):{fmt}} [{min(xs):{fmt}}-{max(xs):{fmt}}]'


def main():
    cfg = SpecConfig()
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--data', default=None,
                   help='NSynth-format dataset root (default /tmp/timbre_nb_bench/<profile>, rendered if missing)')
    p.add_argument('--profile', default='quick', choices=['tiny', 'quick'],
                   help='SoundFont profile to render when --data is missing')
    p.add_argument('--n', type=int, default=192, help='notes per pass')
    p.add_argument('--batch', type=int, default=64, help='batch size handed to log_mel, as the cache builder does')
    p.add_argument('--repeats', type=int, default=7, help='timed rounds (median and min-max reported)')
    p.add_argument('--threads', default=f'1,{os.cpu_count()}', help='comma-separated thread counts to measure at')
    p.add_argument('--chunks', default='1',
                   help="comma-separated extra `log_mel(chunk=...)` sizes to time ('' for none)")
    a = p.parse_args()
    header('bench/features.py: log-mel featurisers')
    data = Path(a.data or f'/tmp/timbre_nb_bench/{a.profile}')
    if not (data / '.complete').exists() and not (data / 'nsynth-train').exists():
        print(f'rendering SoundFont profile {a.profile!r} into {data} ...')
        render_dataset(data, profile=a.profile, progress=False)
    waves, n_avail = load_notes(data, a.n, cfg)
    print(f'data: {data} ({n_avail} notes available); {len(waves)} notes x {cfg.note_seconds} s at {cfg.sr} Hz'
          + (' (cycled)' if n_avail < a.n else '') + f'; {a.repeats} rounds; figures are median [min-max] over rounds')
    mel = torchaudio.transforms.MelSpectrogram(sample_rate=cfg.sr, n_fft=cfg.n_fft, hop_length=cfg.hop, f_min=cfg.f_min,
                                               f_max=cfg.f_max, n_mels=cfg.n_mels, power=2.0, center=True,
                                               pad_mode='reflect', norm=None, mel_scale='htk')
    runs = {f'ours: log_mel, batches of {a.batch}': lambda: ours(waves, a.batch, cfg),
            f'ours, one transform call per batch of {a.batch} (before)':
                lambda: ours(waves, a.batch, cfg, chunk=a.batch),
            **{f'ours, log_mel(chunk={c}), batches of {a.batch}': (lambda c=c: ours(waves, a.batch, cfg, chunk=c))
               for c in [int(c) for c in a.chunks.split(',') if c]},
            'librosa melspectrogram+power_to_db, per note': lambda: librosa_ref(waves, cfg),
            'torchaudio MelSpectrogram reference, per note': lambda: torchaudio_ref(waves, cfg, mel)}
    short = {k: 'ours, chunk=' + k.split('chunk=')[1].split(')')[0] if 'chunk=' in k else k for k in runs}
    short.update(zip(list(runs)[:2], ('ours', 'ours, one call per batch')))
    short.update(zip(list(runs)[-2:], ('librosa', 'torchaudio per note')))
    names = list(runs)
    for threads in [int(t) for t in a.threads.split(',')]:
        torch.set_num_threads(threads)
        with threadpool_limits(limits=threads, user_api='blas'), torch.inference_mode():
            load0 = os.getloadavg()[0]; outs, ts = timed_interleaved(runs, a.repeats)
        print(f'\n-- {threads} thread(s) (torch and BLAS); load avg {load0:.2f} -> {os.getloadavg()[0]:.2f}')
        for k in names:
            print(f'  {k:56s} {spread([len(waves) / t for t in ts[k]], ".0f"):>16s} notes/s')
        for other in names[1:]:
            ratios = [b / o for o, b in zip(ts[names[0]], ts[other])]            # same round: time(other) / time(ours)
            print(f'  ratio ours / {short[other]:43s} {spread(ratios)}x')
    x_ours = outs[names[0]].float()
    print(f'\noutput shape {tuple(x_ours.shape)}; |ours - other| over all {x_ours.numel():,} values:')
    for name in names[1:]:
        d = (x_ours - outs[name].float()).abs()
        print(f'  vs {short[name]:24s} max {d.max():.2e} (= {d.max() * cfg.top_db / 2:.2e} dB), mean {d.mean():.1e}, '
              f'99.9th pct {d.flatten().kthvalue(int(0.999 * d.numel())).values:.1e}')


if __name__ == '__main__':
    main()
