"""Screenshot of the web app (tools/serve.py) after it analysed a video, for the README.

Example (the README's picture: the model of ``make demo`` on the Sports2D demo clip)::

    python tools/serve_screenshot.py ../shared/data/videos/sports2d_demo.mp4 \\
        --out docs/serve_sports2d.png

It starts ``tools/serve.py`` on a free local port with the video as the only sample, picks it
in headless Chromium (Debian's ``chromium`` driven by Playwright), waits for the results,
shows the frame at ``--seek`` seconds, and writes a full-page PNG reduced to 256 colours.
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

from pyskl_lite.utils import InputError, run_cli

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking']


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        epilog='Other arguments go to tools/serve.py (--config, --checkpoint, --max-side...).')
    parser.add_argument('video', help='the video to analyse')
    parser.add_argument('--out', default='docs/serve_sports2d.png',
                        help='PNG (default %(default)s)')
    parser.add_argument('--seek', type=float, default=2.5,
                        help='show the video at this second (default %(default)s)')
    parser.add_argument('--width', type=int, default=1200,
                        help='browser window width in pixels (default %(default)s)')
    parser.add_argument('--chromium', default=shutil.which('chromium') or 'chromium',
                        help='the browser (default: chromium on PATH)')
    args, args.serve_args = parser.parse_known_args(argv)
    return args


def start_server(args: argparse.Namespace) -> tuple[subprocess.Popen, str]:
    """tools/serve.py on a free port with the video as its sample; waits until it answers."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([sys.executable, os.path.join(ROOT, 'tools', 'serve.py'),
                               '--port', str(port), '--samples', args.video, *args.serve_args])
    base = f'http://127.0.0.1:{port}'
    deadline = time.monotonic() + 300
    while True:
        if server.poll() is not None:
            raise InputError.at('tools/serve.py', f'exited with {server.returncode}',
                                field='server')
        try:
            with urllib.request.urlopen(f'{base}/api/info', timeout=5):
                return server, base
        except OSError:
            if time.monotonic() > deadline:
                server.terminate()
                raise InputError.at(base, 'no answer within 300 s', field='server') from None
            time.sleep(0.5)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not os.path.isfile(args.video):
        raise InputError.at(args.video, 'video not found', field='video')
    from PIL import Image
    from playwright.sync_api import sync_playwright

    server, base = start_server(args)
    started = time.perf_counter()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium,
                                                 args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={'width': args.width, 'height': 800})
            page.goto(base)
            page.wait_for_selector('#sample-form', state='visible')
            page.click('#sample-button')
            page.wait_for_selector('#results', state='visible', timeout=600_000)
            page.wait_for_function("document.getElementById('video').readyState >= 2")
            page.evaluate('''(t) => new Promise((resolve) => {
                const v = document.getElementById('video');
                v.pause(); v.onseeked = resolve; v.currentTime = t; })''', args.seek)
            page.wait_for_function("document.getElementById('video').readyState >= 3")
            page.wait_for_timeout(1000)   # the player's loading spinner fades out
            os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
            page.screenshot(path=args.out, full_page=True)
            browser.close()
    finally:
        server.terminate()
        server.wait(30)
    with Image.open(args.out) as image:
        image.convert('RGB').quantize(256, method=Image.Quantize.MEDIANCUT).save(
            args.out, optimize=True)
    print(f'wrote {args.out} ({os.path.getsize(args.out) / 1024:.0f} KiB) after '
          f'{time.perf_counter() - started:.0f} s')
    return 0


if __name__ == '__main__':
    run_cli(main)
