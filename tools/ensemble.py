"""Fuse several ``tools/test.py --out`` results files (multi-stream ensemble); print and write
the same metrics and reports as ``tools/test.py``.

    python tools/ensemble.py RESULTS [RESULTS ...] [--weights w ...] [--fuse prob|score]
        [--eval top_k_accuracy mean_class_accuracy confusion_matrix precision_recall_f1]
        [--topk 1 5] [--work-dir DIR] [--out fused.pkl|.json]

Samples are matched by ``frame_dir``; the files must hold the same samples, labels and classes.
``--fuse prob`` (default) takes the weighted mean of the streams' view-averaged softmax
probabilities, ``--fuse score`` of their view-averaged logits (see
``pyskl_lite.evaluation.ensemble``). Into the work dir (default ``work_dirs/ensemble``) go
``metrics.csv`` and the reports of ``--eval``; ``--out`` writes the fused scores as a results
file (for ``tools/visualize.py --results`` or a further fusion).
"""
from __future__ import annotations

import argparse
import os.path as osp

from pyskl_lite.utils import run_cli
from pyskl_lite.utils.cli import DEFAULT_EVAL, EVAL_CHOICES, FUSIONS

# numpy, torch, mmengine and the package's evaluation modules are imported in main(), after the
# arguments are parsed: --help answers without them.


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('results', nargs='+', help='results files of tools/test.py --out')
    parser.add_argument('--weights', type=float, nargs='+',
                        help='one weight per results file (default: all 1)')
    parser.add_argument('--fuse', choices=FUSIONS, default='prob',
                        help='fuse softmax probabilities (prob, default) or logits (score)')
    parser.add_argument('--eval', nargs='+', choices=EVAL_CHOICES, default=list(DEFAULT_EVAL),
                        help='metrics (default: top_k_accuracy mean_class_accuracy)')
    parser.add_argument('--topk', type=int, nargs='+', default=[1, 5],
                        help='k of top-k accuracy (default 1 5)')
    parser.add_argument('--work-dir', default=osp.join('work_dirs', 'ensemble'),
                        help='report folder (default work_dirs/ensemble)')
    parser.add_argument('--out', help='fused per-sample results file, .pkl or .json')
    args = parser.parse_args(argv)
    if args.weights is not None and len(args.weights) != len(args.results):
        parser.error(f'--weights: {len(args.weights)} weights for {len(args.results)} results '
                     'files; give one per file')
    if args.out and osp.splitext(args.out)[1].lower() not in ('.pkl', '.json'):
        parser.error(f'--out must end in .pkl or .json, got {args.out}')
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from pyskl_lite.evaluation import (
        dump_results,
        evaluate_scores,
        fuse_results,
        read_results,
        write_summary,
    )

    fused = fuse_results([read_results(path) for path in args.results], args.weights,
                         args.fuse)
    metrics = evaluate_scores(fused.scores, fused.labels, fused.classes, args.eval, args.topk,
                              out_dir=args.work_dir, frame_dirs=fused.frame_dirs)
    weights = ', '.join(f'{w:g}' for w in fused.weights)
    print(f'{len(args.results)} streams, {len(fused.labels)} samples, --fuse {args.fuse}, '
          f'weights {weights}')
    print(write_summary(metrics, args.eval, args.work_dir))
    if args.out:
        key = 'pred_prob' if args.fuse == 'prob' else 'pred_logit'
        rows = [{'frame_dir': name, 'label': label, 'pred_score': score, key: score}
                for name, label, score in zip(fused.frame_dirs, fused.labels, fused.scores,
                                              strict=True)]
        path = dump_results(args.out, rows, fused.classes, score_kind=args.fuse)
        print(f'fused per-sample results: {osp.abspath(path)}')
    return 0


if __name__ == '__main__':
    run_cli(main)
