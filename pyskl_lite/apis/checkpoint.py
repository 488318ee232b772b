"""Checkpoints: the ``weights_only`` allow-list, atomic writes and picking the one to resume.

torch >= 2.6 loads checkpoints with ``weights_only=True``: only tensors, builtin containers and
explicitly allowed globals are rebuilt, so a checkpoint cannot run code. Besides tensors, an
mmengine checkpoint written by :class:`~pyskl_lite.apis.runner.SkeletonRunner` holds exactly
these globals (found with ``torch.serialization.get_unsafe_globals_in_checkpoint``):

- ``mmengine.logging.history_buffer.HistoryBuffer``: the logged scalars of the message hub;
- ``numpy.ndarray``, ``numpy.dtype``, ``numpy._core.multiarray._reconstruct`` and ``.scalar``,
  and the dtype classes ``Float64DType`` and ``Int64DType``: the buffers' histories (float64
  values, int64 counts) and numpy scalars in the runtime info (e.g. the ETA);
- ``builtins.getattr``: pickle refers to the statistics methods of ``HistoryBuffer``
  (``HistoryBuffer.mean``, ...) as ``getattr(HistoryBuffer, 'mean')``. The weights-only
  unpickler only calls allow-listed callables, so ``getattr`` can merely read attributes of
  objects that are themselves allowed.

Our own additions (the random-number-generator states) are tensors and ints only.
"""
from __future__ import annotations

import contextlib
import logging
import os
import pickle
import re
import struct
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch
from mmengine.logging import HistoryBuffer, print_log

from pyskl_lite.utils import InputError

_NUMPY_MULTIARRAY = np._core.multiarray if hasattr(np, '_core') else np.core.multiarray

#: Every non-tensor global of our checkpoints (module doc).
CHECKPOINT_SAFE_GLOBALS: list[Any] = [
    HistoryBuffer,
    np.ndarray,
    np.dtype,
    _NUMPY_MULTIARRAY._reconstruct,
    _NUMPY_MULTIARRAY.scalar,
    type(np.dtype(np.float64)),
    type(np.dtype(np.int64)),
    getattr,
]

LAST_CHECKPOINT_FILE = 'last_checkpoint'
_EPOCH_FILE = re.compile(r'^(epoch|iter)_(\d+)\.pth$')


@contextlib.contextmanager
def checkpoint_safe_globals() -> Iterator[None]:
    """Within the block, ``torch.load`` (``weights_only=True``) also accepts the globals of
    :data:`CHECKPOINT_SAFE_GLOBALS`, and nothing else."""
    with torch.serialization.safe_globals(CHECKPOINT_SAFE_GLOBALS):
        yield


@contextlib.contextmanager
def readable_checkpoint(path: str | os.PathLike) -> Iterator[None]:
    """Within the block, a failure to read ``path`` as a checkpoint (truncated, random bytes,
    not a dict, objects outside :data:`CHECKPOINT_SAFE_GLOBALS`) is one
    :class:`~pyskl_lite.utils.InputError` line, without torch's advice to load untrusted
    files with ``weights_only=False``."""
    source = os.fspath(path)
    try:
        with warnings.catch_warnings():
            # bytes that are no checkpoint: torch warns of an odd "pickle protocol" first
            warnings.filterwarnings('ignore', message='Detected pickle protocol')
            yield
    except pickle.UnpicklingError as err:
        # torch's weights-only unpickler ("Weights only load failed"): a global outside the
        # allow-list, or bytes that are no pickle at all.
        name = re.search(r'GLOBAL ([\w.]+)', str(err))
        if name is None:
            raise InputError.at(source, 'not a readable checkpoint (no pickle torch can read); '
                                'use a .pth written by tools/train.py') from None
        raise InputError.at(source, f'refused: the checkpoint holds {name.group(1)}, outside '
                            'the allow-list of pyskl_lite checkpoints (it could run code); use '
                            'a checkpoint written by tools/train.py') from None
    except (EOFError, zipfile.BadZipFile, UnicodeDecodeError, AttributeError, IndexError,
            struct.error) as err:
        # IndexError, struct.error: torch's weights-only unpickler on bytes that are no pickle
        # (an opcode popping an empty stack, an argument cut short)
        raise InputError.at(source, f'not a readable checkpoint ({type(err).__name__}: '
                            f'{_first_line(err)}); it may be truncated: use another '
                            'epoch_N.pth') from None
    except RuntimeError as err:
        if not _READ_FAILURE.search(str(err)):
            raise
        raise InputError.at(source, f'not a readable checkpoint ({_first_line(err)}); it may '
                            'be truncated or not a .pth file: use another epoch_N.pth') from None
    except (KeyError, TypeError) as err:
        if isinstance(err, KeyError) and 'registry' in str(err):
            raise
        raise InputError.at(source, f'not a checkpoint of this framework ({type(err).__name__}: '
                            f'{_first_line(err)}); use a checkpoint written by tools/train.py'
                            ) from None


# torch's messages for a file that is not a (complete) checkpoint zip archive.
_READ_FAILURE = re.compile(r'PytorchStreamReader|central directory|invalid header|'
                           r'file_name\b|Invalid magic number|corrupted|unpickling')


def _first_line(err: BaseException) -> str:
    """The first sentence of ``err``'s message (torch appends advice after it)."""
    return (str(err).strip().splitlines() or [''])[0].split('. ')[0][:200]


def load_checkpoint_file(path: str | os.PathLike, map_location: Any = 'cpu') -> dict:
    """``torch.load`` a checkpoint with ``weights_only=True`` and our allow-list.

    Raises:
        InputError: see :func:`readable_checkpoint`.
    """
    with checkpoint_safe_globals(), readable_checkpoint(path):
        return torch.load(os.fspath(path), map_location=map_location, weights_only=True)


def replace_atomically(partial: str | os.PathLike, target: str | os.PathLike) -> None:
    """Move the finished ``partial`` file onto ``target`` in one step (same folder), after
    flushing it to disk, so that ``target`` is always either the old or the new file."""
    with open(partial, 'rb') as file:
        os.fsync(file.fileno())
    os.replace(partial, target)


def write_text_atomically(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename."""
    target = Path(path)
    partial = target.with_name(f'.{target.name}.partial')
    partial.write_text(text, encoding='utf-8')
    replace_atomically(partial, target)


def find_resume_checkpoint(work_dir: str | os.PathLike) -> str | None:
    """The checkpoint ``--resume auto`` continues from, or None when there is none.

    ``last_checkpoint`` names it; when that file is missing, empty or points to a file that no
    longer exists (a run killed at the wrong moment), the highest ``epoch_N.pth`` /
    ``iter_N.pth`` of ``work_dir`` is used.
    """
    folder = Path(work_dir)
    pointer = folder / LAST_CHECKPOINT_FILE
    if pointer.is_file():
        named = pointer.read_text(encoding='utf-8').strip()
        if named and os.path.isfile(named):
            return named
        print_log(f'{pointer} names {named!r}, which does not exist; looking for the latest '
                  'epoch_N.pth instead', logger='current', level=logging.WARNING)
    if not folder.is_dir():
        return None
    numbered = [(int(match.group(2)), path) for path in folder.iterdir()
                if (match := _EPOCH_FILE.match(path.name))]
    return str(max(numbered)[1]) if numbered else None
