"""Measure the memory of loading a PoseDataset and of iterating it with DataLoader workers.

    python tools/benchmark_dataset_memory.py work_dirs/data/ntu60_scale.pkl \
        --split xsub_train --workers 4 [--no-serialize]

Prints the main process's peak RSS after loading, then, while every sample is fetched once
through ``--workers`` forked workers, the peak of each worker's private memory (USS: pages only
that worker holds, i.e. what it copied) and of the total PSS of main + workers (shared pages
counted once). Linux only (reads /proc).
"""
import argparse
import gc
import os
import resource
import threading
import time

from pyskl_lite.utils import run_cli

# torch and the package's datasets are imported in main(), after the arguments are parsed:
# --help answers without them.


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('ann_file', help='annotation pickle (PYSKL format)')
    parser.add_argument('--split', default=None, help='split to load (default: all samples)')
    parser.add_argument('--workers', type=int, default=4, help='DataLoader workers (default 4)')
    parser.add_argument('--batch-size', type=int, default=32, help='batch size (default 32)')
    parser.add_argument('--epochs', type=int, default=2,
                        help='passes over the split while measuring (default 2)')
    parser.add_argument('--no-serialize', action='store_true',
                        help='keep samples as Python objects (mmengine serialize_data=False)')
    return parser.parse_args()


def _memory_kib(pid: int) -> dict[str, int]:
    """Rss, Pss and USS (private clean + dirty) of ``pid`` in KiB from smaps_rollup."""
    values = {}
    with open(f'/proc/{pid}/smaps_rollup') as file:
        for line in file:
            parts = line.split()
            if len(parts) >= 2 and parts[0].endswith(':') and parts[1].isdigit():
                values[parts[0][:-1]] = int(parts[1])
    return dict(rss=values['Rss'], pss=values['Pss'],
                uss=values['Private_Clean'] + values['Private_Dirty'])


def _children(pid: int) -> list[int]:
    with open(f'/proc/{pid}/task/{pid}/children') as file:
        return [int(p) for p in file.read().split()]


class _Sampler(threading.Thread):
    """Polls main + worker memory every 50 ms and keeps the peaks."""

    def __init__(self, main_pid: int) -> None:
        super().__init__(daemon=True)
        self.main_pid = main_pid
        self.stop = threading.Event()
        self.peak_total_pss = 0
        self.peak_worker_uss = 0
        self.peak_workers = 0

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                workers = _children(self.main_pid)
                stats = [_memory_kib(p) for p in [self.main_pid, *workers]]
            except (FileNotFoundError, ProcessLookupError, KeyError):
                continue
            self.peak_total_pss = max(self.peak_total_pss, sum(s['pss'] for s in stats))
            self.peak_worker_uss = max([self.peak_worker_uss] + [s['uss'] for s in stats[1:]])
            self.peak_workers = max(self.peak_workers, len(workers))
            time.sleep(0.05)


def _touch(batch: list) -> int:
    """Runs in the worker: read every keypoint as a training pipeline would, then let the
    cyclic garbage collector walk the heap (a full collection touches every tracked object)."""
    for sample in batch:
        sample['keypoint'].astype('float32').sum()
    gc.collect()
    return len(batch)


def main() -> int:
    args = parse_args()
    import torch
    from torch.utils.data import DataLoader

    from pyskl_lite.datasets import PoseDataset

    torch.set_num_threads(1)
    start = time.perf_counter()
    dataset = PoseDataset(args.ann_file, split=args.split,
                          serialize_data=not args.no_serialize)
    load_s = time.perf_counter() - start
    peak_load = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    after_load = _memory_kib(os.getpid())
    print(f'{len(dataset)} samples loaded in {load_s:.1f} s; main peak RSS while loading '
          f'{peak_load / 1024:.0f} MiB, RSS after loading {after_load["rss"] / 1024:.0f} MiB')

    sampler = _Sampler(os.getpid())
    sampler.start()
    loader = DataLoader(dataset, batch_size=args.batch_size, num_workers=args.workers,
                        collate_fn=_touch, multiprocessing_context='fork',
                        persistent_workers=True)
    start = time.perf_counter()
    seen = sum(sum(loader) for _ in range(args.epochs))
    time.sleep(0.5)  # let the sampler see the workers once more before they exit
    sampler.stop.set()
    sampler.join()
    print(f'iterated {seen} samples ({args.epochs} epochs) with {args.workers} workers in '
          f'{time.perf_counter() - start:.1f} s: peak private memory (USS) per worker '
          f'{sampler.peak_worker_uss / 1024:.0f} MiB, peak total PSS (main + workers) '
          f'{sampler.peak_total_pss / 1024:.0f} MiB')
    return 0


if __name__ == '__main__':
    run_cli(main)
