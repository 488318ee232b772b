"""Measure a config's data pipeline, transform by transform.

Builds the dataset of ``--split`` from CONFIG without its pipeline, then runs every transform of
the pipeline on ``--num-samples`` samples in turn, timing each, and prints samples/s per
transform and for the whole pipeline (loading a sample from the dataset included in neither).

    python tools/benchmark_pipeline.py configs/_base_/datasets/synthetic_heatmap.py
    python tools/benchmark_pipeline.py CONFIG --split test --num-samples 20 \\
        --cfg-options ann_file=data/ntu60_hrnet.pkl
"""
from __future__ import annotations

import argparse
import copy
import time

from pyskl_lite.utils import InputError, run_cli
from pyskl_lite.utils.cli import add_cfg_options


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', help='config file')
    parser.add_argument('--split', choices=('train', 'val', 'test'), default='train',
                        help='which dataloader\'s dataset and pipeline (default train)')
    parser.add_argument('--num-samples', type=int, default=50,
                        help='samples to run, cycling through the dataset (default 50)')
    add_cfg_options(parser)
    return parser.parse_args()


def dataset_config(cfg, split: str, source: str) -> dict:
    """The dataset dict that carries the pipeline (below dataset wrappers)."""
    loader = cfg.get(f'{split}_dataloader')
    if loader is None:
        raise InputError.at(source, f'the config has no {split}_dataloader', field='split')
    from pyskl_lite.apis.sanity import innermost_dataset

    return copy.deepcopy(dict(innermost_dataset(loader['dataset'])))


def main() -> int:
    args = parse_args()
    if args.num_samples < 1:
        raise InputError.at(args.config, f'--num-samples must be >= 1, got {args.num_samples}',
                            field='num_samples')
    from mmengine.registry import DefaultScope

    from pyskl_lite.apis import load_config
    from pyskl_lite.registry import DATASETS, TRANSFORMS

    cfg = load_config(args.config, args.cfg_options)
    DefaultScope.get_instance(f'benchmark-{time.time_ns()}',
                              scope_name=cfg.get('default_scope', 'pyskl_lite'))
    dataset_cfg = dataset_config(cfg, args.split, args.config)
    pipeline_cfg = dataset_cfg.pop('pipeline', [])
    dataset = DATASETS.build(dict(dataset_cfg, pipeline=[]))
    transforms = [TRANSFORMS.build(step) for step in pipeline_cfg]
    names = [step['type'] for step in pipeline_cfg]
    seconds = [0.0] * len(transforms)
    shape = None
    for index in range(args.num_samples):
        results = dataset.get_data_info(index % len(dataset))
        for position, transform in enumerate(transforms):
            start = time.perf_counter()
            results = transform(results)
            seconds[position] += time.perf_counter() - start
            if results is None:
                raise InputError.at(args.config, f'{names[position]} dropped sample '
                                    f'{index % len(dataset)}', field='pipeline')
        shape = tuple(results['inputs'].shape) if 'inputs' in results else None

    print(f'{args.config} [{args.split}]: {args.num_samples} samples from {len(dataset)}, '
          f'inputs {shape}')
    width = max(len(name) for name in names + ['whole pipeline'])
    print(f'{"transform":<{width}}  {"samples/s":>10}  {"ms/sample":>9}  {"share":>6}')
    total = sum(seconds)
    for name, spent in zip(names, seconds, strict=True):
        rate = args.num_samples / spent if spent > 0 else float('inf')
        print(f'{name:<{width}}  {rate:>10.1f}  {spent / args.num_samples * 1e3:>9.3f}  '
              f'{spent / total:>6.1%}')
    print(f'{"whole pipeline":<{width}}  {args.num_samples / total:>10.1f}  '
          f'{total / args.num_samples * 1e3:>9.3f}  {1:>6.0%}')
    return 0


if __name__ == '__main__':
    run_cli(main)
