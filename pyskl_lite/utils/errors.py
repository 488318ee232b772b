"""User-facing errors: one line that names the file, the sample and the field."""
import sys
from collections.abc import Callable


class InputError(ValueError):
    """Bad user input (annotation file, video, config value).

    The message is a single line a user can act on, e.g.
    ``data/ntu.pkl: sample 'S001C001P001R001A001': field 'keypoint': expected 4-D (M, T, V, C),
    got shape (17, 2)``. Tools print it without a traceback (see :func:`run_cli`).
    """

    @classmethod
    def at(cls, file: str, message: str, sample: str | None = None,
           field: str | None = None) -> 'InputError':
        """Build the error for ``file`` / ``sample`` / ``field`` with a one-line ``message``."""
        parts = [str(file)]
        if sample is not None:
            parts.append(f'sample {sample!r}')
        if field is not None:
            parts.append(f'field {field!r}')
        return cls(': '.join(parts + [' '.join(str(message).split())]))


class TrainingDivergedError(InputError):
    """The loss became NaN or infinite: a sample the validator could not judge, or a learning
    rate too high for the model. The message names the iteration and the suspect samples."""


def run_cli(main: Callable[[], int | None]) -> None:
    """Run a tool's ``main``; an :class:`InputError` becomes ``error: <message>`` and exit 2."""
    try:
        code = main()
    except InputError as err:
        print(f'error: {err}', file=sys.stderr)
        sys.exit(2)
    sys.exit(code or 0)
