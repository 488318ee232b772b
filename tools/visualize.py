"""Draw a sample's skeletons (and the model's top-5) on its video or a black canvas.

Examples::

    # sample 3 of the validation split on a black canvas, with test.py predictions
    python tools/visualize.py work_dirs/data/synthetic_2d.pkl --split xsub_val --index 3 \\
        --results work_dirs/test/results.pkl --out work_dirs/vis/val3.mp4 --gif
    # on the real video, predictions from a checkpoint
    python tools/visualize.py my.pkl --frame-dir clip01 --video-dir videos/ \\
        --config configs/c3d_keypoint.py --checkpoint work_dirs/c3d/best.pth --out clip01.mp4
    # a 3D sample, seen from the side
    python tools/visualize.py utkinect.pkl --frame-dir a01_s01_e01 --view side --out a.mp4
    # what PoseConv3D sees: the heatmap volume of the config's test pipeline
    python tools/visualize.py synthetic_2d.pkl --index 0 --config configs/c3d_heatmap.py \\
        --heatmap --out heatmaps.png        # .png: frames x joints grid; .mp4: a video

The input is an annotation pickle (pick the sample with ``--split`` / ``--index`` /
``--frame-dir``) or a pickle of one sample dict. Joints scoring below ``--score-thr`` are
hidden; 3D samples are projected (``--view``). When the video and the sample have different
frame counts, ``--frame-mismatch`` decides (default: draw the frames both have) and a line says
both counts and what was done.
"""
from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING, Any

from pyskl_lite.utils import InputError, run_cli
from pyskl_lite.utils.cli import add_cfg_options

if TYPE_CHECKING:
    import numpy as np

# numpy, torch, mmengine and the package's modules are imported inside the functions, after
# the arguments are parsed: --help answers without them.


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('ann', help='annotation pickle, or a pickle of one sample dict')
    pick = parser.add_argument_group('sample')
    pick.add_argument('--split', help='split of the pickle to index into')
    pick.add_argument('--index', type=int, default=0, help='position in the split (default 0)')
    pick.add_argument('--frame-dir', help='sample id (wins over --index)')
    video = parser.add_mutually_exclusive_group()
    video.add_argument('--video', help='video of the sample')
    video.add_argument('--video-dir', help='folder searched for <frame_dir>.<video suffix>')
    pred = parser.add_argument_group('predictions')
    pred.add_argument('--results', help='results file of tools/test.py --out (.pkl / .json)')
    pred.add_argument('--config', help='config: run its model on the sample (with '
                      '--checkpoint), or the pipeline of --heatmap')
    pred.add_argument('--checkpoint', help='checkpoint of --config')
    pred.add_argument('--device', default='cpu', help='device of --checkpoint (default cpu)')
    add_cfg_options(pred)
    pred.add_argument('--label-map', help='class names, one per line (default: from the '
                      'results file, the checkpoint or the config)')
    out = parser.add_argument_group('output')
    out.add_argument('--out', required=True, help='.mp4 / .avi / .gif; with --heatmap also '
                     '.png (grid)')
    out.add_argument('--gif', action='store_true',
                     help='also write a GIF beside --out (same name, .gif)')
    out.add_argument('--fps', type=float, help="frames per second (default: the video's, "
                     'else 30)')
    out.add_argument('--max-side', type=int, default=1280,
                     help='longest side of the output in pixels (default 1280)')
    out.add_argument('--score-thr', type=float, default=0.3,
                     help='hide joints scoring below (default 0.3)')
    out.add_argument('--view', default='front', metavar='front|back|side|top',
                     help='projection of 3D skeletons (default front)')
    out.add_argument('--joint-layout', help='layout name (default: from the joint count)')
    out.add_argument('--frame-mismatch', default='truncate', metavar='truncate|stretch|error',
                     help='video and sample frame counts differ: draw the frames both have '
                     '(truncate, default), spread the skeleton over the video (stretch), or '
                     'stop (error)')
    out.add_argument('--no-text', action='store_true', help='no header / top-5 / truth box')
    heat = parser.add_argument_group('heatmaps')
    heat.add_argument('--heatmap', action='store_true', help="draw the config's heatmap volume "
                      'of the sample instead of the skeleton')
    heat.add_argument('--stage', default='test', choices=('train', 'val', 'test'),
                      help='pipeline of --heatmap (default test)')
    heat.add_argument('--heatmap-frames', type=int, default=8,
                      help='time steps (columns) of the .png grid (default 8)')
    args = parser.parse_args(argv)
    from pyskl_lite.visualization.overlay import MISMATCH_POLICIES
    from pyskl_lite.visualization.skeleton import VIEWS

    for flag, value, allowed in (('--view', args.view, sorted(VIEWS)),
                                 ('--frame-mismatch', args.frame_mismatch, MISMATCH_POLICIES)):
        if value not in allowed:
            parser.error(f'{flag}: {value!r} is not one of {", ".join(allowed)}')
    if args.checkpoint and not args.config:
        parser.error('--checkpoint needs --config')
    if args.heatmap and not args.config:
        parser.error('--heatmap needs --config (its pipeline builds the heatmaps)')
    if args.results and args.checkpoint:
        parser.error('give predictions by --results or by --config/--checkpoint, not both')
    return args


