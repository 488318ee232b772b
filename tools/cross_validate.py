"""K-fold cross-validation of a config: train and test every fold, report mean ± std.

    python tools/cross_validate.py CONFIG --folds K [--group-by auto|subject|none|splits]
        [--group-pattern REGEX] [--seed S] [--topk 1 5] [--work-dir DIR] [--resume]
        [--cfg-options k=v ...]

The folds are stratified by class and built from the config's train and val splits pooled,
grouped by subject when the data allows it (``subject`` field, or NTU ``P(\\d+)`` / UTKinect
``s(\\d+)`` in ``frame_dir``, or ``--group-pattern``; K = number of subjects is
leave-one-subject-out), or read from ``fold<i>_train`` / ``fold<i>_val`` splits of the pickle
(``--folds`` may then be left out). Each fold trains with the config (no validation; the final
model is tested with the config's test pipeline). Work dir (default
``work_dirs/<config name>_cv``): ``folds.json``, ``fold<k>/`` (training run, ``results.pkl``,
``metrics.csv``) and ``cross_validation.csv`` (per fold, mean, std). ``--resume`` reuses the
folds of an interrupted run that finished. See ``pyskl_lite.apis.cross_validation``.
"""
from __future__ import annotations

import argparse
import os
import os.path as osp

from pyskl_lite.utils import run_cli
from pyskl_lite.utils.cli import DEFAULT_EVAL, GROUP_BY, add_cfg_options

# torch, mmengine and the package's modules are imported in main(), after the arguments are
# parsed: --help answers without them.


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='config file')
    parser.add_argument('--folds', type=int,
                        help='number of folds K (default: all fold splits of the pickle)')
    parser.add_argument('--group-by', choices=GROUP_BY, default='auto',
                        help='auto (default): the pickle\'s fold splits, else subjects when '
                             'found, else samples; subject; none; splits')
    parser.add_argument('--group-pattern', metavar='REGEX',
                        help='regular expression on frame_dir whose first group is the '
                             'subject, e.g. "P(\\d+)"')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the fold construction and of every training (default 0)')
    parser.add_argument('--topk', type=int, nargs='+', default=[1, 5],
                        help='k of top-k accuracy (default 1 5)')
    parser.add_argument('--work-dir', help='output folder (default work_dirs/<config name>_cv)')
    parser.add_argument('--resume', action='store_true',
                        help='reuse the folds that an earlier run with the same plan finished')
    add_cfg_options(parser)
    args = parser.parse_args(argv)
    if args.folds is not None and args.folds < 2:
        parser.error(f'--folds must be at least 2, got {args.folds}')
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from pyskl_lite import register_all_modules
    from pyskl_lite.apis.cross_validation import (
        format_folds_table,
        plan_cross_validation,
        run_fold,
        summarize_folds,
        write_plan,
        write_summary_csv,
    )
    from pyskl_lite.evaluation import write_summary

    register_all_modules()
    work_dir = args.work_dir or osp.join(
        'work_dirs', osp.splitext(osp.basename(args.config))[0] + '_cv')
    plan = plan_cross_validation(args.config, args.cfg_options, args.folds, args.group_by,
                                 args.group_pattern, args.seed)
    write_plan(plan, work_dir, resume=args.resume)
    print(f'{len(plan.folds)} folds, grouped by {plan.description}; from: '
          f'{", ".join(plan.pooled)}')
    metrics = []
    for fold in plan.folds:
        fold_dir = osp.join(work_dir, f'fold{fold.index}')
        values = run_fold(args.config, args.cfg_options, fold, fold_dir, args.seed, args.topk,
                          reuse=args.resume)
        print(f'fold {fold.index}/{len(plan.folds)}: {len(fold.train)} training, '
              f'{len(fold.val)} test samples')
        print(write_summary(values, DEFAULT_EVAL, fold_dir))
        metrics.append(values)
    table = summarize_folds(plan, metrics)
    print(format_folds_table(table))
    print(f'cross-validation: {osp.abspath(write_summary_csv(table, work_dir))}')
    return 0


if __name__ == '__main__':
    os.environ.setdefault('PYTHONUNBUFFERED', '1')
    run_cli(main)
