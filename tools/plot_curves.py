"""Plot the training and validation curves of a work dir from its json logs.

    python tools/plot_curves.py work_dirs/c3d_keypoint [--out curves.png]

Reads every ``<timestamp>/vis_data/<timestamp>.json`` of the work dir (a resumed run adds
one) and saves loss and accuracy against epochs (default ``<work dir>/curves.png``, the file
training writes at its end).
"""
from __future__ import annotations

import argparse
import os

from pyskl_lite.utils import InputError, run_cli


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('work_dir', help='training work dir')
    parser.add_argument('--out', help='output PNG (default <work_dir>/curves.png)')
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from pyskl_lite.visualization.curves import plot_work_dir_curves

    if not os.path.isdir(args.work_dir):
        raise InputError.at(args.work_dir, 'work dir not found')
    try:
        path = plot_work_dir_curves(args.work_dir, args.out)
    except (FileNotFoundError, ValueError) as err:
        raise InputError(str(err)) from None
    print(f'curves: {os.path.abspath(path)}')
    return 0


if __name__ == '__main__':
    run_cli(main)
