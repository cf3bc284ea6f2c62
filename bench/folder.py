"""How well `timbre-nb data folder` reads a real-looking sample folder: SoundFont notes of known pitch, written as a
folder tree in every format the importer claims (WAV 16/24/8-bit, FLAC, OGG, MP3, AIFF; 16 to 96 kHz; mono, stereo,
6 channels; up to 0.3 s of leading silence), half of them with the pitch in the file name (in several spellings)
and half with names that say nothing, plus a few bad files. Then it imports the folder and reports:

* pitches from names: how many, and how many are exact (the goal: all);
* pitches estimated by CREPE: the share within 50 cents of the note's MIDI pitch (the goal: >= 90 % of the pitched
  notes), overall, per family, per pitch band and per format; a pitched note the importer skipped counts as a miss;
* skips by reason, and the time the import took.

    .venv/bin/python bench/folder.py [--notes 240] [--out /tmp/timbre_nb_bench/folder] [--seed 0]

The notes are drawn with a fixed seed: a library (TimGM6mb and Merlin alternately), a GM program it has, a pitch in
its family's range (`soundfont.FAMILY_PITCH_RANGE`, the range the renders use), an NSynth velocity. TimGM6mb's
instruments sit in a folder named after their family (`<family>/<library>_<preset>/`), Merlin's do not
(`<library>_<preset>/`, family 'unknown'). The folder is left at `<out>/notes` and the dataset at `<out>/dataset`
(the README's example of `timbre-nb data folder` and `timbre-nb place` uses them)."""
import argparse, json, os, platform, shutil, time
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

import numpy as np
import soundfile as sf
import torch, torchaudio

from timbre_nb.config import SpecConfig, VELOCITIES
from timbre_nb.folder import import_folder, folder_report
from timbre_nb.soundfont import FAMILY_PITCH_RANGE, GM_PROGRAMS, gm_family, load_libraries, render_note, sanitise

# (extension, soundfile format, subtype, sample rate, channels): one per note, in turn
FORMATS = (('wav', 'WAV', 'PCM_16', 16000, 1), ('wav', 'WAV', 'PCM_24', 44100, 2),
           ('flac', 'FLAC', 'PCM_16', 48000, 1), ('ogg', 'OGG', 'VORBIS', 22050, 1),
           ('mp3', 'MP3', 'MPEG_LAYER_III', 44100, 2), ('aiff', 'AIFF', 'PCM_16', 32000, 1),
           ('wav', 'WAV', 'PCM_U8', 16000, 1), ('wav', 'WAV', 'PCM_24', 96000, 6))
SHARPS = 'C C# D D# E F F# G G# A A# B'.split()
FLATS = 'C Db D Eb E F Gb G Ab A Bb B'.split()


def note_name(midi: int, style: int, preset: str, velocity: int) -> str:
    "A file name that says the pitch, in one of six spellings (MIDI 60 = C4)."
    octave, pc = midi // 12 - 1, midi % 12
    return [f'{SHARPS[pc]}{octave}', f'{FLATS[pc]}{octave}', f'{SHARPS[pc].lower()}{octave}', f'{midi}',
            f'{SHARPS[pc]}{octave}_{velocity}', f'{preset}_{FLATS[pc]}{octave}_ff'][style]


def plan(n: int, seed: int, libs) -> list[dict]:
    rng, out = np.random.default_rng(seed), []
    for k in range(n):
        lib = libs[k % len(libs)]
        program = int(rng.choice([p for p in GM_PROGRAMS if p in lib.presets]))
        lo, hi = FAMILY_PITCH_RANGE[gm_family(program)]
        out.append(dict(library=lib.name, program=program, family=gm_family(program),
                        preset=sanitise(lib.presets[program]), pitch=int(rng.integers(lo, hi + 1)),
                        velocity=int(rng.choice(VELOCITIES)),
                        lead=float(rng.uniform(0, 0.3)), named=k % 4 < 2, style=int(rng.integers(6)),
                        format=FORMATS[k % len(FORMATS)]))
    return out


