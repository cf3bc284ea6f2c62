"""Featuriser throughput: `timbre_nb.features.log_mel` (batched torch) vs librosa (per note) vs a plain torchaudio
reference (per note), on real SoundFont-rendered notes; plus how far apart their outputs are.

    .venv/bin/python bench/features.py [--data DIR] [--profile quick] [--n 256] [--batch 64] [--repeats 5]

All three compute the same thing: HTK mel power (n_fft 1024, hop 256, 80 mels, 0-8 kHz, reflect-padded, no filter
normalisation) -> dB re the note's peak, floored at 1e-10 and clamped to [-80, 0] -> mapped to [-1, 1].
Times are medians over --repeats passes over all --n notes, after one warm-up pass each; compare the ratios, not the
absolute numbers (the machine may be shared)."""
import argparse, os, platform, statistics, time
from datetime import datetime
from pathlib import Path

import numpy as np, torch, torchaudio, librosa

from timbre_nb.config import SpecConfig, SPLITS
from timbre_nb.data import read_examples, read_wave, wav_path
from timbre_nb.features import log_mel
from timbre_nb.soundfont import render_dataset


def header(title):
    load = ' '.join(f'{x:.2f}' for x in os.getloadavg())
    print(f'== {title} — {datetime.now():%Y-%m-%d %H:%M}')
    print(f'machine: {platform.node()} {platform.machine()} {platform.processor() or ""}; cpu_count={os.cpu_count()}, '
          f'torch threads={torch.get_num_threads()}, load avg {load}')
    print(f'torch {torch.__version__}, torchaudio {torchaudio.__version__}, librosa {librosa.__version__}, numpy {np.__version__}')


def load_notes(data, n, cfg):
    "Up to `n` notes (train first, then valid, test) as an (n, note_samples) float32 array; cycles if the set is smaller."
    paths = [wav_path(data, s, r['note_str']) for s in SPLITS for r in read_examples(data, s)]
    if not paths: raise SystemExit(f'{data}: no notes found')
    return np.stack([read_wave(paths[i % len(paths)], cfg) for i in range(n)]), len(paths)   # (n, note_samples)


def ours(waves, batch):
    return torch.cat([log_mel(waves[i:i + batch]) for i in range(0, len(waves), batch)])   # (n, n_mels, frames)


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


def timed_interleaved(fns, warm, repeats):
    """Median seconds of each fn over `repeats` rounds. Rounds interleave the fns (in a rotated order each round) so
    that a change in the machine's load hits all of them alike; each fn is warmed up once on `warm` first."""
    for fn in fns.values(): fn(warm)                              # warm-up: filterbank build, numba JIT, allocator
    ts, outs, names = {k: [] for k in fns}, {}, list(fns)
    for r in range(repeats):
        for k in names[r % len(names):] + names[:r % len(names)]:
            t0 = time.perf_counter(); outs[k] = fns[k](); ts[k].append(time.perf_counter() - t0)
    return outs, ts


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--data', default=None, help='NSynth-format dataset root (default /tmp/timbre_nb_bench/<profile>, rendered if missing)')
    p.add_argument('--profile', default='quick', choices=['tiny', 'quick'], help='SoundFont profile to render when --data is missing')
    p.add_argument('--n', type=int, default=256, help='notes per pass')
    p.add_argument('--batch', type=int, default=64, help='batch size of our batched featuriser')
    p.add_argument('--repeats', type=int, default=3, help='timed passes per featuriser (median reported)')
    a = p.parse_args()
    torch.set_num_threads(os.cpu_count())
    cfg = SpecConfig()
    header('bench/features.py: log-mel featurisers')
    data = Path(a.data or f'/tmp/timbre_nb_bench/{a.profile}')
    if not (data / '.complete').exists() and not (data / 'nsynth-train').exists():
        print(f'rendering SoundFont profile {a.profile!r} into {data} ...'); render_dataset(data, profile=a.profile, progress=False)
    waves, n_avail = load_notes(data, a.n, cfg)
    print(f'data: {data} ({n_avail} notes available); {len(waves)} notes x {cfg.note_seconds} s at {cfg.sr} Hz'
          + (' (cycled)' if n_avail < a.n else '') + f'; {a.repeats} timed repeats, median')
    mel = torchaudio.transforms.MelSpectrogram(sample_rate=cfg.sr, n_fft=cfg.n_fft, hop_length=cfg.hop, f_min=cfg.f_min,
                                               f_max=cfg.f_max, n_mels=cfg.n_mels, power=2.0, center=True,
                                               pad_mode='reflect', norm=None, mel_scale='htk')
    warm = waves[:a.batch]
    runs = {f'ours: log_mel, batches of {a.batch}': lambda w=waves: ours(w, a.batch),
            'librosa melspectrogram+power_to_db, per note': lambda w=waves: librosa_ref(w, cfg),
            'torchaudio MelSpectrogram reference, per note': lambda w=waves: torchaudio_ref(w, cfg, mel)}
    with torch.inference_mode(): outs, ts = timed_interleaved(runs, warm, a.repeats)
    rate = {k: len(waves) / statistics.median(v) for k, v in ts.items()}
    for k in runs:
        print(f'  {k:46s} {rate[k]:8.1f} notes/s  (median {statistics.median(ts[k]):.2f} s/pass; '
              f'passes {", ".join(f"{t:.2f}" for t in ts[k])})')
    names = list(runs)
    x_ours, ratio = outs[names[0]].float(), rate[names[0]] / rate[names[1]]
    print(f'ratio ours / librosa: {ratio:.2f}x  (target >= 3x: {"met" if ratio >= 3 else "NOT met"}); '
          f'ours / torchaudio per note: {rate[names[0]] / rate[names[2]]:.2f}x')
    print(f'output shape {tuple(x_ours.shape)}; |ours - other| over all {x_ours.numel():,} values:')
    for name in names[1:]:
        d = (x_ours - outs[name].float()).abs()
        print(f'  vs {name.split(",")[0]:42s} max {d.max():.2e} (= {d.max() * cfg.top_db / 2:.2e} dB), mean {d.mean():.1e}, '
              f'99.9th pct {d.flatten().kthvalue(int(0.999 * d.numel())).values:.1e}')


if __name__ == '__main__':
    main()
