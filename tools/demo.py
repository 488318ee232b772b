"""Recognise the action in your video: skeleton extraction, sliding-window recognition, overlay.

Example::

    python tools/demo.py my_video.mp4 --config configs/c3d_keypoint.py \\
        --checkpoint work_dirs/c3d_keypoint/best.pth --out work_dirs/demo/my_video.mp4

Stages (each one logs its frames per second):

1. extract the skeleton with MediaPipe Pose (the ``[pose]`` extra; ``--max-persons``), or read it
   from ``--skeleton`` (a pickle of one sample, e.g. saved earlier with ``--save-skeleton``);
2. recognise: once on the whole video (the video-level top-5, printed) and on windows of
   ``--window`` skeleton frames every ``--stride`` frames (each frame shows the mean scores of
   the windows that cover it: the "current" prediction);
3. draw the skeleton and the current top-5 on the video and write ``--out``.
"""
from __future__ import annotations

import argparse
import os
import pickle
import time

from pyskl_lite.utils import InputError, run_cli
from pyskl_lite.utils.cli import add_cfg_options

# torch, mmengine, mediapipe and the package's modules are imported inside the functions,
# after the arguments are parsed: --help answers without them.


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('video', help='the video')
    parser.add_argument('--config', required=True, help='model config')
    parser.add_argument('--checkpoint', required=True, help='trained weights (.pth)')
    parser.add_argument('--out', default='work_dirs/demo/demo.mp4',
                        help='overlay video (.mp4 / .avi / .gif); default %(default)s')
    parser.add_argument('--gif', action='store_true', help='also write <out>.gif')
    parser.add_argument('--window', type=int, default=32,
                        help='skeleton frames per window (default 32)')
    parser.add_argument('--stride', type=int, default=8, help='window step (default 8)')
    parser.add_argument('--frame-stride', type=int, default=1,
                        help='run pose on every k-th video frame (default 1)')
    parser.add_argument('--max-persons', type=int, default=1,
                        help='people tracked (default 1; the model decides how many it uses)')
    parser.add_argument('--device', default='cpu', help='model device (default cpu)')
    add_cfg_options(parser)
    parser.add_argument('--label-map', help='class names (default: checkpoint / config)')
    parser.add_argument('--skeleton', help='skip extraction: pickle of one sample of this video')
    parser.add_argument('--save-skeleton', help='write the extracted sample to this pickle')
    parser.add_argument('--max-side', type=int, default=1280,
                        help='longest side of the output (default 1280)')
    parser.add_argument('--score-thr', type=float, default=0.3,
                        help='hide joints scoring below (default 0.3)')
    args = parser.parse_args(argv)
    if min(args.window, args.stride, args.frame_stride, args.max_persons) < 1:
        parser.error('--window, --stride, --frame-stride and --max-persons must be >= 1')
    return args


def log_stage(name: str, frames: int, seconds: float) -> None:
    rate = frames / seconds if seconds > 0 else float('inf')
    print(f'[{name}] {frames} frames in {seconds:.2f} s ({rate:.1f} fps)')


def skeleton_of(args: argparse.Namespace, layout: str) -> dict:
    """The video's skeleton sample: from ``--skeleton`` or extracted now."""
    from pyskl_lite.apis.extraction import (
        POSE_EXTRA_HINT,
        MediaPipePose,
        extract_skeleton,
        mediapipe_available,
    )
    from pyskl_lite.utils.progress import Progress
    from pyskl_lite.visualization import VideoReader, load_sample

    if args.skeleton:
        return load_sample(args.skeleton)
    if not mediapipe_available():
        raise InputError.at(args.video, f'skeleton extraction needs mediapipe: '
                            f'{POSE_EXTRA_HINT}; or pass --skeleton', field='video')
    if layout not in ('coco', 'mediapipe'):
        raise InputError.at(args.config, f'the model expects {layout!r} skeletons; MediaPipe '
                            "gives 2D 'coco' or 'mediapipe' ones", field='joint_layout')
    estimator = MediaPipePose(num_persons=args.max_persons)
    bar = Progress(VideoReader(args.video).num_frames // args.frame_stride, 'pose',
                   unit='frame')
    started = time.perf_counter()
    try:
        record = extract_skeleton(args.video, estimator, frame_stride=args.frame_stride,
                                  joint_layout=layout, on_frame=lambda: bar.update(1))
    finally:
        bar.close()
        estimator.close()
    log_stage('extract', record.sampled, time.perf_counter() - started)
    print(f'person found in {record.detected} of {record.sampled} frames')
    if record.annotation is None:
        raise InputError.at(args.video, 'no person found in any frame', field='video')
    sample = record.annotation
    sample.pop('label')
    if args.save_skeleton:
        os.makedirs(os.path.dirname(os.path.abspath(args.save_skeleton)), exist_ok=True)
        with open(args.save_skeleton, 'wb') as file:
            pickle.dump(sample, file, protocol=4)
    return sample


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from pyskl_lite.apis.inference import (
        inference_recognizer,
        init_recognizer,
        per_frame_scores,
        sliding_window_scores,
    )
    from pyskl_lite.datasets.annotations import read_label_map
    from pyskl_lite.visualization import (
        VideoReader,
        align_frames,
        output_shape,
        render_overlay,
        top_classes,
        write_video,
    )
    from pyskl_lite.visualization.overlay import format_score

    reader = VideoReader(args.video)
    model = init_recognizer(args.config, args.checkpoint, args.device, args.cfg_options)
    classes = read_label_map(args.label_map) if args.label_map else \
        model.dataset_meta.get('classes')
    sample = skeleton_of(args, model.cfg.get('joint_layout', 'coco'))
    num_frames = sample['keypoint'].shape[1]

    started = time.perf_counter()
    video_scores = inference_recognizer(model, sample).pred_score.numpy()
    starts, window_scores = sliding_window_scores(model, sample, args.window, args.stride)
    frame_scores = per_frame_scores(starts, window_scores, args.window, num_frames)
    log_stage('recognise', num_frames, time.perf_counter() - started)
    print(f'{len(starts)} windows of {args.window} frames, stride {args.stride}')
    print('video-level top-5:')
    for rank, (index, name, score) in enumerate(top_classes(video_scores, classes), 1):
        print(f'  {rank}. {name} ({index}): {format_score(score, video_scores)}')

    alignment = align_frames(num_frames, reader.num_frames,
                             int(sample.get('frame_stride', 1)), 'truncate', args.video,
                             str(sample.get('frame_dir')))
    if alignment.message:
        print(f'{args.video}: {alignment.message}')
    frames = render_overlay(
        sample, reader.frames(stop=alignment.num_output),
        output_shape(sample, reader.frame_shape, args.max_side), alignment,
        frame_scores[alignment.skeleton_index], classes, score_thr=args.score_thr)
    started = time.perf_counter()
    written = write_video(frames, args.out, reader.fps, args.gif, alignment.num_output)
    log_stage('render', written[0][1], time.perf_counter() - started)
    for path, count in written:
        print(f'wrote {count} frames to {path}')
    return 0


if __name__ == '__main__':
    run_cli(main)
