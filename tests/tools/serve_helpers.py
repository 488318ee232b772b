"""The app of tools/serve.py on a free local port, with the tiny model, for API and browser
tests; and a small HTTP client."""
from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.apis.tiny_model import write_checkpoint, write_tiny_config


def tiny_app(folder: Path, **kwargs):
    """``create_app`` with the tiny 4-class LSTM (windows of 8, stride 4) in ``folder``;
    ``kwargs`` go to ``create_app`` (``limits``, ``samples``, ``max_pending``...)."""
    from pyskl_lite.apis.inference import init_recognizer
    from pyskl_lite.webapp.analysis import VideoAnalyser
    from pyskl_lite.webapp.app import create_app

    config = write_tiny_config(folder)
    model = init_recognizer(config, write_checkpoint(config, folder / 'tiny.pth', seed=1))
    analyser = VideoAnalyser(model, window=8, stride=4)
    return create_app(analyser, folder / 'jobs', 'tiny_lstm.py', **kwargs)


@contextmanager
def live_server(app) -> Iterator[str]:
    """Serve ``app`` with uvicorn on 127.0.0.1 in a thread; yields the base URL."""
    import uvicorn

    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level='warning'))
    thread = threading.Thread(target=server.run, kwargs=dict(sockets=[sock]), daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), 'the server did not start'
        time.sleep(0.02)
    try:
        yield f'http://127.0.0.1:{sock.getsockname()[1]}'
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()


def call(url: str, method: str = 'GET', data: bytes | None = None,
         headers: dict | None = None) -> tuple[int, bytes, dict]:
    """``(status, body, headers)`` of one request; errors are answers too."""
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as err:
        return err.code, err.read(), dict(err.headers)


def upload(base: str, data: bytes, filename: str = 'clip.mp4') -> tuple[int, dict]:
    status, body, _ = call(f'{base}/api/jobs?filename={filename}', 'POST', data,
                           {'Content-Type': 'application/octet-stream'})
    return status, json.loads(body)


def wait_for_job(base: str, job_id: str, seconds: float = 180) -> dict:
    """Poll the job until it is done or failed."""
    deadline = time.monotonic() + seconds
    while True:
        status, body, _ = call(f'{base}/api/jobs/{job_id}')
        job = json.loads(body)
        assert status == 200, job
        if job['status'] in ('done', 'failed'):
            return job
        assert time.monotonic() < deadline, f'job still {job["status"]}'
        time.sleep(0.1)
