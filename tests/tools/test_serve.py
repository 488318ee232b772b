import http.client
import json
import os
import pickle
import signal
import socket
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit

import cv2
import numpy as np
import pytest

from pyskl_lite.apis.inference import window_starts
from pyskl_lite.datasets import PoseDataset
from pyskl_lite.visualization.video_io import VideoReader
from tests.apis.tiny_model import write_checkpoint, write_tiny_config
from tests.tools.load_tool import ROOT
from tests.tools.serve_helpers import call, live_server, tiny_app, upload, wait_for_job
from tests.visualization.stick_video import write_mannequin_video

pytest.importorskip('fastapi')
MIB = 2 ** 20


@pytest.fixture(scope='module')
def server(tmp_path_factory):
    """The app with 1 MiB / 5 s limits and one sample video."""
    from pyskl_lite.webapp.analysis import Limits

    folder = tmp_path_factory.mktemp('serve')
    sample = folder / 'waving.mp4'
    write_mannequin_video(sample, num_frames=16)
    app = tiny_app(folder, limits=Limits(max_bytes=MIB, max_seconds=5),
                   samples={'waving.mp4': sample})
    with live_server(app) as base:
        yield base, app, folder


@pytest.fixture(scope='module')
def mannequin(tmp_path_factory):
    path = tmp_path_factory.mktemp('videos') / 'person.mp4'
    write_mannequin_video(path, num_frames=20)
    return path.read_bytes()


def error_of(status_body):
    status, body = status_body[:2]
    message = json.loads(body)['error']
    assert '\n' not in message and 'Traceback' not in message
    return status, message


def test_info_and_openapi_describe_the_api_without_external_pages(server):
    base, _, _ = server
    status, body, _ = call(f'{base}/api/info')
    info = json.loads(body)
    assert status == 200 and info['classes'] == ['meta wave', 'meta clap', 'meta jump', 'meta sit']
    assert (info['window'], info['stride'], info['samples']) == (8, 4, ['waving.mp4'])
    assert info['limits']['max_mib'] == 1 and info['limits']['max_seconds'] == 5
    paths = json.loads(call(f'{base}/openapi.json')[1])['paths']
    assert {'/api/info', '/api/jobs', '/api/samples/{name}', '/api/jobs/{job_id}',
            '/api/jobs/{job_id}/{file}'} <= set(paths)
    assert 'application/octet-stream' in paths['/api/jobs']['post']['requestBody']['content']
    assert call(f'{base}/docs')[0] == 404   # Swagger UI would load its scripts from a CDN
    page = call(f'{base}/')[1].decode()
    assets = [call(f'{base}/static/{name}')[1].decode()
              for name in ('app.js', 'style.css')]
    for text in [page, *assets]:
        assert 'https://' not in text and '//cdn' not in text


@pytest.mark.parametrize('data, filename, expected', [
    (b'', 'empty.mp4', "empty.mp4: field 'video': the file is empty (0 bytes)"),
    (b'just some text\n' * 100, 'notes.txt', "notes: field 'video': not a video that can be "
                                             'decoded'),
])
def test_empty_files_and_non_videos_are_refused_with_one_line(server, data, filename, expected):
    base, _, folder = server
    status, message = error_of(call(f'{base}/api/jobs?filename={filename}', 'POST', data))
    assert status == 400 and message.startswith(expected)
    assert not list((folder / 'jobs').iterdir())   # the refused upload left nothing


def test_an_uploaded_pickle_is_never_unpickled(server, tmp_path):
    base, _, _ = server
    marker = tmp_path / 'unpickled'

    class Payload:
        def __reduce__(self):
            return os.mkdir, (str(marker),)

    status, message = error_of(call(f'{base}/api/jobs?filename=x.pkl', 'POST',
                                    pickle.dumps(Payload())))
    assert status == 400 and 'not a video' in message and not marker.exists()