def write_folder(notes: list, libs, root: Path, cfg=SpecConfig()) -> dict:
    "Render every note and write it; returns {relative path: note} for the notes written (silent renders are not)."
    by_name, truth, silent = {lib.name: lib for lib in libs}, {}, 0
    for k, n in enumerate(notes):
        wave = render_note(by_name[n['library']].sf2_bytes, n['program'], n['pitch'], n['velocity'], cfg)
        if np.abs(wave).max() < 1e-3: silent += 1; continue
        ext, fmt, subtype, sr, channels = n['format']
        x = np.concatenate([np.zeros(int(n['lead'] * cfg.sr), np.float32), wave])
        x = x / np.abs(x).max() * 0.8
        if sr != cfg.sr: x = torchaudio.functional.resample(torch.from_numpy(x)[None], cfg.sr, sr)[0].numpy()
        folder = (Path(n['family']) if n['library'] == libs[0].name else Path('.')) / f"{n['library']}_{n['preset']}"
        stem = (note_name(n['pitch'], n['style'], n['preset'], n['velocity']) if n['named'] else   # 'take abc'
                'take ' + ''.join(chr(97 + k // 26 ** i % 26) for i in range(3)))
        rel = folder / f'{stem}.{ext}'
        if rel.as_posix() in truth: continue                          # the same note drawn twice: one file
        (root / folder).mkdir(parents=True, exist_ok=True)
        sf.write(root / rel, np.repeat(x[:, None], channels, 1) if channels > 1 else x, sr, format=fmt,
                 subtype=subtype)
        truth[rel.as_posix()] = n
    print(f'wrote {len(truth)} notes ({silent} silent renders not written)')
    return truth


def write_bad_files(root: Path, cfg=SpecConfig()):
    "The bad files the issue names: truncated, silent, not audio (8-bit and 96 kHz 6-channel notes are among the good)."
    bad = root / 'bad'; bad.mkdir()
    t = np.arange(cfg.sr) / cfg.sr
    sf.write(bad / 'full.wav', np.sin(2 * np.pi * 440 * t) * 0.5, cfg.sr)
    data = (bad / 'full.wav').read_bytes(); (bad / 'truncated.wav').write_bytes(data[:len(data) // 4])
    sf.write(bad / 'full.flac', np.sin(2 * np.pi * 440 * t) * 0.5, cfg.sr)
    data = (bad / 'full.flac').read_bytes(); (bad / 'truncated.flac').write_bytes(data[:len(data) // 4])
    (bad / 'full.wav').unlink(); (bad / 'full.flac').unlink()
    sf.write(bad / 'silent.wav', np.zeros(cfg.sr), cfg.sr)
    (bad / 'readme.txt').write_text('not audio'); (bad / 'photo.wav').write_bytes(os.urandom(2000))
    return 5


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--notes', type=int, default=240); ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--out', default='/tmp/timbre_nb_bench/folder')
    a = ap.parse_args()
    torch.set_num_threads(1)
    print(f'== bench/folder.py: importing a folder of {a.notes} SoundFont notes of known pitch — '
          f'{datetime.now():%Y-%m-%d %H:%M}; cpu_count={os.cpu_count()}, load avg '
          + ' '.join(f'{x:.2f}' for x in os.getloadavg())
          + f'; torch {torch.__version__}, python {platform.python_version()}')
    out = Path(a.out); shutil.rmtree(out, ignore_errors=True); (out / 'notes').mkdir(parents=True)
    libs = load_libraries()
    truth = write_folder(plan(a.notes, a.seed, libs), libs, out / 'notes')
    n_bad = write_bad_files(out / 'notes')
    t0 = time.time()
    summary = import_folder(out / 'notes', out / 'dataset', progress=False)
    seconds = time.time() - t0
    print(folder_report(summary))
    records = {}
    for split in summary['notes']:
        for r in json.loads((out / 'dataset' / f'nsynth-{split}' / 'examples.json').read_text()).values():
            records[r['source_file']] = r
    named = {k: n for k, n in truth.items() if n['named']}
    exact = sum(records.get(k, {}).get('pitch') == n['pitch'] for k, n in named.items())
    print(f'\npitches from names: {len(named)} notes named, {sum(k in records for k in named)} imported, '
          f'{exact} exact ({100 * exact / len(named):.1f} %)')
    def within(keys, field='crepe_midi'):   # share of notes whose CREPE pitch is within 50 cents (a skip is a miss)
        ok = [k in records and records[k][field] is not None and abs(records[k][field] - truth[k]['pitch']) <= 0.5
              for k in keys]
        return sum(ok), len(ok)
    unnamed = [k for k, n in truth.items() if not n['named']]
    hit, n = within(unnamed)
    kept = sum(k in records for k in unnamed)
    print(f'pitches estimated (names say nothing): {hit}/{n} within 50 cents = {100 * hit / n:.1f} % '
          f'(goal >= 90 %); imported {kept}, skipped {n - kept}')
    hit_all, n_all = within(list(truth))
    print(f"CREPE's estimate on every note (named ones too, read from crepe_midi): {hit_all}/{n_all} = "
          f'{100 * hit_all / n_all:.1f} %')
    def table(key):
        groups = defaultdict(list)
        for k, note in truth.items(): groups[key(note)].append(k)
        return {g: within(ks) for g, ks in sorted(groups.items())}
    for title, key in (('family', lambda n: n['family']),
                       ('pitch band', lambda n: 'MIDI <24 (below CREPE)' if n['pitch'] < 24 else
                        'MIDI >95 (above CREPE)' if n['pitch'] > 95 else 'MIDI 24-95'),
                       ('format', lambda n: '/'.join(map(str, n['format'][1:])))):
        print(f'  CREPE within 50 cents, every note, by {title}: ' +
              ', '.join(f'{g} {h}/{m}' for g, (h, m) in table(key).items()))
    misses = [(k, truth[k]['pitch'], records.get(k, {}).get('crepe_midi')) for k in truth if not within([k])[0]]
    print('  misses (file, true MIDI, CREPE):', '; '.join(f'{k} {p} {c}' for k, p, c in misses[:40]))
    result = dict(notes=len(truth), bad_files=n_bad, seconds=round(seconds, 1), named=len(named), named_exact=exact,
                  estimated_within_50c=[hit, n], crepe_all_within_50c=[hit_all, n_all], skipped=summary['skipped'])
    (out / 'result.json').write_text(json.dumps(result, indent=1))
    print(f'\nimport of {len(truth) + n_bad} files: {seconds:.1f} s ({seconds / (len(truth) + n_bad):.2f} s per file)')


if __name__ == '__main__':
    main()
