"""`timbre-nb data folder` from a shell: a folder of notes in, a dataset out, bad files counted; and `timbre-nb run`
stopping at the data stage when valid/test instruments are also in train."""
import json
import numpy as np, pytest
import soundfile as sf
from conftest import cli


def tone(midi, sr=16000, seconds=2.0):
    t = np.arange(int(seconds * sr)) / sr
    x = sum(np.sin(2 * np.pi * k * 440 * 2 ** ((midi - 69) / 12) * t) / k for k in range(1, 6))
    return (0.4 * x / np.abs(x).max() * np.exp(-t)).astype(np.float32)


def test_data_folder_command(tmp_path, capsys):
    src = tmp_path / 'notes'
    for name in ('flutes/alto', 'my synth'): (src / name).mkdir(parents=True)
    sf.write(src / 'flutes/alto/Flute_C5_ff.wav', tone(72, 44100), 44100, subtype='PCM_24')
    sf.write(src / 'my synth/lead.flac', tone(57), 16000)                           # estimated: A3
    sf.write(src / 'my synth/cut.wav', np.zeros(8000), 16000)                       # silent
    (src / 'my synth/patch.txt').write_text('cutoff 40')                            # not audio
    out = tmp_path / 'ds'
    r = cli('data', 'folder', '--in', src, '--out', out, '--splits', 'all')
    assert '4 files read, 2 notes written' in r.stdout, r.stdout
    assert 'pitch from the file name: 1, estimated by CREPE: 1' in r.stdout, r.stdout
    assert 'silent (peak below -80 dBFS) (e.g. my synth/cut.wav)' in r.stdout, r.stdout
    assert 'not audio (soundfile cannot read it) (e.g. my synth/patch.txt)' in r.stdout, r.stdout
    recs = {r['source_file']: r for r in json.loads((out / 'nsynth-all' / 'examples.json').read_text()).values()}
    assert (recs['flutes/alto/Flute_C5_ff.wav']['pitch'], recs['flutes/alto/Flute_C5_ff.wav']['velocity']) == (72, 127)
    lead = recs['my synth/lead.flac']
    assert (lead['pitch'], lead['pitch_from'], lead['instrument_family_str']) == (57, 'estimate', 'unknown')
    assert lead['pitch_confidence'] > 0.5
    from timbre_nb.cli import main                                                 # in-process: no torch start-up
    main(['data', 'folder', '--in', str(src), '--out', str(out), '--splits', 'all'])
    assert '(reused)' in capsys.readouterr().out
    for argv, message in ((['--in', str(src), '--out', str(out)], 'holds a folder import made with other arguments'),
                          (['--in', str(tmp_path / 'nope'), '--out', str(tmp_path / 'x')], 'nope: no such folder')):
        with pytest.raises(SystemExit) as e: main(['data', 'folder', *argv])
        err = capsys.readouterr().err
        assert e.value.code == 2 and message in err, err


def test_run_stops_at_data_stage_when_splits_share_instruments(tmp_path):
    from timbre_nb.data import make_record, write_examples
    violin = make_record('string', 'acoustic', 0, 60, 100, instrument=40, instrument_str='violin', note=0)
    for split in ('train', 'valid', 'test'): write_examples(tmp_path / 'ds' / f'nsynth-{split}', [violin])
    r = cli('run', '--profile', 'tiny', '--data', tmp_path / 'ds', '--runs-root', tmp_path / 'runs',
            '--cache-root', tmp_path / 'cache', check=False)
    assert r.returncode == 2 and 'valid: 1 (violin); test: 1 (violin)' in r.stderr, r.stderr
    assert '[train]' not in r.stdout and not (tmp_path / 'cache').exists()         # nothing after the data stage
