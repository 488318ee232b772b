"""Turn per-video 2D keypoint JSON (OpenPose, MediaPipe, any COCO-17 detector) into a PYSKL pickle.

Accepted inputs (details in ``pyskl_lite/apis/keypoint_json.py``):

* one JSON file per video: ``{"layout": "coco", "img_shape": [h, w], "frames": [[person,
  ...], ...]}`` with a person ``[[x, y, score], ...]`` (COCO-17, OpenPose-18, BODY_25 or
  MediaPipe-33 joints; ``"coordinates": "normalized"`` for MediaPipe's [0, 1] values);
* OpenPose's output: a folder per video of per-frame ``*_keypoints.json`` files.

Joints are mapped to COCO-17 unless ``--keep-layout``. Examples::

    python tools/data/keypoints_to_pickle.py --input-dir keypoints/ --out my.pkl \\
        --img-shape 1080 1920 --split-ratio 0.8       # keypoints/<class>/<video>.json
    python tools/data/keypoints_to_pickle.py --input-list list.txt --out my.pkl

Inputs that cannot be read are reported and left out.
"""
from __future__ import annotations

import argparse
import sys

from pyskl_lite.utils import InputError, run_cli

# The package's modules (numpy, torch) are imported in main(), after the arguments are parsed:
# --help answers without them.


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument('--input-list', help='text file of "<json file or OpenPose folder> '
                        '<label>" lines (paths relative to the list file)')
    source.add_argument('--input-dir', help='folder with one sub-folder per class holding '
                        '.json files and/or OpenPose folders')
    parser.add_argument('--out', required=True, help='annotation pickle to write (.pkl)')
    parser.add_argument('--layout', choices=('coco', 'openpose', 'openpose25', 'mediapipe'),
                        help="joints of the input when the file does not say (default: from "
                        'the joint count)')
    parser.add_argument('--img-shape', type=int, nargs=2, metavar=('H', 'W'),
                        help='frame size for inputs without "img_shape"')
    parser.add_argument('--max-persons', type=int, default=2,
                        help='persons kept per frame, by mean score (default 2)')
    parser.add_argument('--keep-layout', action='store_true',
                        help='keep OpenPose-18 / MediaPipe-33 joints instead of COCO-17')
    split = parser.add_mutually_exclusive_group()
    split.add_argument('--split-ratio', type=float,
                       help="train fraction: splits 'train' and 'val', stratified by class")
    split.add_argument('--split-file', help='JSON {"split name": [frame_dir, ...]}')
    parser.add_argument('--seed', type=int, default=0, help='seed of --split-ratio')
    args = parser.parse_args(argv)
    if args.max_persons < 1:
        parser.error('--max-persons must be >= 1')
    if args.split_ratio is not None and not 0 < args.split_ratio < 1:
        parser.error('--split-ratio must be between 0 and 1')
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from pyskl_lite.apis.dataset_builder import (
        list_inputs,
        read_split_file,
        stable_split,
        write_annotation_pickle,
    )
    from pyskl_lite.apis.keypoint_json import read_keypoint_sequence

    items, classes = list_inputs(args.input_list, args.input_dir, ('.json',), folders=True)
    annotations, layouts, failed = [], set(), 0
    for item in items:
        try:
            sample = read_keypoint_sequence(item.path, args.layout, args.img_shape,
                                            args.max_persons, to_coco=not args.keep_layout)
        except InputError as err:
            failed += 1
            print(f'failed  {item.frame_dir}: {err}', file=sys.stderr)
            continue
        layouts.add(sample.pop('joint_layout'))
        sample.setdefault('label', item.label)
        sample['frame_dir'] = item.frame_dir
        annotations.append(sample)
        person, frames, joints = sample['keypoint'].shape[:3]
        print(f'ok      {item.frame_dir}: {frames} frames, {person} persons, {joints} joints')
    if not annotations:
        print('error: no input could be read', file=sys.stderr)
        return 1
    if len(layouts) > 1:
        raise InputError.at(args.input_list or args.input_dir, f'inputs have different joint '
                            f'layouts {sorted(layouts)}; convert to COCO-17 (drop '
                            '--keep-layout)', field='layout')
    ids = [a['frame_dir'] for a in annotations]
    if args.split_ratio is not None:
        split = stable_split(annotations, args.split_ratio, args.seed)
    elif args.split_file is not None:
        split = read_split_file(args.split_file, ids)
    else:
        split = {}
    write_annotation_pickle(args.out, annotations, split, classes)
    print(f'wrote {len(annotations)} samples ({layouts.pop()} joints) to {args.out}; '
          f'{failed} failed; splits: { {k: len(v) for k, v in split.items()} }')
    return 0


if __name__ == '__main__':
    run_cli(main)