def test_uploads_over_the_size_limit_are_refused_declared_or_streamed(server):
    base, _, folder = server
    # a declared size over the limit is refused before a byte of the body is read
    connection = http.client.HTTPConnection(urlsplit(base).netloc, timeout=60)
    connection.putrequest('POST', '/api/jobs?filename=big.mp4')
    connection.putheader('Content-Length', str(MIB + 1))
    connection.endheaders()
    response = connection.getresponse()
    status, message = error_of((response.status, response.read()))
    connection.close()
    assert status == 413 and message == ("big.mp4: field 'video': the file is over the 1 MiB "
                                         'limit: upload a shorter or smaller clip')
    # without a Content-Length (chunked), the server counts while the bytes arrive
    connection = http.client.HTTPConnection(urlsplit(base).netloc, timeout=60)
    chunks = [b'\0' * 65536] * 16 + [b'\0']
    connection.request('POST', '/api/jobs?filename=big.mp4', body=iter(chunks),
                       encode_chunked=True)
    response = connection.getresponse()
    assert response.status == 413 and b'over the 1 MiB limit' in response.read()
    connection.close()
    assert not list((folder / 'jobs').iterdir())


def test_videos_over_the_duration_limit_are_refused(server, tmp_path):
    base, _, _ = server
    path = tmp_path / 'long.mp4'
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*'mp4v'), 5, (64, 48))
    for _ in range(30):
        writer.write(np.zeros((48, 64, 3), np.uint8))
    writer.release()
    status, message = error_of(call(f'{base}/api/jobs?filename=long.mp4', 'POST',
                                    path.read_bytes()))
    assert status == 400 and message == ("long.mp4: field 'video': the video is 6.0 s long; the "
                                         'limit is 5 s: upload a shorter clip')


@pytest.mark.parametrize('path', ['/api/jobs/0123', '/api/jobs/..%2F..%2Fetc/skeleton.pkl',
                                  '/static/..%2F..%2Fapp.py', '/api/samples/..%2Fserve.py',
                                  '/api/jobs/x/input.mp4'])
def test_unknown_jobs_samples_and_files_are_one_line_errors(server, path):
    base, _, _ = server
    status, message = error_of(call(base + path, 'POST' if 'samples' in path else 'GET'))
    assert status in (404, 422) and message


def test_a_full_queue_answers_503(server):
    base, app, _ = server
    jobs = app.state.jobs
    held = [jobs.reserve(f'held{i}') for i in range(jobs.max_pending)]
    try:   # refused before the body is read
        status, message = error_of(call(f'{base}/api/jobs?filename=a.mp4', 'POST', b'x'))
    finally:
        for job in held:
            jobs.discard(job)
    assert status == 503 and message == ('the server is busy with 8 videos (at most 8); try '
                                         'again in a minute')


def test_a_file_name_never_becomes_a_path(server, mannequin):
    pytest.importorskip('mediapipe')
    base, _, folder = server
    status, job = upload(base, mannequin, '..%2F..%2F..%2Fescaped%20name.mp4')
    assert status == 202 and job['name'] == 'escaped_name.mp4'
    job_folder = folder / 'jobs' / job['id']
    assert sorted(p.name for p in job_folder.iterdir()) == ['input.mp4']
    assert wait_for_job(base, job['id'])['status'] == 'done'
    assert not list(folder.parent.rglob('escaped*'))


def test_a_video_without_a_person_fails_with_one_line(server, tmp_path):
    pytest.importorskip('mediapipe')
    base, _, _ = server
    path = tmp_path / 'empty_room.mp4'
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*'mp4v'), 25, (320, 240))
    for step in range(10):
        writer.write(np.full((240, 320, 3), 90 + step, np.uint8))
    writer.release()
    status, job = upload(base, path.read_bytes(), 'empty_room.mp4')
    assert status == 202
    job = wait_for_job(base, job['id'])
    assert job['status'] == 'failed' and job['links'] == {}
    assert job['message'] == ("empty_room.mp4: field 'video': no person found in any of its 10 "
                              'frames; upload a video with a person in full view')
    assert error_of(call(f'{base}/api/jobs/{job["id"]}/skeleton.pkl'))[0] == 409


