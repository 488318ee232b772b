"""Time ``--help`` of every tool: each should answer in well under a second.

    python tools/benchmark_help.py [--repeat 3]

Runs ``python TOOL --help`` for every ``tools/*.py`` and ``tools/data/*.py`` (found by
globbing, so new tools are timed too) in a fresh interpreter, ``--repeat`` times, and prints
the median wall time per tool, the slowest, and the machine's load average (the times grow
with it). Exits 1 when a help fails.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--repeat', type=int, default=3, help='runs per tool (default 3)')
    parser.add_argument('--limit', type=float, default=1.0,
                        help='seconds a help may take before it is flagged (default 1)')
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    tools = sorted(p for pattern in ('tools/*.py', 'tools/data/*.py') for p in ROOT.glob(pattern)
                   if p.name != '__init__.py')
    print(f'{len(tools)} tools, {args.repeat} runs each, {sys.executable}; load average '
          f'{" ".join(f"{v:.1f}" for v in os.getloadavg())} on {os.cpu_count()} CPUs')
    failed, medians = [], {}
    for tool in tools:
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            proc = subprocess.run([sys.executable, str(tool), '--help'], cwd=ROOT,
                                  capture_output=True, text=True)
            times.append(time.perf_counter() - start)
            if proc.returncode != 0:
                failed.append(tool)
                break
        name = str(tool.relative_to(ROOT))
        medians[name] = statistics.median(times)
        flag = '' if medians[name] < args.limit else f'  over {args.limit:g} s'
        print(f'  {name:<36} {medians[name]:6.2f} s{flag}')
    slowest = max(medians, key=medians.get)
    print(f'slowest: {slowest} {medians[slowest]:.2f} s')
    for tool in failed:
        print(f'error: {tool}: --help exited non-zero', file=sys.stderr)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