def predictions(args: argparse.Namespace, sample: dict[str, Any]
                ) -> tuple[np.ndarray | None, list[str] | None]:
    """``(pred_score (num_classes,) or None, class names or None)``."""
    import numpy as np

    from pyskl_lite.datasets.annotations import read_label_map

    classes = read_label_map(args.label_map) if args.label_map else None
    name = str(sample.get('frame_dir'))
    if args.results:
        from pyskl_lite.evaluation.results_io import load_results

        results, result_classes = load_results(args.results)
        found = [r for r in results if str(r['frame_dir']) == name]
        if not found:
            raise InputError.at(args.results, f'no prediction for sample {name!r} among '
                                f'{len(results)} results', sample=name, field='frame_dir')
        return np.asarray(found[0]['pred_score'], np.float32), classes or result_classes
    if args.checkpoint:
        from pyskl_lite.apis.inference import inference_recognizer, init_recognizer

        model = init_recognizer(args.config, args.checkpoint, args.device, args.cfg_options)
        scores = inference_recognizer(model, sample).pred_score.numpy()
        model_classes = model.dataset_meta.get('classes')
        return scores, classes or (list(model_classes) if model_classes else None)
    return None, classes


def write_frames(frames, count: int, out: str, fps: float, gif: bool) -> int:
    """Write ``frames`` to ``out`` (and ``<out>.gif``), print what was written; returns the
    number of frames."""
    from pyskl_lite.visualization import write_video

    written = write_video(frames, out, fps, gif, count)
    for path, frames_written in written:
        print(f'wrote {frames_written} frames to {path}')
    return written[0][1]


def draw_heatmaps(args: argparse.Namespace, sample: dict[str, Any]) -> int:
    import cv2

    from pyskl_lite.apis.config import load_config
    from pyskl_lite.visualization import (
        channel_names,
        heatmap_frames,
        heatmap_grid,
        pipeline_inputs,
    )

    cfg = load_config(args.config, args.cfg_options)
    volume = pipeline_inputs(cfg, sample, args.stage)
    view = volume[0]
    names = channel_names(view.shape[0], cfg.get('joint_layout') or args.joint_layout)
    print(f'{sample.get("frame_dir")}: heatmap input {tuple(volume.shape)} (num_views, K, T, '
          f'H, W); drawing view 0')
    if args.out.lower().endswith('.png'):
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        grid = heatmap_grid(view, args.heatmap_frames, names)
        if not cv2.imwrite(args.out, grid[..., ::-1]):
            raise InputError.at(args.out, 'cannot write the PNG', field='out')
        print(f'wrote a {grid.shape[1]}x{grid.shape[0]} grid to {args.out}')
        return 0
    write_frames(heatmap_frames(view, names), view.shape[1], args.out, args.fps or 8.0,
                 args.gif)
    return 0


def joint_layout_of(args: argparse.Namespace, sample: dict[str, Any]) -> str:
    """``--joint-layout``, or the built-in layout with the sample's joint count; checked."""
    from pyskl_lite.datasets.layouts import get_layout
    from pyskl_lite.visualization.overlay import guess_layout

    num_joints = sample['keypoint'].shape[2]
    where = dict(sample=str(sample.get('frame_dir')), field='keypoint')
    try:
        layout = get_layout(args.joint_layout or guess_layout(num_joints))
    except (KeyError, ValueError) as err:
        message = str(err).strip('"').replace('; name the layout', '')
        raise InputError.at(args.ann, f'{message}; pass --joint-layout NAME', **where) from None
    if layout.num_joints != num_joints:
        raise InputError.at(args.ann, f'joint layout {layout.name!r} has {layout.num_joints} '
                            f'joints, the sample {num_joints}', **where)
    return layout.name


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from pyskl_lite.visualization import (
        VideoReader,
        align_frames,
        find_video,
        load_sample,
        output_shape,
        render_overlay,
        top_classes,
    )
    from pyskl_lite.visualization.overlay import class_name, format_score

    sample = load_sample(args.ann, args.split, args.index, args.frame_dir)
    name = str(sample.get('frame_dir'))
    args.joint_layout = joint_layout_of(args, sample)
    if args.heatmap:
        return draw_heatmaps(args, sample)
    scores, classes = predictions(args, sample)
    if scores is not None:
        best = ', '.join(f'{n} {format_score(s, scores)}'
                         for _, n, s in top_classes(scores, classes))
        label = sample.get('label')
        truth = 'unknown' if label is None else class_name(int(label), classes)
        print(f'{name}: truth {truth}; top-5 {best}')

    video_path = args.video or (find_video(args.video_dir, name) if args.video_dir else None)
    reader = VideoReader(video_path) if video_path else None
    num_frames = sample['keypoint'].shape[1]
    alignment = align_frames(num_frames, reader.num_frames if reader else None,
                             int(sample.get('frame_stride', 1)), args.frame_mismatch,
                             video_path or args.ann, name)
    if alignment.message:
        print(f'{video_path}: {alignment.message}')
    shape = output_shape(sample, reader.frame_shape if reader else None, args.max_side)
    frames = render_overlay(
        sample, reader.frames(stop=alignment.num_output) if reader else None, shape,
        alignment, scores, classes, args.joint_layout, args.score_thr, args.view,
        show_text=not args.no_text)
    fps = args.fps or (reader.fps if reader else 30.0)
    write_frames(frames, alignment.num_output, args.out, fps, args.gif)
    return 0


if __name__ == '__main__':
    run_cli(main)
