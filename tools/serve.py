"""Serve a web page that recognises the actions in your videos (and a JSON API for scripts).

Example::

    python tools/serve.py --config configs/c3d_keypoint.py \\
        --checkpoint work_dirs/c3d_keypoint/best_acc_top1_epoch_24.pth   # → http://127.0.0.1:8000

Without --checkpoint it takes the newest best checkpoint of ``make demo``
(work_dirs/demo/c3d_keypoint/best_*.pth). A person uploads a video (or picks one of the
--samples), follows the progress, then watches the annotated video, the top classes over time
and the video-level top-5, and downloads the skeleton pickle and the predictions JSON. It needs
the [pose] and [serve] extras. It listens on 127.0.0.1 only unless --host says otherwise.
"""
from __future__ import annotations

import argparse
import glob
import os
import sys

from pyskl_lite.utils import InputError, run_cli

DEMO_CHECKPOINTS = 'work_dirs/demo/c3d_keypoint/best_*.pth'


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--config', default='configs/c3d_keypoint.py',
                        help='model config (default %(default)s)')
    parser.add_argument('--checkpoint', help=f'trained weights (default: newest '
                        f'{DEMO_CHECKPOINTS}, from make demo)')
    parser.add_argument('--host', default='127.0.0.1',
                        help='address to listen on (default %(default)s: this machine only)')
    parser.add_argument('--port', type=int, default=8000, help='port (default %(default)s)')
    parser.add_argument('--samples', nargs='+', default=[], metavar='PATH',
                        help='videos (or folders of videos) offered as samples on the page')
    parser.add_argument('--max-upload-mb', type=float, default=100,
                        help='largest upload in MiB (default %(default)s)')
    parser.add_argument('--max-seconds', type=float, default=60,
                        help='longest video in seconds (default %(default)s)')
    parser.add_argument('--max-pending', type=int, default=8,
                        help='videos uploading, queued or running at once; more are refused '
                             '(default %(default)s)')
    parser.add_argument('--keep-minutes', type=float, default=30,
                        help='finished jobs are deleted after this (default %(default)s)')
    parser.add_argument('--work-dir', help='folder for the jobs (default: a new temporary '
                        'folder); the jobs are deleted at exit, the folder too when empty')
    parser.add_argument('--window', type=int, default=32,
                        help='skeleton frames per window (default %(default)s)')
    parser.add_argument('--stride', type=int, default=8, help='window step (default 8)')
    parser.add_argument('--frame-stride', type=int, default=1,
                        help='run pose on every k-th video frame (default 1)')
    parser.add_argument('--max-persons', type=int, default=1, help='people tracked (default 1)')
    parser.add_argument('--max-side', type=int, default=960,
                        help='longest side of the annotated video (default %(default)s)')
    parser.add_argument('--device', default='cpu', help='model device (default cpu)')
    args = parser.parse_args(argv)
    if min(args.window, args.stride, args.frame_stride, args.max_persons, args.max_pending,
           args.max_side) < 1 or min(args.max_upload_mb, args.max_seconds,
                                     args.keep_minutes) <= 0:
        parser.error('the sizes, counts and limits must be positive')
    return args


def demo_checkpoint() -> str:
    """The newest checkpoint of ``make demo``."""
    found = sorted(glob.glob(DEMO_CHECKPOINTS), key=os.path.getmtime)
    if not found:
        raise InputError.at(os.path.dirname(DEMO_CHECKPOINTS), 'no best_*.pth: run make demo '
                            'first, or pass --config and --checkpoint', field='checkpoint')
    return found[-1]


def sample_videos(paths: list[str]) -> dict:
    """Sample videos by file name: each path is a video or a folder searched for videos."""
    from pathlib import Path

    from pyskl_lite.visualization.video_io import VIDEO_SUFFIXES

    videos = {}
    for path in map(Path, paths):
        if path.is_dir():
            found = sorted(p for p in path.rglob('*') if p.suffix.lower() in VIDEO_SUFFIXES)
        elif path.is_file():
            found = [path]
        else:
            raise InputError.at(str(path), 'sample video or folder not found', field='samples')
        videos.update((p.name, p.resolve()) for p in found)
    return videos


def build_app(args: argparse.Namespace):
    """The FastAPI app of ``args`` (model loaded, jobs folder made)."""
    import tempfile
    from pathlib import Path

    checkpoint = args.checkpoint or demo_checkpoint()
    samples = sample_videos(args.samples)
    try:
        from pyskl_lite.webapp.app import create_app
    except ImportError as err:
        raise InputError.at('tools/serve.py', f'{err}: install the serve extra: pip install '
                            "'pyskl_lite[pose,serve]'", field='fastapi') from None
    from pyskl_lite.apis.extraction import POSE_EXTRA_HINT, mediapipe_available
    from pyskl_lite.apis.inference import init_recognizer
    from pyskl_lite.webapp.analysis import Limits, VideoAnalyser

    if not mediapipe_available():
        raise InputError.at('tools/serve.py', f'skeleton extraction needs mediapipe: '
                            f'{POSE_EXTRA_HINT}', field='mediapipe')
    model = init_recognizer(args.config, checkpoint, args.device)
    analyser = VideoAnalyser(model, window=args.window, stride=args.stride,
                             frame_stride=args.frame_stride, max_persons=args.max_persons,
                             max_side=args.max_side)
    root = Path(args.work_dir or tempfile.mkdtemp(prefix='pyskl_serve_'))
    limits = Limits(max_bytes=int(args.max_upload_mb * 2 ** 20), max_seconds=args.max_seconds)
    name = f'{os.path.basename(args.config)} + {os.path.basename(checkpoint)}'
    return create_app(analyser, root, name, limits, samples, args.max_pending,
                      args.keep_minutes * 60)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import uvicorn

    app = build_app(args)
    if args.host not in ('127.0.0.1', 'localhost', '::1'):
        print(f'warning: listening on {args.host}: anyone who reaches this machine can upload '
              'videos to it', file=sys.stderr)
    print(f'serving {app.title} on http://{args.host}:{args.port} (Ctrl-C stops)')
    uvicorn.run(app, host=args.host, port=args.port, log_level='warning')
    return 0


if __name__ == '__main__':
    run_cli(main)
