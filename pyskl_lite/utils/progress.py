"""One progress display per long step, readable on a terminal and in a piped log.

On a terminal :class:`Progress` draws a tqdm bar that redraws in place. When the stream is a
file or a pipe (``tool > log``, ``| tee``, CI) it writes whole lines instead, at most one every
``interval_s`` seconds, so a log holds no carriage returns and no bar fragments.
"""
from __future__ import annotations

import sys
import time
from typing import IO


def is_terminal(stream: IO) -> bool:
    """Whether ``stream`` is an interactive terminal (False for files, pipes and captures)."""
    isatty = getattr(stream, 'isatty', None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # closed stream
        return False


def format_seconds(seconds: float) -> str:
    """``42 s``, ``3 min 05 s``, ``2 h 07 min``."""
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f'{seconds} s'
    if seconds < 3600:
        return f'{seconds // 60} min {seconds % 60:02d} s'
    return f'{seconds // 3600} h {seconds % 3600 // 60:02d} min'


class Progress:
    """A progress display over ``total`` steps.

    Args:
        total: number of steps (None: unknown, no percentage and no ETA).
        desc: what is being done, e.g. ``'test'`` or ``'epoch 3/24'``.
        unit: name of a step in the terminal bar. Default ``'it'``.
        stream: where to write. Default ``sys.stdout`` (the console log of the tools, so that
            the order of progress and log lines is kept in a piped log).
        interval_s: off a terminal, the least seconds between two lines. Default 10.
        leave: keep the finished bar (terminal) / write a last line at :meth:`close` (off a
            terminal). Default True.
        terminal: force the terminal (True) or the line (False) display; default: ask
            ``stream``.
    """

    def __init__(self, total: int | None, desc: str, unit: str = 'it', stream: IO | None = None,
                 interval_s: float = 10.0, leave: bool = True,
                 terminal: bool | None = None) -> None:
        self.total, self.desc, self.leave = total, desc, leave
        self.stream = stream if stream is not None else sys.stdout
        self.interval_s = interval_s
        self.count = 0
        self.postfix = ''
        self._start = self._last_line = time.monotonic()
        self._count_at_last_line = 0
        self._bar = None
        if is_terminal(self.stream) if terminal is None else terminal:
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=desc, unit=unit, file=self.stream,
                             dynamic_ncols=True, leave=leave)

    def update(self, n: int = 1, postfix: str | None = None) -> None:
        """Advance by ``n`` steps; ``postfix`` (e.g. ``'loss 1.23'``) is shown after the
        counts."""
        self.count += n
        if postfix is not None:
            self.postfix = postfix
        if self._bar is not None:
            if postfix is not None:
                self._bar.set_postfix_str(postfix, refresh=False)
            self._bar.update(n)
        elif time.monotonic() - self._last_line >= self.interval_s:
            self._write_line()

    def line(self) -> str:
        """The line display: ``desc: count/total (pct %), elapsed, ETA ..., postfix``."""
        elapsed = time.monotonic() - self._start
        parts = [f'{self.count}/{self.total} ({100 * self.count / max(self.total, 1):.0f} %)'
                 if self.total else f'{self.count}', format_seconds(elapsed)]
        if self.total and 0 < self.count < self.total:
            parts.append(f'ETA {format_seconds(elapsed / self.count * (self.total - self.count))}')
        if self.postfix:
            parts.append(self.postfix)
        return f'{self.desc}: ' + ', '.join(parts)

    def write(self, text: str) -> None:
        """Print ``text`` as its own line without breaking the bar."""
        if self._bar is not None:
            self._bar.write(text, file=self.stream)
        else:
            print(text, file=self.stream, flush=True)

    def close(self) -> None:
        """Finish the display (idempotent)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elif self.leave and self.count != self._count_at_last_line:
            self._write_line()
        self.leave = False

    def _write_line(self) -> None:
        print(self.line(), file=self.stream, flush=True)
        self._last_line = time.monotonic()
        self._count_at_last_line = self.count

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