def test_three_concurrent_uploads_all_finish_and_the_server_keeps_answering(server, mannequin):
    pytest.importorskip('mediapipe')
    base, _, _ = server
    answers = [None] * 3

    def send(index):
        answers[index] = upload(base, mannequin, f'person{index}.mp4')

    threads = [threading.Thread(target=send, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert [status for status, _ in answers] == [202] * 3
    ids = [job['id'] for _, job in answers]
    assert call(f'{base}/api/info')[0] == 200   # answers while the jobs run
    finished = [wait_for_job(base, i) for i in ids]
    assert [job['status'] for job in finished] == ['done'] * 3
    assert {job['name'] for job in finished} == {'person0.mp4', 'person1.mp4', 'person2.mp4'}


def test_results_of_a_sample_video(server):
    pytest.importorskip('mediapipe')
    base, _, folder = server
    status, body, _ = call(f'{base}/api/samples/waving.mp4', 'POST')
    assert status == 202
    job = wait_for_job(base, json.loads(body)['id'])
    assert job['status'] == 'done' and job['video'] == dict(frames=16, fps=25.0, width=640,
                                                            height=480, seconds=0.64)
    status, body, headers = call(base + job['links']['predictions.json'])
    predictions = json.loads(body)
    assert headers['content-disposition'] == 'attachment; filename="waving_predictions.json"'
    windows = predictions['windows']['items']
    assert [w['start'] for w in windows] == window_starts(16, 8, 4).tolist() == [0, 4, 8]
    assert [(w['end'], w['end_s']) for w in windows][-1] == (15, 0.64)
    scores = np.array([w['scores'] for w in windows])
    np.testing.assert_allclose(scores.sum(axis=1), 1, atol=1e-5)
    assert predictions['top5'] == job['top5'] and len(job['top5']) == 4
    assert predictions['frames_with_person'] >= 14 and predictions['persons'] == 1

    pickle_path = folder / 'download.pkl'
    pickle_path.write_bytes(call(base + job['links']['skeleton.pkl'])[1])
    dataset = PoseDataset(str(pickle_path), split='upload')
    sample = dataset.get_data_info(0)
    assert sample['keypoint'].shape == (1, 16, 17, 2) and sample['frame_dir'] == 'waving'
    assert sample['label'] == job['top5'][0]['index'] and sample['img_shape'] == (480, 640)

    video_path = folder / 'download.webm'
    status, body, headers = call(base + job['links']['annotated.webm'])
    assert status == 200 and headers['content-type'] == 'video/webm'
    video_path.write_bytes(body)
    reader = VideoReader(video_path)
    assert (reader.num_frames, reader.frame_shape, reader.fps) == (16, (480, 640), 25.0)
    status, body, _ = call(base + job['links']['annotated.webm'], headers={'Range': 'bytes=0-99'})
    assert status == 206 and len(body) == 100   # browsers seek with range requests


def test_help_is_fast_and_imports_nothing_heavy():
    code = ('import runpy, sys; sys.argv = ["serve.py", "--help"]\n'
            'try:\n    runpy.run_path("tools/serve.py", run_name="__main__")\n'
            'except SystemExit:\n    pass\n'
            'print(sorted(m for m in ("torch", "fastapi", "uvicorn", "mediapipe", "cv2") '
            'if m in sys.modules))')
    result = subprocess.run([sys.executable, '-c', code], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert '--checkpoint' in result.stdout and result.stdout.strip().endswith('[]')


def test_without_a_demo_checkpoint_serve_says_what_to_do(tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / 'tools' / 'serve.py')], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and result.stderr == (
        "error: work_dirs/demo/c3d_keypoint: field 'checkpoint': no best_*.pth: run make demo "
        'first, or pass --config and --checkpoint\n')


def test_serve_listens_on_localhost_and_leaves_no_files_when_stopped(tmp_path):
    pytest.importorskip('mediapipe')
    config = write_tiny_config(tmp_path)
    checkpoint = write_checkpoint(config, tmp_path / 'tiny.pth')
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    work_dir = tmp_path / 'jobs'
    server = subprocess.Popen([sys.executable, str(ROOT / 'tools' / 'serve.py'), '--config',
                               str(config), '--checkpoint', str(checkpoint), '--port', str(port),
                               '--work-dir', str(work_dir)], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while call_or_none(f'http://127.0.0.1:{port}/api/info') is None:
            assert server.poll() is None and time.monotonic() < deadline, server.stderr.read()
            time.sleep(0.2)
        assert work_dir.is_dir()
        # /proc/net/tcp: local address as hex 'IP:PORT' (127.0.0.1 = 0100007F), state 0A = LISTEN
        rows = [line.split() for line in open('/proc/net/tcp').read().splitlines()[1:]]
        listening = [row[1] for row in rows if row[3] == '0A' and row[1].endswith(f':{port:04X}')]
        assert listening == [f'0100007F:{port:04X}']
    finally:
        server.send_signal(signal.SIGTERM)
        out, _ = server.communicate(timeout=60)
    assert f'on http://127.0.0.1:{port} ' in out
    assert not work_dir.exists()


def call_or_none(url):
    try:
        return call(url)
    except OSError:
        return None
