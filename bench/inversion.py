"""Benchmark: timbre_nb.inversion.griffin_lim (torchaudio) vs librosa.griffinlim.

Same magnitude spectrograms (8 synthetic harmonic notes, 4 s at 16 kHz, n_fft 1024, hop 256, Hann window, centred
frames with reflect padding — the STFT the magnitudes came from, so librosa is given pad_mode='reflect' too), equal
iterations and equal momentum. Two initialisations: random phase (seeded; torchaudio draws real and imaginary parts
uniform in [0, 1), librosa draws a uniform phase — the only algorithmic difference) and zero phase (identical
algorithms, so nearly equal spectral convergence is expected). Reports time per note for each, the time ratio
(librosa / ours) and the mean spectral convergence of each, all measured in this one run. No thresholds.
Run: .venv/bin/python bench/inversion.py [--n_iter 64] [--momentum 0.99] [--notes 8] [--repeats 1] [--threads 0]
"""
import argparse, os, time, warnings
import numpy as np, torch, librosa
from timbre_nb.config import SpecConfig
from timbre_nb.inversion import griffin_lim, harmonic_note, stft_magnitude, spectral_convergence

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--n_iter', type=int, default=64)
    p.add_argument('--momentum', type=float, default=0.99)
    p.add_argument('--notes', type=int, default=8)
    p.add_argument('--repeats', type=int, default=1, help='timed passes over the notes (the fastest is reported)')
    p.add_argument('--threads', type=int, default=0, help="torch threads; 0 = the machine's cores")
    a = p.parse_args()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()
    torch.set_num_threads(a.threads or cores)
    cfg = SpecConfig()
    pitches = np.linspace(36, 84, a.notes).round().astype(int)
    waves = [harmonic_note(int(pt), cfg, seed=i) for i, pt in enumerate(pitches)]
    mags = [stft_magnitude(w, cfg.n_fft, cfg.hop) for w in waves]           # (513, 251) each

    def ours(m, i, random_init):
        return griffin_lim(m, cfg, n_iter=a.n_iter, momentum=a.momentum, seed=i if random_init else None).numpy()
    def theirs(m, i, random_init):
        return librosa.griffinlim(m.numpy(), n_iter=a.n_iter, hop_length=cfg.hop, win_length=cfg.n_fft,
                                  n_fft=cfg.n_fft, window='hann', center=True, pad_mode='reflect',
                                  length=cfg.note_samples, momentum=a.momentum,
                                  init='random' if random_init else None, random_state=i)

    ours(mags[0], 0, True); theirs(mags[0], 0, True)                        # warm-up (FFT plans, imports)
    rows = []
    for random_init in (True, False):
        times = {}
        for name, fn in (('timbre_nb (torchaudio)', ours), ('librosa', theirs)):
            best, ys = float('inf'), None
            for _ in range(a.repeats):
                t0 = time.perf_counter(); ys = [fn(m, i, random_init) for i, m in enumerate(mags)]
                best = min(best, time.perf_counter() - t0)
            scs = [spectral_convergence(w, y, cfg) for w, y in zip(waves, ys)]
            times[name] = best / len(mags)
            rows.append(('random' if random_init else 'zero', name, times[name], np.mean(scs), np.std(scs)))
        rows.append(('random' if random_init else 'zero', 'ratio librosa / ours', times['librosa'] /
                     times['timbre_nb (torchaudio)'], None, None))

    print(f"Griffin-Lim bench: {a.notes} harmonic notes (MIDI {pitches.min()}-{pitches.max()}), 4 s @ {cfg.sr} Hz, "
          f"n_fft {cfg.n_fft}, hop {cfg.hop}, n_iter {a.n_iter}, momentum {a.momentum}; torch threads "
          f"{torch.get_num_threads()} ({cores} cores); torch {torch.__version__}, librosa {librosa.__version__}")
    print(f"{'init':7s} {'implementation':24s} {'s/note':>8s}   {'SC mean ± std':>15s}")
    for init, name, t, m, s in rows:
        if m is None: print(f"{init:7s} {name:24s} {t:8.2f}x")
        else: print(f"{init:7s} {name:24s} {t:8.3f}   {m:7.4f} ± {s:.4f}")

if __name__ == '__main__':
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', UserWarning)
        main()
