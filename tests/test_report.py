"""`timbre-nb run --profile tiny` as the Makefile calls it (the default data folder named by --data, from an empty
folder): data → cache → train → vocoder → analyse → explore → site; a rerun that reuses everything; the candidates page
and a Griffin-Lim rerun on the same run; the explore page's numbers and map; and a comparison."""
import base64, html, io, json, re
import numpy as np, pytest, soundfile as sf
from conftest import cli
from timbre_nb.config import SpecConfig

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

@pytest.fixture(scope='module')
def tiny_run(tmp_path_factory):
    ("One tiny pipeline run shared by this module's tests, in a new empty folder with the default relative roots: "
     "(working folder, the `run` command's arguments, its first CompletedProcess).")
    work = tmp_path_factory.mktemp('work')
    args = ['run', '--profile', 'tiny', '--data', 'data/soundfont-tiny', '--name', 'tiny']   # as `make report` does
    return work, args, cli(*args, cwd=work)

def test_default_data_is_rendered_when_named(tiny_run):
    "`--data data/soundfont-tiny` (what the Makefile passes) names the profile's own folder: rendered, not refused."
    work, _, r = tiny_run
    assert re.search(r'\[data\] done in [\d.]+ s', r.stdout), r.stdout[-2000:]
    summary = json.loads((work / 'data' / 'soundfont-tiny' / 'render_summary.json').read_text())
    assert summary['libraries'] == ['timgm6mb', 'merlin']                 # the default pair of SoundFonts
    assert any((work / 'cache').iterdir()) and any((work / 'vocoders').iterdir())

def test_run_tiny_builds_site_with_audio(tiny_run):
    work, _, r = tiny_run
    index = work / 'runs' / 'tiny' / 'site' / 'index.html'
    assert r.stdout.strip().splitlines()[-1] == str(index) and index.exists(), r.stdout[-2000:]
    run, site = index.parent.parent, index.parent
    # latents.npz with the seed's names
    lat = np.load(run / 'latents.npz')
    assert {'mu_all', 'logvar_all', 'pitch_all', 'family_all', 'keys_all'} <= set(lat.files)
    assert lat['mu_all'].shape == (len(lat['keys_all']), 32)
    # ≥ 3 embedded players whose data URIs decode to 16 kHz wavs
    html = (site / 'analysis.html').read_text()
    uris = re.findall(r'<audio[^>]*>\s*<source src="data:audio/(?:wav|mpeg);base64,([A-Za-z0-9+/=]+)"', html)
    assert len(uris) >= 3, html[:2000]
    for u in uris[:3]:
        wave, sr = sf.read(io.BytesIO(base64.b64decode(u)))
        assert sr == 16000 and len(wave) > 16000
    # PCA and UMAP figures, on the index page and in the analysis notebook
    idx = index.read_text()
    assert 'training.png' in idx                                         # training diagnostics on the index
    for fig in ('pca.png', 'umap.png', 'spectrograms.png'):                # on the site as PNG, or as a smaller JPEG
        assert (run / 'figures' / fig).exists() and (fig in idx or fig.replace('.png', '.jpg') in idx), fig
    assert html.count('<img') >= 3 and 'UMAP' in html and 'PCA' in html
    assert 'active units' in idx and 'map (μ, held-out)' in idx and 'inversion (2 vs 1)' in idx
    assert 'retrieval mAP' in html and 'raw log-mel PCA-32' in html  # the scores table beside its baselines
    assert html.count('Figure size') == 0 and html.count('IProgress') == 0 and 'TqdmWarning' not in html
    assert html.count('scores.png') + html.count('<img') >= 4
    assert (site / 'reference' / '07_training.html').exists()            # the library reference section
    ex = (site / 'explore.html').read_text()                            # listening page: players and the offline map
    assert ex.count('data:audio/mpeg;base64,') >= 3 and 'Hear it' in idx
    page = (site / 'timbre_map.html').read_text()                       # the map: one file, shown in frames
    assert 'Bokeh' in page and page.count('data:audio/mpeg;base64,') >= 2 * 6          # the tiny profile's 6 points
    assert 'src="timbre_map.html"' in ex and 'src="timbre_map.html"' in idx and 'srcdoc' not in ex
    assert not re.search(r'<script[^>]+src="https?://', ex + html + page)   # nothing fetched from a CDN

def test_run_tiny_plays_through_the_vocoder(tiny_run):
    "The vocoder stage trained the NNLS-correction vocoder and pointed the run at it; the A/B is on the pages."
    work, _, r = tiny_run
    run = work / 'runs' / 'tiny'
    assert re.search(r'\[vocoder\] done in [\d.]+ s \(made: ', r.stdout), r.stdout[-2000:]
    target = (run / json.loads((run / 'vocoder.json').read_text())['path']).resolve()
    assert (target / 'vocoder.json').exists() and target.parent == work / 'vocoders'
    a = json.loads((run / 'analysis.json').read_text())
    assert a['vocoder'] == 'NNLS-correction vocoder' and '| Griffin-Lim | NNLS-correction vocoder |' in a['ab']
    assert ('data:audio/mpeg;base64,' in a['players'] and
            'NNLS-correction vocoder' in (run / 'site' / 'index.html').read_text())

def test_explore_page(tiny_run):
    "The explore stage's notebook (pipeline.EXPLORE_PROFILES['tiny']: 2 pairs, 6 map points, 1 swap): numbers, map."
    run = tiny_run[0] / 'runs' / 'tiny'
    out = run / 'explore.ipynb'
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

