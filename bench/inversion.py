"""Benchmark: timbre_nb.inversion.griffin_lim (torchaudio) vs librosa.griffinlim.

Same magnitude spectrograms (8 synthetic harmonic notes of `SpecConfig.note_seconds` at `SpecConfig.sr`, the STFT of
`SpecConfig` — n_fft, hop, Hann window, centred frames with reflect padding, so librosa is given pad_mode='reflect'
too), equal iterations and equal momentum. Two initialisations: random phase (seeded; torchaudio draws real and
imaginary parts uniform in [0, 1), librosa draws a uniform phase — the only algorithmic difference) and zero phase
(identical algorithms, so nearly equal spectral convergence is expected). Every contender (init x implementation)
runs once per round, in a rotated order, for --repeats rounds after one warm-up; each round gives a time ratio
librosa / ours per init, and the script prints the median time per note and the median ratio with their min-max over
the rounds, once per thread count in --threads (torch and numpy's BLAS both limited to it), plus the mean spectral
convergence of each. No thresholds.
Run: .venv/bin/python bench/inversion.py [--n_iter 64] [--momentum 0.99] [--notes 8] [--repeats 5] [--threads 1,2]
"""
import argparse, os, statistics, time, warnings
import numpy as np, torch, librosa
from threadpoolctl import threadpool_limits
from timbre_nb.config import SpecConfig
from timbre_nb.inversion import griffin_lim, harmonic_note, stft_magnitude, spectral_convergence


def spread(xs, fmt):
    "median [min-max] of `xs`"
    return f'{statistics.median(xs):{fmt}} [{min(xs):{fmt}}-{max(xs):{fmt}}]'


def main():
    cores = len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--n_iter', type=int, default=64)
    p.add_argument('--momentum', type=float, default=0.99)
    p.add_argument('--notes', type=int, default=8)
    p.add_argument('--repeats', type=int, default=5, help='timed rounds (median and min-max reported)')
    p.add_argument('--threads', default=f'1,{cores}', help='comma-separated torch/BLAS thread counts to measure at')
    a = p.parse_args()
    cfg = SpecConfig()
    pitches = np.linspace(36, 84, a.notes).round().astype(int)
    waves = [harmonic_note(int(pt), cfg, seed=i) for i, pt in enumerate(pitches)]
    mags = [stft_magnitude(w, cfg.n_fft, cfg.hop) for w in waves]           # (n_fft//2+1, frames) each

    def ours(m, i, random_init):
        return griffin_lim(m, cfg, n_iter=a.n_iter, momentum=a.momentum, seed=i if random_init else None).numpy()
    def theirs(m, i, random_init):
        return librosa.griffinlim(m.numpy(), n_iter=a.n_iter, hop_length=cfg.hop, win_length=cfg.n_fft,
                                  n_fft=cfg.n_fft, window='hann', center=True, pad_mode='reflect',
                                  length=cfg.note_samples, momentum=a.momentum,
                                  init='random' if random_init else None, random_state=i)
    impls = {'timbre_nb (torchaudio)': ours, 'librosa': theirs}
    runs = {(init, name): (lambda fn=fn, r=init == 'random': [fn(m, i, r) for i, m in enumerate(mags)])
            for init in ('random', 'zero') for name, fn in impls.items()}

    print(f"Griffin-Lim bench: {a.notes} harmonic notes (MIDI {pitches.min()}-{pitches.max()}), "
          f"{cfg.note_seconds:g} s @ "
          f"{cfg.sr} Hz, n_fft {cfg.n_fft}, hop {cfg.hop}, n_iter {a.n_iter}, momentum {a.momentum}; {cores} cores; "
          f"torch {torch.__version__}, librosa {librosa.__version__}; "
          f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', 'unset')}; "
          f"{a.repeats} rounds, median [min-max] over rounds")
    for threads in [int(t) for t in a.threads.split(',')]:
        torch.set_num_threads(threads)
        with threadpool_limits(limits=threads, user_api='blas'):
            ours(mags[0], 0, True); theirs(mags[0], 0, True)                # warm-up (FFT plans, imports)
            load0, names, ts, ys = os.getloadavg()[0], list(runs), {k: [] for k in runs}, {}
            for r in range(a.repeats):
                for k in names[r % len(names):] + names[:r % len(names)]:
                    t0 = time.perf_counter(); ys[k] = runs[k](); ts[k].append((time.perf_counter() - t0) / len(mags))
        print(f"\n-- torch threads {torch.get_num_threads()}; load avg {load0:.2f} -> {os.getloadavg()[0]:.2f}")
        print(f"{'init':7s} {'implementation':24s} {'s/note':>22s}   {'SC mean ± std':>15s}")
        for init, name in names:
            scs = [spectral_convergence(w, y, cfg) for w, y in zip(waves, ys[init, name])]
            print(f"{init:7s} {name:24s} {spread(ts[init, name], '.3f'):>22s}   "
                  f"{np.mean(scs):7.4f} ± {np.std(scs):.4f}")
        for init in ('random', 'zero'):
            ratios = [t / o for o, t in zip(ts[init, 'timbre_nb (torchaudio)'], ts[init, 'librosa'])]   # same round
            print(f"{init:7s} {'ratio librosa / ours':24s} {spread(ratios, '.2f'):>21s}x")


if __name__ == '__main__':
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', UserWarning)
        main()
