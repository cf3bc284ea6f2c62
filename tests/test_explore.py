("The explore experiment notebook on a tiny trained run: it completes, saves its numbers, and embeds a playable map "
 "with no CDN.")
import base64, html, io, json, re
from pathlib import Path
import papermill as pm, soundfile as sf
from conftest import cli
from timbre_nb.config import SpecConfig

REPO = Path(__file__).resolve().parent.parent
URI = re.compile(r'data:audio/mpeg;base64,([A-Za-z0-9+/=]+)')
PLAYER = re.compile(r'<audio[^>]*>\s*<source src="data:audio/mpeg;base64,')   # the analysis page's player markup
REMOTE = re.compile(r'<script[^>]*\ssrc=["\']?(?:https?:)?//|<link[^>]*\shref=["\']?(?:https?:)?//'
                    r'|@import\s+url\(["\']?(?:https?:)?//', re.I)

def outputs_html(nb: dict) -> str:
    "Every text/html and text/markdown output of a notebook, joined (srcdoc frames unescaped)."
    j = lambda v: ''.join(v) if isinstance(v, list) else v
    parts = [j(o['data'][m]) for c in nb['cells'] if c['cell_type'] == 'code' for o in c.get('outputs', [])
             for m in ('text/html', 'text/markdown') if m in o.get('data', {})]
    return html.unescape('\n'.join(parts))

def test_explore_notebook_on_tiny_run(tiny_data, tmp_path, monkeypatch):
    monkeypatch.setenv('OMP_NUM_THREADS', '1')       # the kernel inherits it: small matmuls, a shared 2-core machine
    cli('train', '--profile', 'tiny', '--objective', 'weighted', '--data', tiny_data, '--name', 'tiny', '--epochs', '1',
        '--runs-root', tmp_path / 'runs', '--cache-root', tmp_path / 'cache', '--no-progress', cwd=tmp_path)
    run, out = tmp_path / 'runs' / 'tiny', tmp_path / 'runs' / 'tiny' / 'explore.ipynb'
    pm.execute_notebook(str(REPO / 'nbs' / 'experiments' / 'explore.ipynb'), str(out), kernel_name='python3',
                        progress_bar=False, cwd=str(tmp_path),
                        parameters=dict(run_dir=str(run), n_pairs=2, gl_iters=8, map_audio=6, map_gl_iters=4,
                                        n_swaps=1))
    # the numbers
    r = json.loads((run / 'explore.json').read_text())
    assert r['n_pairs'] == 2 and len(r['interpolation']) == 2 and 0 <= r['monotone_fraction'] <= 1
    for p in r['interpolation']:
        assert (len(p['d_a']) == len(p['d_b']) == 7 and p['d_a'][0] == 0 == p['d_b'][-1]
                and isinstance(p['monotone'], bool))
        assert p['families'][0] != p['families'][1]
    t = r['transposition']
    assert isinstance(r['across_pitch_mean_l1_db'], float) and r['across_pitch_mean_l1_db'] == t['mean_l1_db'] > 0
    assert len(t['l1_db']) == len(t['pitches']) >= 2 and t['held_mean_l1_db'] > 0 and t['copy_mean_l1_db'] > 0
    assert r['transfer']['n_notes'] >= 8 and len(r['transfer']['swaps']) == 1
    assert r['map']['n_audio'] == 6 and r['map']['bytes'] == (run / 'timbre_map.html').stat().st_size
    assert ({f'interpolation_{k}.png' for k in range(2)} | {'transposition.png'}
            <= {f.name for f in (run / 'figures').iterdir()})
    # the executed notebook: every code cell ran, the Bokeh map is embedded with its tap callback, audio is inline
    nb = json.loads(out.read_text())
    assert all(c.get('execution_count') for c in nb['cells'] if c['cell_type'] == 'code')
    text = outputs_html(nb)
    assert 'data-root-id' in text and 'Bokeh' in text and 'cb_data.source' in text and 'timbre-map-variant' in text
    uris = URI.findall(text)
    assert len(uris) >= 2 * (2 + 7) + 12, len(uris)   # 2 pairs x (2 recordings + 7 steps), the map's 6 x 2 clips, ...
    assert len(PLAYER.findall(text)) >= 2 * (2 + 7) + 3 + 2 + 4           # the players (the map's clips are played
                                                                          # by its callback)
    wave, sr = sf.read(io.BytesIO(base64.b64decode(uris[0])))
    assert sr == SpecConfig().sr and len(wave) == SpecConfig().note_samples   # a recording: 4 s at 16 kHz
    assert not REMOTE.findall(text), REMOTE.findall(text)[:3]  # no CDN: no script, stylesheet or import from a URL
    assert 'cdn.bokeh.org' not in text and not REMOTE.findall((run / 'timbre_map.html').read_text())
    assert 'interpolation paths are monotone' in text and 'MB' in text  # the summary sentence
