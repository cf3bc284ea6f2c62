"""SoundFont rendering throughput: `render_note` on one parsed SoundFont per process (a clone of it per note) vs a
fresh synthesiser that parses the whole SoundFont for every note (`render_note(..., fresh=True)`, the old path), for
the default SoundFont (TimGM6mb.sf2, 6 MB) and for a large one when one is installed.

    .venv/bin/python bench/render.py [--sf2 LARGE.sf2] [--notes 96] [--fresh-notes 24] [--fresh-notes-large 4]
                                     [--repeats 5]

The notes are drawn once with a fixed seed (GM program, a pitch in its family's range, an NSynth velocity) among the
programs both SoundFonts have, so every contender plays the same notes; the fresh path plays the first few of them
(it is slow on a large SoundFont). Everything runs in this one process. Each round times every contender once, in a
rotated order, so that a change in the machine's load hits all alike; the median and the min-max over rounds are
reported. Before each timed pass of the cached path one untimed note makes sure the SoundFont is parsed (the cache
keeps one SoundFont, and the contenders alternate between two); the one-time parse is timed on its own. The fresh
path's notes are checked to be byte-identical to the cached path's. No thresholds: compare the ratios, which come
from this one run, not the absolute rates (the machine may be shared). The large SoundFont is the largest .sf2/.sf3
under /usr/share/sounds/sf2, /usr/share/sounds/sf3 and /usr/share/soundfonts (Debian: `apt-get install
musescore-general-soundfont-lossless`), or --sf2; without one, that half is skipped with a message."""
import argparse, importlib.metadata, os, platform, statistics, time
from datetime import datetime
from pathlib import Path

import numpy as np

from timbre_nb.config import SpecConfig, VELOCITIES
from timbre_nb.render import PROFILES, plan_notes
from timbre_nb.soundfont import (FAMILY_PITCH_RANGE, GM_PROGRAMS, _parsed_sf2, default_sf2, gm_family, load_sf2,
                                 render_note)

SEARCH = ('/usr/share/sounds/sf2', '/usr/share/sounds/sf3', '/usr/share/soundfonts')


def header():
    load = ' '.join(f'{x:.2f}' for x in os.getloadavg())
    print(f'== bench/render.py: SoundFont notes/s, parsed once per process vs parsed per note — '
          f'{datetime.now():%Y-%m-%d %H:%M}')
    print(f'machine: {platform.node()} {platform.machine()} {platform.processor() or ""}; cpu_count={os.cpu_count()}, '
          f'load avg {load}')
    print(f'tinysoundfont {importlib.metadata.version("tinysoundfont")}, numpy {np.__version__}, '
          f'python {platform.python_version()}')


def find_large_sf2() -> Path | None:
    "The largest SoundFont installed in the usual system folders (symlinks resolved), or None."
    found = {p.resolve() for d in SEARCH if Path(d).is_dir() for p in Path(d).iterdir()
             if p.suffix.lower() in ('.sf2', '.sf3') and p.resolve().is_file()}
    return max(found, key=lambda p: p.stat().st_size, default=None)