def test_rerun_reuses_everything(tiny_run):
    "A rerun reuses data, cache, training, the vocoder, analysis and explore."
    work, args, _ = tiny_run
    r2 = cli(*args, cwd=work)
    assert re.search(r'\[train\] done in [\d.]+ s \(reused\)', r2.stdout) and '[analysis] done' in r2.stdout, r2.stdout
    notes = json.loads((work / 'runs' / 'tiny' / 'stages.json').read_text())['notes']
    assert ({k: notes[k] for k in ('train', 'analysis', 'explore')} ==
            dict.fromkeys(('train', 'analysis', 'explore'), 'reused'))
    assert notes['vocoder'].startswith('reused: ')                         # the vocoder trained once, then reused

def test_place_your_notes(tiny_run):
    "`timbre-nb data folder` then `timbre-nb place`, as the README writes them: the page 'Your notes' joins the site."
    work, _, _ = tiny_run
    (work / 'my notes' / 'pads').mkdir(parents=True)
    t = np.arange(32000) / 16000
    for name, f0 in (('C4.wav', 261.63), ('warm.flac', 196.0)):                 # named C4; estimated G3
        sf.write(work / 'my notes' / 'pads' / name, 0.5 * np.sin(2 * np.pi * f0 * t) * np.exp(-t), 16000)
    r = cli('data', 'folder', '--in', 'my notes', '--out', 'data/my-notes', '--splits', 'all', cwd=work)
    assert '2 notes written' in r.stdout and 'estimated by CREPE: 1' in r.stdout, r.stdout
    r = cli('place', '--run', 'runs/tiny', '--data', 'data/my-notes', cwd=work)
    run = work / 'runs' / 'tiny'
    assert r.stdout.strip().splitlines()[-1] == str(run / 'site' / 'index.html'), r.stdout[-2000:]
    rec = json.loads((run / 'place.json').read_text())
    assert rec['n_notes'] == 2 and {row['source'] for row in rec['rows']} == {'pads/C4.wav', 'pads/warm.flac'}
    assert all(row['nearest'] and row['by_library'] for row in rec['rows'])
    page = (run / 'site' / 'place.html').read_text()
    assert 'Your notes' in page and 'pads/warm.flac' in page and 'GM ' in page
    assert page.count('data:audio/mpeg;base64,') >= 2 * (rec['map']['n_points'] + 2)   # every point: recording, model
    assert 'place.html' in (run / 'site' / 'index.html').read_text()

@pytest.mark.slow   # four minutes: vocoders trained and scored, then the analysis re-played (CI runs it)
def test_vocoders_page_then_griffin_lim(tiny_run):
    "The candidates page joins the run's site; choosing Griffin-Lim afterwards re-plays the analysis (after the rerun)."
    work, args, _ = tiny_run
    run = work / 'runs' / 'tiny'
    cli('vocoders', *args[1:], cwd=work)                                          # the candidates page
    page = (run / 'site' / 'vocoders.html').read_text()
    assert 'griffin-lim' in page and 'nnls-correction' in page and 'ceiling' in page and 'data:audio/' in page
    assert 'vocoders.html' in (run / 'site' / 'index.html').read_text()
    rec = json.loads((run / 'vocoders.json').read_text())                          # the page's record ...
    assert {r['candidate'] for r in rec['table']} >= {'griffin-lim', 'nnls-correction'} and 'verdict' in rec
    assert 'path' in json.loads((run / 'vocoder.json').read_text())              # ... beside the run's pointer
    r = cli(*args, '--vocoder', 'griffin-lim', cwd=work)                           # choosing Griffin-Lim re-plays
    assert json.loads((run / 'vocoder.json').read_text()) == {'path': 'griffin-lim'}
    assert json.loads((run / 'analysis.json').read_text())['vocoder'] == 'Griffin-Lim'
    assert ('[analysis] done' in r.stdout and
            json.loads((run / 'stages.json').read_text())['notes']['analysis'] == 'made')

@pytest.mark.slow   # two minutes: four trainings and the comparison's page (CI runs it)
def test_compare_tiny_adds_a_page(tiny_data, tmp_path):
    "Two objectives with two seeds on tiny data: trained, scored beside the baselines, chosen on the mean, on the site."
    args = ['compare', '--profile', 'tiny', '--data', tiny_data, '--name', 'tiny', '--runs-root', tmp_path / 'runs',
            '--cache-root', tmp_path / 'cache', '--objectives', 'seed', 'timbre-inv100', '--epochs', '2',
            '--seeds', '2']
    r = cli(*args, cwd=tmp_path)
    run = tmp_path / 'runs' / 'tiny'
    c = json.loads((run / 'compare.json').read_text())
    assert ({'seed', 'timbre-inv100'} <= set(c['scores']) and
            [len(c['scores'][v]) for v in ('seed', 'timbre-inv100')] == [2, 2])
    assert {'raw log-mel PCA-32', 'chance (random features)'} <= set(c['baselines'])
    assert c['chosen'] in ('seed', 'timbre-inv100') and f"Chosen objective `{c['chosen']}`" in c['verdict']
    assert '± ' in c['table'] and 'goal counts as met only when the mean over seeds meets it' in c['verdict']
    page = (run / 'site' / 'compare.html').read_text()
    assert '| seed |' in c['table'] and 'retrieval mAP' in page and page.count('data:audio/') >= 3
    assert 'The comparison' in (run / 'site' / 'index.html').read_text()
    for v in ('seed', 'timbre-inv100'):
        for k in (0, 1):
            assert re.search(rf'\[compare {v} seed {k}\] done in [\d.]+ s \(trained\)', r.stdout), r.stdout[-3000:]
    r2 = cli(*args, cwd=tmp_path)                                          # a rerun reuses every run and the page
    assert ('[compare] done' in r2.stdout and
            json.loads((run / 'stages.json').read_text())['notes']['compare'] == 'reused')
