"The data path end to end through the command line: SoundFont render → cache, and a rerun reuses the cache."
import json
import pytest
from conftest import cli

def test_soundfont_tiny_then_cache_and_reuse(tiny_data, tmp_path):
    for split in ('train', 'valid', 'test'):
        ex = json.loads((tiny_data / f'nsynth-{split}' / 'examples.json').read_text())
        assert ex and all((tiny_data / f'nsynth-{split}' / 'audio' / f'{k}.wav').exists() for k in ex)
    r = cli('cache', '--data', tiny_data, '--cache-root', tmp_path / 'cache')
    assert 'train:' in r.stdout and 'size on disk' in r.stdout, r.stdout
    (cache,) = [p for p in (tmp_path / 'cache').iterdir()]
    assert (cache / 'manifest.json').exists() and not list((tmp_path / 'cache').glob('*.partial'))
    m = json.loads((cache / 'manifest.json').read_text())
    assert m['splits']['train'] == len(json.loads((tiny_data / 'nsynth-train' / 'examples.json').read_text()))
    stamp = (cache / 'train.npy').stat().st_mtime_ns
    r2 = cli('cache', '--data', tiny_data, '--cache-root', tmp_path / 'cache')
    assert 'reusing' in r2.stderr + r2.stdout
    assert (cache / 'train.npy').stat().st_mtime_ns == stamp          # not rebuilt
    assert [p.name for p in (tmp_path / 'cache').iterdir()] == [cache.name]

def test_missing_dataset_is_a_clear_error(tmp_path):
    r = cli('cache', '--data', tmp_path / 'nope', '--cache-root', tmp_path / 'cache', check=False)
    assert r.returncode == 2 and 'examples.json' in r.stderr and 'timbre-nb data soundfont' in r.stderr

def test_soundfont_options_and_missing_sf2(tmp_path, capsys):
    from timbre_nb.cli import main, parser
    args = parser().parse_args(['data', 'soundfont', '--sf2', 'A.sf2', 'B.sf2', '--holdout', 'instrument',
                                '--out', 'd'])
    assert (args.sf2, args.holdout, args.profile, args.force, args.fn.__name__) == (
        ['A.sf2', 'B.sf2'], 'instrument', 'quick', False, '_data_soundfont')
    assert parser().parse_args(['data', 'soundfont', '--out', 'd']).sf2 is None          # None: the default pair
    with pytest.raises(SystemExit) as e:                                                 # in-process: no torch start-up
        main(['data', 'soundfont', '--sf2', str(tmp_path / 'none.sf2'), '--profile', 'tiny',
              '--out', str(tmp_path / 'x')])
    err = capsys.readouterr().err
    assert e.value.code == 2 and f'{tmp_path / "none.sf2"}: SoundFont not found' in err, err

def test_every_command_answers_help(capsys):
    "Every row of the command table, and every sub-command of `data`, prints its own --help and exits 0 (in-process)."
    from timbre_nb.cli import parser, _commands
    argvs = [[]] + [[c.name, *sub] for c in _commands() for sub in ([[]] + [[s.name] for s in c.subcommands])]
    for argv in argvs:
        with pytest.raises(SystemExit) as e: parser().parse_args([*argv, '--help'])
        out = capsys.readouterr().out
        assert e.value.code == 0 and out.startswith(f'usage: {" ".join(["timbre-nb", *argv])} '), (argv, out[:200])
    assert len(argvs) == 12                              # timbre-nb, its 8 commands and data's 3 sources
