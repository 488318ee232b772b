"""Peak memory and time of one SimCLR training step: plain vs gradient caching.

    python tools/benchmark_simclr_memory.py [configs/simclr_c3d_keypoint.py] \
        --batch-sizes 64 128 256 --chunk-size 64 [--cfg-options ...]

For every batch size B (B sequences, 2B views) and each way (``plain``: all views through the
backbone with autograd at once; ``cached``: the config's gradient caching with
``--chunk-size``), a fresh process builds the config's model, makes random inputs of the
shape the config's pipeline produces, runs one forward + backward + SGD step and reports the
growth of its peak resident memory over the step (``ru_maxrss`` after minus before: the
activations, gradients and optimiser state the step needs) and the step time. Prints one line
per run; Linux only.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

from pyskl_lite.utils import run_cli
from pyskl_lite.utils.cli import add_cfg_options

# torch and the package are imported in the worker, after the arguments are parsed.


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', nargs='?', default='configs/simclr_c3d_keypoint.py',
                        help='a SimCLR config (default configs/simclr_c3d_keypoint.py)')
    parser.add_argument('--batch-sizes', type=int, nargs='+', default=[64, 128, 256],
                        help='sequences per step (default 64 128 256)')
    parser.add_argument('--chunk-size', type=int, default=64,
                        help='views per chunk of the cached way (default 64)')
    parser.add_argument('--worker', nargs=2, metavar=('WAY', 'BATCH'), help=argparse.SUPPRESS)
    add_cfg_options(parser)
    return parser.parse_args(argv)


def _step(args: argparse.Namespace, way: str, batch: int) -> dict:
    import torch

    from pyskl_lite import register_all_modules
    from pyskl_lite.apis import derive_in_channels, load_config
    from pyskl_lite.apis.channels import _first_sample
    from pyskl_lite.registry import MODELS

    register_all_modules()
    cfg = load_config(args.config, args.cfg_options)
    derive_in_channels(cfg)
    view_shape = tuple(_first_sample(cfg)[0].shape[1:])
    cfg.model.chunk_size = args.chunk_size if way == 'cached' else None
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).train()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    inputs = torch.randn(batch, 2, *view_shape)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    loss = model.loss(inputs)['loss_nt_xent']
    loss.backward()
    optimizer.step()
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return dict(way=way, batch=batch, views=2 * batch, view_shape=view_shape,
                step_mib=round((after - before) / 1024, 1), seconds=round(seconds, 2),
                loss=round(loss.item(), 4))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        print(json.dumps(_step(args, args.worker[0], int(args.worker[1]))))
        return 0
    options = [f'{k}={v}' for k, v in args.cfg_options.items()]
    threads = os.environ.get('OMP_NUM_THREADS', 'unset')
    print(f'{args.config}: one training step, chunk size {args.chunk_size}, '
          f'OMP_NUM_THREADS={threads}')
    for batch in args.batch_sizes:
        for way in ('plain', 'cached'):
            command = [sys.executable, __file__, args.config, '--chunk-size',
                       str(args.chunk_size), '--worker', way, str(batch)]
            if options:
                command += ['--cfg-options', *options]
            proc = subprocess.run(command, capture_output=True, text=True)
            if proc.returncode:
                print(f'B={batch} {way}: failed: {proc.stderr.strip().splitlines()[-1:]}')
                continue
            row = json.loads(proc.stdout.strip().splitlines()[-1])
            print(f"B={batch:4d} ({row['views']} views of {row['view_shape']}) {way:6s}: "
                  f"peak memory +{row['step_mib']:7.1f} MiB, step {row['seconds']:.2f} s, "
                  f"loss {row['loss']}")
    return 0


if __name__ == '__main__':
    run_cli(main)
