"""Extract 2D skeletons from your own videos into a PYSKL annotation pickle (MediaPipe Pose).

Needs the pose extra: ``pip install -e '.[pose]'`` from the repository root (mediapipe 0.10.14,
whose BlazePose model ships in the wheel: nothing is downloaded). One person per video by
default (``M = 1``); ``--max-persons`` tracks more (see ``pyskl_lite/apis/extraction.py``).

Examples::

    # one folder per class: videos/<class>/<name>.mp4
    python tools/data/extract_skeletons.py --video-dir videos --out work_dirs/my.pkl \\
        --split-ratio 0.8 --workers 2
    # a list of "<path> <label>" lines, pose on every 2nd frame, keep all 33 landmarks
    python tools/data/extract_skeletons.py --video-list list.txt --out my.pkl \\
        --frame-stride 2 --layout mediapipe --min-frames 10

Running it again with the same ``--out`` resumes: videos whose id is already in the pickle are
skipped (``--overwrite`` starts afresh). Each video's result is printed and written to the log
(``<out>_extract_log.tsv``); videos that cannot be read or have too few detections are
reported and left out, never stopping the run.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from pyskl_lite.utils import InputError, run_cli
from pyskl_lite.utils.progress import Progress

# mediapipe, torch and the package's modules are imported in main(), after the arguments are
# parsed: --help answers without them.

LOG_COLUMNS = ('status', 'frame_dir', 'video', 'video_frames', 'sampled', 'detected',
               'seconds', 'message')


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument('--video-list', help='text file of "<video path> <label>" lines '
                        '(label: class index or name; paths relative to the list file)')
    source.add_argument('--video-dir', help='folder with one sub-folder of videos per class')
    parser.add_argument('--out', required=True, help='annotation pickle to write (.pkl)')
    parser.add_argument('--layout', choices=('coco', 'mediapipe'), default='coco',
                        help='joints written: COCO-17 (default) or the 33 MediaPipe landmarks')
    parser.add_argument('--frame-stride', type=int, default=1,
                        help='run pose on every k-th frame (default 1: every frame)')
    parser.add_argument('--min-frames', type=int, default=1,
                        help='leave out videos with fewer frames with a person (default 1)')
    parser.add_argument('--workers', type=int, default=1, help='processes (default 1)')
    split = parser.add_mutually_exclusive_group()
    split.add_argument('--split-ratio', type=float,
                       help="train fraction: writes splits 'train' and 'val', stratified by class")
    split.add_argument('--split-file', help='JSON {"split name": [frame_dir, ...]}')
    parser.add_argument('--seed', type=int, default=0, help='seed of --split-ratio')
    parser.add_argument('--max-persons', type=int, default=1,
                        help='people tracked per video (default 1); each costs one pose '
                        'inference per frame (see pyskl_lite/apis/extraction.py)')
    parser.add_argument('--min-detection-confidence', type=float, default=0.5)
    parser.add_argument('--min-tracking-confidence', type=float, default=0.5)
    parser.add_argument('--static-image-mode', action='store_true',
                        help='detect the person on every frame instead of tracking')
    parser.add_argument('--save-every', type=int, default=20,
                        help='write the pickle after every N new samples (resume points)')
    parser.add_argument('--overwrite', action='store_true',
                        help='ignore an existing --out instead of resuming it')
    parser.add_argument('--log', help='per-video log (TSV); default <out>_extract_log.tsv')
    args = parser.parse_args(argv)
    if min(args.frame_stride, args.workers, args.save_every, args.max_persons) < 1:
        parser.error('--frame-stride, --workers, --save-every and --max-persons must be >= 1')
    if args.split_ratio is not None and not 0 < args.split_ratio < 1:
        parser.error('--split-ratio must be between 0 and 1')
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from pyskl_lite.apis.dataset_builder import (
        existing_classes,
        list_inputs,
        load_existing,
        write_annotation_pickle,
    )
    from pyskl_lite.apis.extraction import POSE_EXTRA_HINT, extract_many, mediapipe_available
    from pyskl_lite.visualization.video_io import VIDEO_SUFFIXES

    items, classes = list_inputs(args.video_list, args.video_dir, VIDEO_SUFFIXES)
    annotations = [] if args.overwrite else load_existing(args.out)
    previous = existing_classes(args.out) if annotations else None
    if previous is not None and classes is not None and previous != classes:
        raise InputError.at(args.out, f'resuming with other classes: the label map has '
                            f'{previous}, the inputs {classes}; use --overwrite', field='label')
    done = {a['frame_dir'] for a in annotations}
    todo = [item for item in items if item.frame_dir not in done]
    print(f'{len(items)} videos, {len(items) - len(todo)} already in {args.out}, '
          f'{len(todo)} to extract')
    if todo and not mediapipe_available():
        print(f'error: mediapipe is not installed; {POSE_EXTRA_HINT}', file=sys.stderr)
        return 2

    log_path = Path(args.log or f'{os.path.splitext(args.out)[0]}_extract_log.tsv')
    log_path.parent.mkdir(parents=True, exist_ok=True)
    new_log = args.overwrite or not log_path.exists()
    counts = dict(ok=0, skipped=0, failed=0)
    frames = 0
    started = time.perf_counter()
    with open(log_path, 'w' if new_log else 'a', encoding='utf-8') as log, \
            Progress(len(todo), 'extract', unit='video') as bar:
        if new_log:
            log.write('\t'.join(LOG_COLUMNS) + '\n')
        records = extract_many(
            todo, args.workers,
            estimator_kwargs=dict(num_persons=args.max_persons,
                                  min_detection_confidence=args.min_detection_confidence,
                                  min_tracking_confidence=args.min_tracking_confidence,
                                  static_image_mode=args.static_image_mode),
            frame_stride=args.frame_stride, joint_layout=args.layout,
            min_frames=args.min_frames)
        for record in records:
            counts[record.status] += 1
            frames += record.sampled
            bar.write(record.line())
            bar.update(1)
            log.write(_log_row(record) + '\n')
            log.flush()
            if record.annotation is not None:
                annotations.append(record.annotation)
                if counts['ok'] % args.save_every == 0:
                    write_annotation_pickle(args.out, annotations, None, classes)
    seconds = time.perf_counter() - started

    if not annotations:
        print(f'error: no video gave a skeleton; see {log_path}', file=sys.stderr)
        return 1
    annotations.sort(key=lambda a: a['frame_dir'])
    split = _splits(args, annotations)
    write_annotation_pickle(args.out, annotations, split, classes or previous)
    rate = f', {frames / seconds:.1f} frames/s' if seconds > 0 and frames else ''
    print(f'extracted {counts["ok"]}, skipped {counts["skipped"]} (too few detections), '
          f'failed {counts["failed"]} in {seconds:.1f} s{rate}')
    print(f'wrote {len(annotations)} samples to {args.out} (splits: '
          f'{ {k: len(v) for k, v in split.items()} }); log: {log_path}')
    return 0


def _log_row(record) -> str:
    values = dict(vars(record), video=record.path, seconds=f'{record.seconds:.2f}')
    return '\t'.join(str(values[c]).replace('\t', ' ') for c in LOG_COLUMNS)


def _splits(args: argparse.Namespace, annotations: list[dict]) -> dict[str, list[str]]:
    from pyskl_lite.apis.dataset_builder import read_split_file, stable_split

    if args.split_ratio is not None:
        return stable_split(annotations, args.split_ratio, args.seed)
    if args.split_file is not None:
        split = read_split_file(args.split_file, [a['frame_dir'] for a in annotations])
        listed = {i for ids in split.values() for i in ids}
        missing = [a['frame_dir'] for a in annotations if a['frame_dir'] not in listed]
        if missing:
            print(f'warning: {len(missing)} samples are in no split of {args.split_file} '
                  f'(first: {missing[:3]})')
        return split
    print('no --split-ratio or --split-file: the pickle has no splits (use split=None)')
    return {}


if __name__ == '__main__':
    run_cli(main)
