"""The page of tools/serve.py in a real headless browser: Debian's chromium driven by
Playwright (its pip package drives the system browser; nothing is downloaded)."""
import json
import os
import shutil
from urllib.parse import urlsplit

import pytest

from pyskl_lite.datasets import PoseDataset
from tests.tools.serve_helpers import call, live_server, tiny_app
from tests.visualization.stick_video import write_mannequin_video

CHROMIUM = shutil.which('chromium') or shutil.which('chromium-browser')
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking']
FRAMES, FPS, SHAPE = 40, 25.0, (480, 640)


@pytest.fixture(scope='module')
def browser():
    pytest.importorskip('fastapi')
    pytest.importorskip('mediapipe')
    sync_api = pytest.importorskip('playwright.sync_api')
    if CHROMIUM is None:
        if os.environ.get('CI'):
            pytest.fail('chromium is missing under CI: .ci/run installs it (make browser)')
        pytest.skip("needs Debian's chromium: make browser (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_upload_progress_video_chart_top5_and_downloads(browser, tmp_path):
    video = tmp_path / 'waving person.mp4'
    write_mannequin_video(video, num_frames=FRAMES, shape=SHAPE, fps=FPS)
    (tmp_path / 'notes.txt').write_text('not a video\n')
    with live_server(tiny_app(tmp_path)) as base:
        context = browser.new_context(accept_downloads=True)
        page = context.new_page()
        requested = []
        page.on('request', lambda request: requested.append(request.url))
        page.goto(base)
        page.wait_for_function("document.getElementById('model').textContent"
                               ".includes('tiny_lstm.py')")

        page.set_input_files('#file', str(tmp_path / 'notes.txt'))
        page.click('#upload-button')
        page.wait_for_selector('#error', state='visible')
        assert page.inner_text('#error') == ("notes: field 'video': not a video that can be "
                                             'decoded; upload an MP4, WebM, AVI, MOV or MKV file')

        page.set_input_files('#file', str(video))
        page.click('#upload-button')
        page.wait_for_selector('#progress-section', state='visible')
        page.wait_for_selector('#results', state='visible', timeout=180_000)
        assert page.is_hidden('#error') and page.inner_text('#status') == 'done'
        job_id = page.get_attribute('#results', 'data-job')
        job = json.loads(call(f'{base}/api/jobs/{job_id}')[1])

        # the annotated video plays in the page: its duration and frame size
        page.wait_for_function("document.getElementById('video').readyState >= 2",
                               timeout=30_000)
        duration, width, height = page.evaluate(
            "(() => { const v = document.getElementById('video');"
            " return [v.duration, v.videoWidth, v.videoHeight]; })()")
        assert abs(duration - FRAMES / FPS) < 0.1 and (height, width) == SHAPE
        page.evaluate("document.getElementById('video').play()")
        page.wait_for_function("document.getElementById('video').currentTime > 0.3",
                               timeout=30_000)
        assert float(page.get_attribute('#cursor', 'x1')) > 48   # the chart follows the video

        # the chart: one line per class of the top-5 (the tiny model has 4), a point a window
        lines = page.locator('#chart polyline.series')
        assert lines.count() == 4
        assert [lines.nth(i).get_attribute('data-class') for i in range(4)] == \
            [item['name'] for item in job['top5']]
        assert len(lines.first.get_attribute('points').split()) == len(range(0, FRAMES - 8, 4)) + 1
        assert page.locator('#legend > span').count() == 4
        top5 = page.locator('#top5 li').all_inner_texts()
        assert top5 == [f"{item['name']} {100 * item['score']:.1f}%" for item in job['top5']]

        with page.expect_download() as download:
            page.click('#download-skeleton')
        assert download.value.suggested_filename == 'waving_person_skeleton.pkl'
        saved = tmp_path / 'downloaded.pkl'
        download.value.save_as(saved)
        sample = PoseDataset(str(saved), split='upload').get_data_info(0)
        assert sample['keypoint'].shape == (1, FRAMES, 17, 2)
        assert sample['label'] == job['top5'][0]['index']
        with page.expect_download() as download:
            page.click('#download-predictions')
        assert json.loads(open(download.value.path()).read())['top5'] == job['top5']

        origin = urlsplit(base).netloc
        assert {urlsplit(url).netloc for url in requested} == {origin}   # nothing external
        context.close()
