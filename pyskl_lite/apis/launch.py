"""torchrun with one error line per job: ``python -m pyskl_lite.apis.launch [torchrun args]
SCRIPT [args]`` (what ``tools/torchrun.sh`` runs).

Every rank of a failed job would print its own ``error:`` line, and torchrun then dumps a
``ChildFailedError`` report with tracebacks. Here the ranks hand their line to the launcher
instead (:data:`~pyskl_lite.utils.errors.ERROR_DIR_ENV`), which prints each distinct line once
(the first rank's first); a rank that died without one (a signal) is named in one line.
torchrun's own logging is limited to errors of the launcher itself. ``--debug`` anywhere on the
command line or ``PYSKL_DEBUG=1`` keeps torchrun's full output and the ranks' tracebacks.
"""
from __future__ import annotations

import logging
import os
import signal
import sys
import tempfile
from pathlib import Path

from pyskl_lite.utils.errors import ERROR_DIR_ENV, ERROR_EXIT, debug_requested, one_line


def collected_errors(folder: Path) -> list[str]:
    """The distinct error lines of the ranks, in rank order."""
    lines = []
    for path in sorted(folder.glob('rank*.err'), key=lambda p: int(p.stem[4:] or 0)):
        line = one_line(path.read_text(encoding='utf-8', errors='replace'))
        if line and line not in lines:
            lines.append(line)
    return lines


def _failure_line(err: BaseException) -> str:
    """One line for a ``ChildFailedError`` whose ranks left no error line (killed, crashed)."""
    failures = getattr(err, 'failures', {}) or {}
    for local_rank, failure in sorted(failures.items()):
        code = failure.exitcode
        how = f'was killed by {signal.Signals(-code).name}' if code < 0 and -code in \
            signal.valid_signals() else f'exited with status {code}'
        return (f'distributed: rank {failure.rank} (local rank {local_rank}, pid '
                f'{failure.pid}) {how} without an error message; rerun with --debug for '
                'torchrun\'s report')
    return f'distributed: the job failed ({one_line(err)})'


def main(argv: list[str] | None = None) -> int:
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    from torch.distributed.run import parse_args, run

    argv = list(sys.argv[1:] if argv is None else argv)
    if debug_requested(['launch', *argv]):
        run(parse_args(argv))
        return 0
    logging.getLogger('torch.distributed.elastic').setLevel(logging.CRITICAL)
    with tempfile.TemporaryDirectory(prefix='pyskl_errors_') as folder:
        os.environ[ERROR_DIR_ENV] = folder
        try:
            run(parse_args(argv))
        except ChildFailedError as err:
            lines = collected_errors(Path(folder)) or [_failure_line(err)]
            for line in lines:
                print(f'error: {line}', file=sys.stderr, flush=True)
            return ERROR_EXIT
    return 0


if __name__ == '__main__':
    sys.exit(main())
