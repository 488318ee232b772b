"""Evaluate a checkpoint on the config's test split; print a table and write reports.

    python tools/test.py CONFIG CHECKPOINT [--eval top_k_accuracy mean_class_accuracy
        confusion_matrix precision_recall_f1] [--topk 1 5] [--out results.pkl|.json]
        [--average-clips prob|score] [--work-dir DIR] [--launcher none|pytorch|slurm]
        [--cfg-options k=v ...] [--verbose]

Default metrics: top-1, top-5 and mean class accuracy. Into the work dir (default
``work_dirs/<config name>``) go ``metrics.csv``, and with the matching ``--eval``
``confusion_matrix.csv``, ``confusion_matrix_normalized.csv``, ``confusion_matrix.png`` and
``precision_recall_f1.csv``. ``--out`` keeps every sample's frame_dir, label and score vector
(plus both view averages, probabilities and logits, for ``tools/ensemble.py``) for
``tools/visualize.py`` and analysis (``pyskl_lite.evaluation.load_results``). Several
processes: ``tools/dist_test.sh CONFIG CHECKPOINT N [args]``.
"""
from __future__ import annotations

import argparse
import os.path as osp
from typing import TYPE_CHECKING

from pyskl_lite.utils import InputError, run_cli
from pyskl_lite.utils.cli import DEFAULT_EVAL, EVAL_CHOICES, LAUNCHERS, add_cfg_options, add_verbose

if TYPE_CHECKING:
    from mmengine.config import Config

# torch, mmengine and the package's modules are imported inside the functions, after the
# arguments are parsed: --help answers without them.


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint file (.pth)')
    parser.add_argument('--eval', nargs='+', choices=EVAL_CHOICES,
                        default=list(DEFAULT_EVAL),
                        help='metrics (default: top_k_accuracy mean_class_accuracy)')
    parser.add_argument('--topk', type=int, nargs='+', default=[1, 5],
                        help='k of top-k accuracy (default 1 5)')
    parser.add_argument('--out', help='per-sample results file, .pkl or .json')
    parser.add_argument('--average-clips', choices=('prob', 'score'),
                        help="average the views' softmax probabilities or raw scores "
                             "(default: the config's model.test_cfg)")
    parser.add_argument('--work-dir', help='report folder (default work_dirs/<config name>)')
    parser.add_argument('--launcher', choices=LAUNCHERS, default='none',
                        help='how the processes were started (set by dist_test.sh)')
    add_cfg_options(parser)
    add_verbose(parser)
    args = parser.parse_args(argv)
    if args.out and osp.splitext(args.out)[1].lower() not in ('.pkl', '.json'):
        parser.error(f'--out must end in .pkl or .json, got {args.out}')
    return args


def build_config(args: argparse.Namespace) -> Config:
    from pyskl_lite.apis import load_config
    from pyskl_lite.evaluation.summary import metric_configs

    cfg = load_config(args.config, args.cfg_options)
    if args.verbose:
        cfg.verbose = True
    if not osp.isfile(args.checkpoint):
        raise InputError.at(args.checkpoint, 'checkpoint not found')
    if not cfg.get('test_dataloader'):
        raise InputError.at(args.config, 'no test_dataloader to evaluate on',
                            field='test_dataloader')
    cfg.launcher = args.launcher
    cfg.work_dir = args.work_dir or cfg.get('work_dir') or osp.join(
        'work_dirs', osp.splitext(osp.basename(args.config))[0])
    cfg.load_from = None  # loaded strictly in main()
    cfg.resume = False
    # A test-only run: no training parts (and no config dump over the training run's).
    cfg.train_dataloader = cfg.train_cfg = cfg.optim_wrapper = cfg.param_scheduler = None
    if args.average_clips:
        cfg.model.setdefault('test_cfg', {})['average_clips'] = args.average_clips
    cfg.test_evaluator = metric_configs(args.eval, args.topk, out_dir=cfg.work_dir,
                                        out_file=args.out)
    cfg.test_cfg = cfg.get('test_cfg') or dict(type='TestLoop')
    return cfg


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from pyskl_lite import register_all_modules
    from pyskl_lite.apis import build_runner, finish_distributed
    from pyskl_lite.evaluation.summary import write_summary

    register_all_modules()
    cfg = build_config(args)
    runner = build_runner(cfg)
    try:
        runner.load_checkpoint(args.checkpoint, strict=True)
    except BaseException as err:
        runner.discard_run_dir()  # nothing was tested: leave no log folder behind
        if isinstance(err, RuntimeError):
            raise InputError.at(args.checkpoint, f'does not fit the model of {args.config}: '
                                f'{err}') from None
        raise
    if runner.rank == 0:
        print(f'checkpoint: {args.checkpoint}')
    metrics = runner.test()
    finish_distributed()
    if runner.rank != 0:
        return 0
    scalars = {name: float(value) for name, value in metrics.items()
               if isinstance(value, (int, float))}
    print(write_summary(scalars, args.eval, cfg.work_dir))
    if args.out:
        print(f'per-sample results: {osp.abspath(args.out)}')
    return 0


if __name__ == '__main__':
    run_cli(main)
