"""Write the synthetic NTU-style benchmark pickle and its label map (deterministic).

    python tools/data/make_synthetic.py [--out work_dirs/data/synthetic_2d.pkl] [--dim 2|3] \
        [--num-samples 2880] [--seed 0] [--dtype float32|float16]

``--dim 2``: COCO-17 pixels in a 1920x1080 frame with keypoint_score; ``--dim 3``: NTU-25
metres without scores (default out ``work_dirs/data/synthetic_3d.pkl``). The label map goes to
``<out minus .pkl>_label_map.txt``. ``--num-samples 56880`` gives NTU60 size. Equal arguments
give byte-identical files. See ``pyskl_lite/datasets/synthetic.py`` for what the data hold.
"""
import argparse
import time
from collections import Counter

from pyskl_lite.utils import run_cli
from pyskl_lite.utils.progress import Progress

# numpy and the package's modules (torch, mmengine) are imported in main(), after the arguments
# are parsed: --help answers without them.


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', help='output pickle (default work_dirs/data/synthetic_<dim>d.pkl)')
    parser.add_argument('--dim', type=int, choices=(2, 3), default=2,
                        help='2: COCO-17 pixels with scores; 3: NTU-25 metres (default 2)')
    parser.add_argument('--num-samples', type=int,
                        help='number of samples, classes balanced (default: every subject '
                             'performs every class once per camera, 24 × 40 × 3 = 2880)')
    parser.add_argument('--seed', type=int, default=0, help='dataset seed (default 0)')
    parser.add_argument('--dtype', choices=('float32', 'float16'), default='float32',
                        help='keypoint (and score) dtype (default float32)')
    args = parser.parse_args()
    if args.num_samples is not None and args.num_samples < 1:
        parser.error(f'--num-samples must be >= 1, got {args.num_samples}')
    return args


def main() -> int:
    args = parse_args()
    import numpy as np

    from pyskl_lite.datasets.synthetic import (
        DEFAULT_NUM_SAMPLES,
        SYNTHETIC_CLASSES,
        dump_synthetic_dataset,
        make_synthetic_dataset,
    )

    num_samples = args.num_samples or DEFAULT_NUM_SAMPLES
    out = args.out or f'work_dirs/data/synthetic_{args.dim}d.pkl'
    start = time.perf_counter()
    with Progress(num_samples, f'generating {num_samples} samples', unit='sample') as bar:
        data = make_synthetic_dataset(num_samples, dim=args.dim, seed=args.seed,
                                      dtype=args.dtype, on_sample=lambda: bar.update(1))
    pickle_path, label_map = dump_synthetic_dataset(data, out)
    seconds = time.perf_counter() - start

    annotations = data['annotations']
    frames = np.array([ann['total_frames'] for ann in annotations])
    persons = Counter(ann['keypoint'].shape[0] for ann in annotations)
    shape = annotations[0]['keypoint'].shape[2:]
    print(f'{pickle_path}: {len(annotations)} samples, {len(SYNTHETIC_CLASSES)} classes, '
          f'{args.dim}D keypoint (M, T, {shape[0]}, {shape[1]}) {args.dtype}, '
          f'{pickle_path.stat().st_size / 2**20:.1f} MiB, written in {seconds:.1f} s')
    print('  splits: ' + ', '.join(f'{name} {len(ids)}' for name, ids in data['split'].items()))
    print(f'  persons: {dict(sorted(persons.items()))}; frames: {frames.min()}-{frames.max()} '
          f'(mean {frames.mean():.0f})')
    print(f'  label map: {label_map}')
    return 0


if __name__ == '__main__':
    run_cli(main)
