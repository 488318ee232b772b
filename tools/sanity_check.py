"""Overfit a class-balanced training subset: a working model reaches 100 % training top-1.
A label-free pretraining config (``label_free = True``, e.g. ``configs/simclr_c3d_keypoint.py``)
is checked instead by its loss curve and a linear probe (``pyskl_lite/apis/pretraining_check.py``:
the loss falls, and the probe on the pretrained backbone beats one on a random backbone).

    python tools/sanity_check.py configs/c3d_keypoint.py [--num-samples 100] [--max-epochs 50]
        [--batch-size 16] [--work-dir DIR] [--seed 0] [--cfg-options k=v ...] [--verbose]

Augmentation, dropout and weight decay are off, batches hold at most 16 samples and the
learning rate decays to 0 over the budget of 50 epochs (a config may state other defaults in
``sanity_check = dict(max_epochs=..., batch_size=...)``; see ``pyskl_lite/apis/sanity.py``);
training top-1 is measured on the epoch's training batches, and training stops at 100 %. Prints a
PASSED/FAILED line with the epoch reached, writes ``curves.png`` into the work dir (default
``work_dirs/sanity_check/<config name>``) and exits 1 on failure. A model broken on purpose
fails, e.g. with frozen weights::

    python tools/sanity_check.py CONFIG --cfg-options \
        optim_wrapper.paramwise_cfg.custom_keys.backbone.lr_mult=0 \
        optim_wrapper.paramwise_cfg.custom_keys.cls_head.lr_mult=0
"""
from __future__ import annotations

import argparse
import os
import os.path as osp

from pyskl_lite.utils import run_cli
from pyskl_lite.utils.cli import add_cfg_options, add_verbose

# numpy, torch, mmengine and the package's modules are imported in main(), after the arguments
# are parsed: --help answers without them.


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='training config')
    parser.add_argument('--num-samples', type=int, default=100,
                        help='size of the class-balanced training subset (default 100)')
    parser.add_argument('--max-epochs', type=int,
                        help="epoch budget (default: the config's sanity_check.max_epochs, "
                             'else 50)')
    parser.add_argument('--batch-size', type=int,
                        help="largest training batch (default: the config's "
                             'sanity_check.batch_size, else 16; the training batch if smaller)')
    parser.add_argument('--work-dir', help='output folder (default '
                                           'work_dirs/sanity_check/<config name>)')
    parser.add_argument('--seed', type=int, default=0, help='subset and run seed (default 0)')
    add_cfg_options(parser)
    add_verbose(parser)
    args = parser.parse_args(argv)
    given = [v for v in (args.num_samples, args.max_epochs, args.batch_size) if v is not None]
    if min(given) < 1:
        parser.error('--num-samples, --max-epochs and --batch-size must be positive')
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import numpy as np
    import pandas as pd

    from pyskl_lite import register_all_modules
    from pyskl_lite.apis import build_runner, load_config
    from pyskl_lite.apis.sanity import PERFECT, TrainingAccuracyHook, sanity_config
    from pyskl_lite.visualization.curves import load_history, plot_curves

    register_all_modules()
    config = load_config(args.config, args.cfg_options)
    if args.verbose:
        config.verbose = True
    if config.get('label_free'):
        return check_pretraining(args, config)
    cfg, info = sanity_config(config,
                              num_samples=args.num_samples, max_epochs=args.max_epochs,
                              seed=args.seed, batch_size=args.batch_size,
                              work_dir=args.work_dir)
    counts = info['class_counts']
    print(f'sanity check of {args.config}: {info["num_samples"]} training samples of '
          f'{info["num_classes"]} classes ({min(counts)}-{max(counts)} per class), '
          f'at most {info["max_epochs"]} epochs in batches of at most {info["batch_size"]}')
    runner = build_runner(cfg)
    runner.train()
    history = next(hook for hook in runner.hooks if isinstance(hook, TrainingAccuracyHook)).history
    epochs = np.array([epoch for epoch, _ in history])
    top1 = np.array([value for _, value in history])
    log = osp.join(runner.work_dir, runner.timestamp, 'vis_data', f'{runner.timestamp}.json')
    train, _ = load_history([log])
    curves = plot_curves(train, pd.DataFrame({'epoch': epochs, 'acc/top1': top1}),
                         osp.join(runner.work_dir, 'curves.png'),
                         title=f'sanity check: {osp.basename(args.config)}',
                         val_label='training, per epoch:')
    passed = bool(top1[-1] >= PERFECT)
    if passed:
        print(f'sanity check PASSED: training top-1 100.0% at epoch {int(epochs[-1])} '
              f'of {info["max_epochs"]}')
    else:
        best = int(np.argmax(top1))
        print(f'sanity check FAILED: training top-1 {100 * top1[-1]:.1f}% after '
              f'{int(epochs[-1])} epochs (best {100 * top1[best]:.1f}% at epoch '
              f'{int(epochs[best])}); a working model overfits {info["num_samples"]} samples')
    print(f'curves: {os.path.abspath(curves)}')
    return 0 if passed else 1


def check_pretraining(args: argparse.Namespace, config) -> int:
    """A label-free (self-supervised) config: its loss falls and a linear probe on the
    pretrained backbone beats one on a random backbone (``apis/pretraining_check.py``)."""
    from pyskl_lite.apis import build_runner
    from pyskl_lite.apis.pretraining_check import (
        TrainingLossHook,
        pretraining_budget,
        pretraining_config,
        probe_config,
    )

    budget = pretraining_budget(config, args.max_epochs)
    work_dir = args.work_dir or osp.join('work_dirs', 'sanity_check',
                                         osp.splitext(osp.basename(args.config))[0])
    print(f'pretraining check of {args.config}: {budget["max_epochs"]} epochs of pretraining, '
          f'then linear probes of {budget["probe_config"]} for {budget["probe_epochs"]} epochs '
          'on the pretrained and on a random backbone')
    runner = build_runner(pretraining_config(config, budget, args.seed,
                                             osp.join(work_dir, 'pretrain')))
    runner.train()
    losses = next(hook for hook in runner.hooks if isinstance(hook, TrainingLossHook)).history
    first, last = losses[0][1], losses[-1][1]
    fell = last <= (1 - budget['min_drop']) * first
    print(f'loss: {first:.4f} (epoch 1) -> {last:.4f} (epoch {losses[-1][0]}): '
          f'{"falls" if fell else "does not fall"} (needs <= {1 - budget["min_drop"]:.2f} x)')
    checkpoint = osp.join(runner.work_dir, f'epoch_{losses[-1][0]}.pth')
    top1 = {}
    for name, load_from in (('pretrained', checkpoint), ('random', None)):
        probe = build_runner(probe_config(config, args.cfg_options, budget, load_from,
                                          args.seed, osp.join(work_dir, f'probe_{name}')))
        probe.train()
        top1[name] = 100 * float(probe.val()['acc/top1'])
        print(f'linear probe on the {name} backbone: val top-1 {top1[name]:.1f}%')
    passed = fell and top1['pretrained'] > top1['random']
    print(f'pretraining check {"PASSED" if passed else "FAILED"}: loss {first:.3f} -> '
          f'{last:.3f}, probe {top1["pretrained"]:.1f}% pretrained vs {top1["random"]:.1f}% '
          'random')
    return 0 if passed else 1


if __name__ == '__main__':
    run_cli(main)
