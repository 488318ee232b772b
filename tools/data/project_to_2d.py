"""Project a 3D skeleton pickle (camera-space joints) to 2D pixels with a pinhole camera.

The 2D configs (``c3d_keypoint.py``, ``stgcnpp_keypoint.py``) and the heatmap ones
(``c3d_heatmap.py``) read 2D pixels; this turns a 3D pickle into one, split, labels and ids
unchanged. The defaults are Kinect v1's depth camera (UTKinect-Action3D): u = 285.63 x / z + 160,
v = -285.63 y / z + 120, frames 320 x 240, scores 1 (or the pickle's own). Joints with z <= 0
(untracked) and non-finite ones become (0, 0) with score 0. Examples::

    python tools/data/project_to_2d.py ../shared/data/utkinect_xsub.pkl \\
        work_dirs/data/utkinect_2d.pkl
    python tools/data/project_to_2d.py my_3d.pkl my_2d.pkl --focal 365.5 --center 256 212 \\
        --img-shape 424 512        # typical Kinect v2 depth intrinsics: use your camera's own
"""
from __future__ import annotations

import argparse

from pyskl_lite.utils import InputError, run_cli

# The package's modules (numpy, torch) are imported in main(), after the arguments are parsed:
# --help answers without them.


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('ann_file', help='3D annotation pickle (PYSKL format, C = 3)')
    parser.add_argument('out', help='2D annotation pickle to write (.pkl)')
    parser.add_argument('--focal', type=float, nargs='+', metavar='F',
                        help='focal length in pixels: f, or fx fy (default Kinect v1: 285.63)')
    parser.add_argument('--center', type=float, nargs=2, metavar=('CX', 'CY'),
                        help='principal point in pixels (default Kinect v1: 160 120)')
    parser.add_argument('--img-shape', type=int, nargs=2, metavar=('H', 'W'),
                        help='frame size stored as img_shape (default Kinect v1: 240 320)')
    parser.add_argument('--y-axis', choices=('up', 'down'), default='up',
                        help="direction of the camera's y axis (default up: Kinect, NTU)")
    args = parser.parse_args(argv)
    if args.focal is not None and (len(args.focal) > 2 or min(args.focal) <= 0):
        parser.error('--focal takes one or two positive numbers (f, or fx fy)')
    if args.img_shape is not None and min(args.img_shape) <= 0:
        parser.error('--img-shape takes two positive numbers (H W)')
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from pyskl_lite.apis.dataset_builder import write_annotation_pickle
    from pyskl_lite.datasets import read_annotation_file, validate_sample
    from pyskl_lite.datasets.annotations import ValidationReport
    from pyskl_lite.datasets.camera import KINECT_V1, PinholeCamera

    focal = KINECT_V1.focal if args.focal is None else (args.focal[0], args.focal[-1])
    camera = PinholeCamera(focal=focal, center=tuple(args.center or KINECT_V1.center),
                           img_shape=tuple(args.img_shape or KINECT_V1.img_shape),
                           y_up=args.y_axis == 'up')
    annotations, split = read_annotation_file(args.ann_file)
    report = ValidationReport()
    projected, hidden, joints = [], 0, 0
    for sample in annotations:
        validate_sample(sample, args.ann_file, None, report, require_scores=False)
        if sample['keypoint'].shape[-1] != 3:
            raise InputError.at(args.ann_file, f'shape {sample["keypoint"].shape} is already '
                                '2D (C = 2); this tool projects 3D (x, y, z) joints',
                                sample=sample['frame_dir'], field='keypoint')
        sample = camera.project_sample(sample)
        hidden += int((sample['keypoint_score'] == 0).sum())
        joints += sample['keypoint_score'].size
        projected.append(sample)
    write_annotation_pickle(args.out, projected, split)
    height, width = camera.img_shape
    print(f'wrote {len(projected)} samples to {args.out} ({width}x{height} pixels; {hidden} of '
          f'{joints} joints untracked, behind the camera or not finite: score 0)')
    return 0


if __name__ == '__main__':
    run_cli(main)
