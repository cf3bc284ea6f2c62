"End-to-end checks of the data path through the public API: SoundFont render -> NSynth layout -> reader; unpacking."
import tarfile

import numpy as np
import pytest
import soundfile as sf

from timbre_nb.config import SpecConfig, SPLITS
from timbre_nb.data import (BadAudio, Skips, filter_notes, make_record, read_examples, read_wave, unpack_nsynth,
                            wav_path, write_examples)
from timbre_nb.soundfont import render_dataset


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
    assert (out / '.complete').is_file() and not out.with_name('tiny.partial').exists()


def test_rerun_reuses(tiny):
    out, summary = tiny
    before = {p: p.stat().st_mtime_ns for p in out.rglob('*') if p.is_file()}
    again = render_dataset(out, profile='tiny', progress=False)
    assert again['reused']
    assert again['notes'] == summary['notes']
    assert {p: p.stat().st_mtime_ns for p in out.rglob('*') if p.is_file()} == before  # nothing rewritten, not even examples.json


def test_filters_on_render(tiny):
    out, _ = tiny
    recs = read_examples(out, 'train')
    bass = filter_notes(recs, families='bass', pitch_range=(50, 70))
    assert bass and all(r['instrument_family_str'] == 'bass' and 50 <= r['pitch'] <= 70 for r in bass)
    one = filter_notes(recs, max_per_instrument=1, seed=0)
    assert len(one) == len({r['instrument'] for r in recs})


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
