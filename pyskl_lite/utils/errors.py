"""User-facing errors: one line that names the file, the sample and the field.

:func:`run_cli` is the one place where the tools turn failures into that line: every
exception a user can cause ends as ``error: <what>: <where>: <why, and the fix>`` on stderr and
a non-zero exit status, without a traceback unless ``--debug`` is on the command line or
``PYSKL_DEBUG=1`` is set.
"""
import argparse
import errno
import os
import sys
from collections.abc import Callable

#: Environment variable that makes :func:`run_cli` show tracebacks (any value but ``0``).
DEBUG_ENV = 'PYSKL_DEBUG'
#: Command-line flag with the same effect; :func:`run_cli` removes it before the tool parses.
DEBUG_FLAG = '--debug'
#: Exit status of a reported error (argparse uses 2 as well).
ERROR_EXIT = 2
#: Set by launchers that collect the ranks' errors (see ``pyskl_lite.apis.launch``): each
#: process writes its error line to ``<dir>/rank<RANK>.err`` instead of printing it.
ERROR_DIR_ENV = 'PYSKL_ERROR_DIR'
_MAX_MESSAGE = 600


class InputError(ValueError):
    """Bad user input (annotation file, video, config value).

    The message is a single line a user can act on, e.g.
    ``data/ntu.pkl: sample 'S001C001P001R001A001': field 'keypoint': expected 4-D (M, T, V, C),
    got shape (17, 2)``. Tools print it without a traceback (see :func:`run_cli`).

    Attributes:
        sample: the sample the error is about (set by :meth:`at`), or None when it concerns the
            file or the setting as a whole.
    """

    sample: str | None = None

    @classmethod
    def at(cls, file: str, message: str, sample: str | None = None,
           field: str | None = None) -> 'InputError':
        """Build the error for ``file`` / ``sample`` / ``field`` with a one-line ``message``."""
        parts = [str(file)]
        if sample is not None:
            parts.append(f'sample {sample!r}')
        if field is not None:
            parts.append(f'field {field!r}')
        error = cls(': '.join(parts + [one_line(message)]))
        error.sample = sample
        return error


class TrainingDivergedError(InputError):
    """The loss became NaN or infinite: a sample the validator could not judge, or a learning
    rate too high for the model. The message names the iteration and the suspect samples."""


def one_line(message: object, limit: int = _MAX_MESSAGE) -> str:
    """``message`` with its whitespace runs (newlines included) collapsed, cut at ``limit``."""
    text = ' '.join(str(message).split())
    return text if len(text) <= limit else text[:limit - 3] + '...'


def debug_requested(argv: list[str] | None = None) -> bool:
    """True when ``--debug`` is in ``argv`` (default ``sys.argv``) or ``PYSKL_DEBUG`` is set."""
    argv = sys.argv if argv is None else argv
    return DEBUG_FLAG in argv[1:] or os.environ.get(DEBUG_ENV, '0') not in ('', '0')


def describe(err: BaseException) -> str:
    """The one-line message for ``err`` (without ``error: ``): :class:`InputError` as it is,
    the failures a user causes through the environment or the config with their fix, anything
    else as an internal error with the way to see its traceback."""
    if isinstance(err, InputError):
        return one_line(err)
    if isinstance(err, OSError):
        where = err.filename or 'a file'
        why = err.strerror or one_line(err)
        fix = {errno.ENOSPC: 'free disk space or choose another --work-dir',
               errno.EDQUOT: 'free disk space or choose another --work-dir',
               errno.EFBIG: 'free disk space, raise the file-size limit (ulimit -f) or choose '
                            'another --work-dir',
               errno.ENOTDIR: 'a part of the path is a file: choose another path',
               errno.EROFS: 'choose a writable --work-dir',
               errno.EACCES: 'check the permissions or choose another --work-dir',
               errno.EPERM: 'check the permissions or choose another --work-dir',
               errno.ENOENT: 'check the path'}.get(err.errno, 'check the path and the disk')
        return one_line(f'{where}: {why}: {fix}')
    if isinstance(err, KeyError) and 'registry' in str(err):
        return one_line(f'config: {str(err).strip(chr(34) + chr(39))} (check the spelling of '
                        "the 'type' and custom_imports)")
    if isinstance(err, RuntimeError) and 'Timed out' in str(err):
        return one_line(f'distributed: a collective operation timed out ({str(err)[-80:]}): a '
                        'rank is stuck or gone; raise env_cfg.dist_cfg.timeout if it was busy')
    if isinstance(err, MemoryError):
        return 'out of memory: use a smaller batch size or fewer DataLoader workers'
    if isinstance(err, KeyboardInterrupt):
        return 'interrupted'
    return one_line(f'{type(err).__name__}: {err} (an internal error or an unchecked config '
                    f'value; rerun with {DEBUG_FLAG} or {DEBUG_ENV}=1 for the traceback)')


def report(message: str) -> None:
    """Print ``error: message`` to stderr, or hand it to the launcher (:data:`ERROR_DIR_ENV`)
    so that a distributed job prints it once."""
    folder = os.environ.get(ERROR_DIR_ENV)
    if folder and os.path.isdir(folder):
        rank = os.environ.get('RANK', '0')
        try:
            with open(os.path.join(folder, f'rank{rank}.err'), 'w', encoding='utf-8') as file:
                file.write(message + '\n')
            return
        except OSError:
            pass
    print(f'error: {message}', file=sys.stderr, flush=True)


def _argparse_error(parser: argparse.ArgumentParser, message: str) -> None:
    """``ArgumentParser.error`` as one ``error:`` line pointing at ``--help``."""
    report(one_line(f'{parser.prog}: {message} (see {parser.prog} --help)'))
    sys.exit(ERROR_EXIT)


def check_cfg_options_words(argv: list[str]) -> None:
    """Every word after ``--cfg-options`` (up to the next ``--flag``) must be ``key=value``;
    mmengine's ``DictAction`` raises a bare ``ValueError`` otherwise."""
    inside = False
    for word in argv:
        if word.startswith('--'):
            inside = word == '--cfg-options'
        elif inside and '=' not in word:
            raise InputError(f'--cfg-options {word}: expected key=value (e.g. '
                             'train_dataloader.batch_size=16)')


def run_cli(main: Callable[[], int | None]) -> None:
    """Run a tool's ``main`` and exit with its status; every failure becomes one ``error:``
    line (see the module doc) and exit status 2 (130 when interrupted)."""
    debug = debug_requested()
    if DEBUG_FLAG in sys.argv[1:]:
        sys.argv.remove(DEBUG_FLAG)
    if debug:
        sys.exit(main() or 0)
    parser_error = argparse.ArgumentParser.error
    argparse.ArgumentParser.error = _argparse_error
    try:
        check_cfg_options_words(sys.argv[1:])
        code = main()
    except SystemExit:
        raise
    except BaseException as err:  # the tool's promise: one line, never a traceback
        report(describe(err))
        sys.exit(130 if isinstance(err, KeyboardInterrupt) else ERROR_EXIT)
    finally:
        argparse.ArgumentParser.error = parser_error
    sys.exit(code or 0)
