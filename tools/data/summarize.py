"""Print what an annotation pickle holds, loading every split through PoseDataset.

    python tools/data/summarize.py work_dirs/data/synthetic_2d.pkl \
        [--label-map work_dirs/data/synthetic_2d_label_map.txt] [--splits xsub_train xsub_val]
"""
import argparse

from pyskl_lite.utils import run_cli

# The package's datasets (torch, mmengine) are imported in main(), after the arguments are
# parsed: --help answers without them.


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('ann_file', help='annotation pickle (PYSKL format)')
    parser.add_argument('--label-map', help='text file, one class name per line')
    parser.add_argument('--splits', nargs='*', help='splits to show (default: all)')
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    from pyskl_lite.datasets import PoseDataset, read_annotation_file

    _, split = read_annotation_file(args.ann_file)
    names = args.splits or (sorted(split) if split else [None])
    print(f'{args.ann_file}')
    for name in names:
        dataset = PoseDataset(args.ann_file, split=name, label_map=args.label_map)
        info = dataset.summary()
        frames, persons = info['frames'], info['persons']
        per_class = info['samples_per_class']
        print(f'  split {name or "(all)"}: {info["samples"]} samples, {info["classes"]} classes '
              f'({min(per_class.values())}-{max(per_class.values())} samples per class), '
              f'persons {dict(persons)}, frames {frames["min"]}-{frames["max"]} '
              f'(median {frames["median"]:g}), joints {info["joints"]}, coords {info["coords"]}')
    if args.label_map:
        classes = dataset.classes
        print('  classes: ' + ', '.join(f'{i}:{c}' for i, c in enumerate(classes)))
    return 0


if __name__ == '__main__':
    run_cli(main)
