"""Train a recognizer from a config with mmengine's Runner.

    python tools/train.py configs/c3d_keypoint.py [--work-dir DIR] [--resume [auto|PATH]]
        [--amp] [--seed N] [--deterministic] [--cfg-options k=v ...]
        [--launcher none|pytorch|slurm] [--no-validate] [--test-last | --test-best]
        [--auto-scale-lr] [--verbose]

Several processes: ``tools/dist_train.sh CONFIG N [args]`` (torchrun; NCCL on GPUs, gloo on a
CPU-only machine); each process loads ``train_dataloader.batch_size`` samples a step, and the
first lines of the run state the total batch and the lr. The console shows that summary, the
progress and one line of metrics per epoch; the work dir (default ``work_dirs/<config name>/``)
receives the full text log (environment, config, every logged iteration: ``--verbose`` prints
them too), json logs, TensorBoard events, ``epoch_N.pth``, ``best_acc_top1_epoch_N.pth``,
``last_checkpoint``, ``curves.png``, the run's config in ``<timestamp>/`` and, with the first
checkpoint, in the work dir.
"""
from __future__ import annotations

import argparse
import os
import os.path as osp
import sys
from typing import TYPE_CHECKING

from pyskl_lite.utils import InputError, run_cli
from pyskl_lite.utils.cli import LAUNCHERS, add_cfg_options, add_verbose

if TYPE_CHECKING:
    from mmengine.config import Config

# torch, mmengine and the package's modules are imported inside the functions, after the
# arguments are parsed: --help answers without them.


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='config file')
    parser.add_argument('--work-dir', help='output folder (default work_dirs/<config name>)')
    parser.add_argument('--resume', nargs='?', const='auto', metavar='auto|PATH',
                        help='continue a run: from the latest checkpoint of the work dir '
                             '(auto, the default when the flag has no value) or from PATH')
    parser.add_argument('--amp', action='store_true',
                        help='automatic mixed precision: float16 with loss scaling on CUDA '
                             'GPUs, bfloat16 on CPUs that compute it natively')
    parser.add_argument('--seed', type=int, help='random seed (default: the config\'s, 0)')
    parser.add_argument('--deterministic', action='store_true',
                        help='deterministic algorithms and non-persistent DataLoader workers, '
                             'so that a resumed run repeats an uninterrupted one exactly')
    add_cfg_options(parser)
    parser.add_argument('--launcher', choices=LAUNCHERS, default='none',
                        help='how the processes were started (set by dist_train.sh / '
                             'slurm_train.sh)')
    parser.add_argument('--no-validate', action='store_true',
                        help='skip validation during training (no best checkpoint)')
    test = parser.add_mutually_exclusive_group()
    test.add_argument('--test-last', action='store_true',
                      help='test the final model on the test split after training')
    test.add_argument('--test-best', action='store_true',
                      help='test the best checkpoint (by validation top-1) after training')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='lr × total batch / auto_scale_lr.base_batch_size, where the '
                             'total batch is processes × train_dataloader.batch_size (the '
                             'start of the run says both)')
    add_verbose(parser)
    args = parser.parse_args(argv)
    if args.test_best and args.no_validate:
        parser.error('--test-best needs validation (a best checkpoint); drop --no-validate')
    return args


def build_config(args: argparse.Namespace) -> Config:
    """The config of ``args.config`` with every command-line choice applied."""
    from pyskl_lite.apis import load_config, use_amp

    cfg = load_config(args.config, args.cfg_options)
    cfg.launcher = args.launcher
    if args.verbose:
        cfg.verbose = True
    cfg.work_dir = args.work_dir or cfg.get('work_dir') or osp.join(
        'work_dirs', osp.splitext(osp.basename(args.config))[0])
    randomness = dict(cfg.get('randomness') or {})
    if args.seed is not None:
        randomness['seed'] = args.seed
    if args.deterministic:
        randomness['deterministic'] = True
        cfg.train_dataloader.persistent_workers = False
        # cuBLAS needs this before CUDA starts to give deterministic matrix products.
        os.environ.setdefault('CUBLAS_WORKSPACE_CONFIG', ':4096:8')
    cfg.randomness = randomness
    if args.amp:
        use_amp(cfg)
    if args.no_validate:
        cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
        if cfg.get('default_hooks', {}).get('checkpoint'):
            cfg.default_hooks.checkpoint.save_best = None
    if args.auto_scale_lr:
        if not cfg.get('auto_scale_lr', {}).get('base_batch_size'):
            raise InputError.at(args.config, '--auto-scale-lr: the config has no '
                                'auto_scale_lr.base_batch_size', field='auto_scale_lr')
        cfg.auto_scale_lr.enable = True
    if (args.test_last or args.test_best) and not cfg.get('test_dataloader'):
        raise InputError.at(args.config, '--test-last/--test-best: the config has no '
                            'test_dataloader', field='test_dataloader')
    if args.resume:
        cfg.resume = True
        cfg.load_from = resume_checkpoint(args.resume, cfg.work_dir)
    return cfg


def resume_checkpoint(resume: str, work_dir: str) -> str | None:
    """The checkpoint to resume from; None (train from scratch) when ``auto`` finds none."""
    from pyskl_lite.apis import find_resume_checkpoint

    if resume != 'auto':
        if not osp.isfile(resume):
            raise InputError.at(resume, '--resume: checkpoint not found')
        return resume
    found = find_resume_checkpoint(work_dir)
    if found is None:
        print(f'--resume auto: no checkpoint in {work_dir}; training from scratch',
              file=sys.stderr)
    return found


def best_checkpoint(runner) -> str | None:
    """Path of the best checkpoint the CheckpointHook kept, if any."""
    for hook in runner.hooks:
        path = getattr(hook, 'best_ckpt_path', None)
        if path and osp.isfile(path):
            return path
    return None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from pyskl_lite import register_all_modules
    from pyskl_lite.apis import build_runner, finish_distributed

    register_all_modules()
    cfg = build_config(args)
    if cfg.resume and cfg.load_from is None:
        cfg.resume = False
    runner = build_runner(cfg)
    runner.train()
    if args.test_best or args.test_last:
        if args.test_best:
            best = best_checkpoint(runner)
            if best is None:
                raise InputError.at(cfg.work_dir, '--test-best: no best checkpoint was saved')
            runner.load_checkpoint(best)
        runner.test()
    finish_distributed()
    if runner.rank == 0:
        print(f'work dir: {osp.abspath(cfg.work_dir)}')
        best = best_checkpoint(runner)
        if best:
            print(f'best checkpoint: {osp.abspath(best)}')
        curves = osp.join(cfg.work_dir, 'curves.png')
        if osp.isfile(curves):
            print(f'curves: {osp.abspath(curves)}')
    return 0


if __name__ == '__main__':
    os.environ.setdefault('PYTHONUNBUFFERED', '1')
    run_cli(main)
