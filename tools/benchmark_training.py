"""Measure a config's training throughput on this machine: the model's training step and the
data pipeline, in samples per second.

Builds the training dataset (with its pipeline), the model and the optimiser of CONFIG, prepares
``--iters`` batches of the config's batch size (timing the pipeline, one process), then times
``train_step`` (forward, loss, backward, optimiser step) over them after ``--warmup`` untimed
steps. Prints both rates and what one process would reach with the data loaded in the same
process (``1 / (1/data + 1/step)``); DataLoader workers overlap the two.

    python tools/benchmark_training.py configs/c3d_keypoint.py
    python tools/benchmark_training.py configs/c3d_heatmap.py --iters 3 --batch-size 8
    python tools/benchmark_training.py configs/c3d_heatmap.py --iters 3 --batch-size 8 --amp
"""
from __future__ import annotations

import argparse
import logging
import time

from pyskl_lite.utils import InputError, run_cli
from pyskl_lite.utils.cli import add_cfg_options


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', help='training config')
    parser.add_argument('--iters', type=int, default=10, help='timed steps (default 10)')
    parser.add_argument('--warmup', type=int, default=2, help='untimed steps first (default 2)')
    parser.add_argument('--batch-size', type=int,
                        help="samples per step (default: the config's train_dataloader)")
    parser.add_argument('--amp', action='store_true',
                        help='bfloat16 mixed precision, as tools/train.py --amp on a CPU')
    add_cfg_options(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.iters < 1 or args.warmup < 0 or (args.batch_size is not None and args.batch_size < 1):
        raise InputError.at(args.config, '--iters and --batch-size must be >= 1, --warmup >= 0',
                            field='arguments')
    import torch
    from mmengine.dataset import pseudo_collate
    from mmengine.logging import MMLogger
    from mmengine.optim import build_optim_wrapper
    from mmengine.registry import DefaultScope

    from pyskl_lite.apis import derive_in_channels, load_config, use_amp
    from pyskl_lite.registry import DATASETS, MODELS

    cfg = load_config(args.config, args.cfg_options)
    precision = use_amp(cfg, gpu=False) if args.amp else 'float32'  # the step runs on the CPU
    batch_size = args.batch_size or cfg.train_dataloader.batch_size
    DefaultScope.get_instance(f'benchmark-training-{time.time_ns()}',
                              scope_name=cfg.get('default_scope', 'pyskl_lite'))
    torch.manual_seed(0)
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    derive_in_channels(cfg)
    model = MODELS.build(cfg.model)
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel(logging.WARNING)  # not the table of every parameter's initialisation
    try:
        model.init_weights()
    finally:
        logger.setLevel(level)
    model.train()
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)

    steps = args.warmup + args.iters
    start = time.perf_counter()
    batches = [pseudo_collate([dataset[(step * batch_size + i) % len(dataset)]
                               for i in range(batch_size)]) for step in range(steps)]
    data_rate = steps * batch_size / (time.perf_counter() - start)
    for batch in batches[:args.warmup]:
        model.train_step(batch, optim_wrapper)
    start = time.perf_counter()
    for batch in batches[args.warmup:]:
        model.train_step(batch, optim_wrapper)
    step_rate = args.iters * batch_size / (time.perf_counter() - start)

    shape = tuple(batches[0]['inputs'][0].shape)
    print(f'{args.config}: batch {batch_size}, inputs per sample {shape}, '
          f'{torch.get_num_threads()} threads, {precision}')
    print(f'  data pipeline     {data_rate:8.1f} samples/s ({steps} batches, one process)')
    print(f'  training step     {step_rate:8.1f} samples/s ({args.iters} steps after '
          f'{args.warmup} warm-up)')
    print(f'  both, in turn     {1 / (1 / data_rate + 1 / step_rate):8.1f} samples/s')
    return 0


if __name__ == '__main__':
    run_cli(main)