def pick_notes(programs, n, seed=0):
    "`n` (program, pitch, velocity) notes: uniform program, a pitch in its family's range, an NSynth velocity."
    rng, programs = np.random.default_rng(seed), sorted(programs)
    out = []
    for _ in range(n):
        p = int(rng.choice(programs))
        lo, hi = FAMILY_PITCH_RANGE[gm_family(p)]
        out.append((p, int(rng.integers(lo, hi + 1)), int(rng.choice(VELOCITIES))))
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--sf2', default=None, help='the large SoundFont (default: the largest one installed, see above)')
    p.add_argument('--notes', type=int, default=96, help='notes per timed pass of the cached path')
    p.add_argument('--fresh-notes', type=int, default=24,
                   help='notes per timed pass of the fresh path, default SoundFont')
    p.add_argument('--fresh-notes-large', type=int, default=4,
                   help='notes per timed pass of the fresh path, large SoundFont')
    p.add_argument('--repeats', type=int, default=5, help='timed rounds (median and min-max reported)')
    a = p.parse_args()
    cfg = SpecConfig()
    header()

    fonts = {'default': default_sf2()}
    large = Path(a.sf2) if a.sf2 else find_large_sf2()
    if large is None:
        print(f'large SoundFont: none found under {", ".join(SEARCH)}; skipping it '
              '(install one with `apt-get install musescore-general-soundfont-lossless`, or pass --sf2)')
    elif large.resolve() == default_sf2().resolve():
        print(f'large SoundFont: {large} is the default one; skipping it')
    else: fonts['large'] = large

    loaded, one_time = {}, {}
    for name, path in fonts.items():
        t0 = time.perf_counter(); sf2_bytes, names = load_sf2(path); t_load = time.perf_counter() - t0
        _parsed_sf2.cache_clear()
        t0 = time.perf_counter(); _parsed_sf2(sf2_bytes); t_parse = time.perf_counter() - t0
        loaded[name], one_time[name] = (sf2_bytes, names), t_parse
        print(f'{name}: {path} ({len(sf2_bytes) / 1e6:.0f} MB, {len(names)} bank-0 presets); load_sf2 {t_load:.2f} s '
              f'(read + check + names), one parse {t_parse:.2f} s')
    programs = set(GM_PROGRAMS).intersection(*(names for _, names in loaded.values()))
    notes = pick_notes(programs, a.notes)
    n_fresh = {'default': a.fresh_notes, 'large': a.fresh_notes_large}
    print(f'{len(notes)} notes of {cfg.note_seconds} s at {cfg.sr} Hz over {len(programs)} programs (seed 0); '
          f'fresh path: the first {", ".join(f"{n_fresh[k]} ({k})" for k in loaded)}; {a.repeats} rounds')

    def cached(sf2_bytes, ns):
        render_note(sf2_bytes, *ns[0], cfg)   # untimed: parse if the cache holds the other font
        t0 = time.perf_counter(); out = [render_note(sf2_bytes, *n, cfg) for n in ns]
        return out, time.perf_counter() - t0
    def fresh(sf2_bytes, ns):
        t0 = time.perf_counter(); out = [render_note(sf2_bytes, *n, cfg, fresh=True) for n in ns]
        return out, time.perf_counter() - t0
    runs = {}
    for name, (sf2_bytes, _) in loaded.items():
        runs[f'{name}, cached'] = (lambda b=sf2_bytes: cached(b, notes), len(notes))
        runs[f'{name}, fresh'] = (lambda b=sf2_bytes, k=n_fresh[name]: fresh(b, notes[:k]), n_fresh[name])

    rates, outs, keys = {k: [] for k in runs}, {}, list(runs)
    for r in range(a.repeats):
        for k in keys[r % len(keys):] + keys[:r % len(keys)]:
            fn, n = runs[k]
            outs[k], seconds = fn()
            rates[k].append(n / seconds)
    same = {name: all(x.tobytes() == y.tobytes() for x, y in zip(outs[f'{name}, cached'], outs[f'{name}, fresh']))
            for name in loaded}

    med = {k: statistics.median(v) for k, v in rates.items()}
    print(f'{"contender":18s} {"notes/s":>9s}  {"min-max over rounds":>21s}   notes/pass')
    for k in keys:
        print(f'{k:18s} {med[k]:9.2f}  {min(rates[k]):9.2f} - {max(rates[k]):9.2f}   {runs[k][1]}')
    for name in loaded:
        print(f'{name}: cached / fresh {med[f"{name}, cached"] / med[f"{name}, fresh"]:.1f}x; '
              f'cached == fresh byte for byte on all {n_fresh[name]} notes: {"yes" if same[name] else "NO"}')
    if 'large' in loaded:
        print(f'large / default rate, cached: {med["large, cached"] / med["default, cached"]:.2f}x '
              f'(goal: within 2x, i.e. >= 0.5x); fresh, as before: {med["large, fresh"] / med["default, fresh"]:.3f}x')
    plan, _ = plan_notes({'default': loaded['default'][1]}, PROFILES['quick'])        # one library's quick profile
    for name in loaded:
        t_cached = len(plan) / med[f'{name}, cached'] + one_time[name]
        t_fresh = len(plan) / med[f'{name}, fresh']
        print(f'{name}: one library\'s quick profile, {len(plan)} notes on one process (synthesis only, no writing), '
              f'would take {t_cached:.0f} s cached (incl. one parse) vs {t_fresh:.0f} s fresh')


if __name__ == '__main__':
    main()
