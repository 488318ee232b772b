"""Load annotation pickles without executing code from them.

``pickle.load`` on an untrusted file runs whatever callable the file names (``os.system``,
``subprocess.Popen``, ...). Annotation pickles only ever need builtin containers and numpy
arrays, so :class:`RestrictedUnpickler` admits exactly those globals and refuses the rest with an
:class:`~pyskl_lite.utils.InputError` before anything is called.
"""
from __future__ import annotations

import importlib
import io
import os
import pickle
from typing import Any

from pyskl_lite.utils import InputError

_SAFE_BUILTINS = frozenset({
    'dict', 'list', 'tuple', 'set', 'frozenset', 'int', 'float', 'complex', 'bool', 'str',
    'bytes', 'bytearray', 'slice', 'range',
})

# (module, name) pairs that rebuild numpy arrays, scalars and dtypes. numpy 2 moved
# ``numpy.core`` to ``numpy._core``; pickles written by either version name either module.
_NUMPY_GLOBALS = frozenset({
    ('multiarray', '_reconstruct'),
    ('multiarray', 'scalar'),
    ('numeric', '_frombuffer'),
})
_NUMPY_CORE_MODULES = ('numpy.core', 'numpy._core')

_OTHER_GLOBALS = frozenset({
    ('numpy', 'ndarray'),
    ('numpy', 'dtype'),
    ('collections', 'OrderedDict'),
    ('collections', 'defaultdict'),
    ('_codecs', 'encode'),  # bytes written by Python 2-era protocols
})


def _is_numpy_scalar_type(name: str) -> bool:
    """True for numpy's numeric, bool and string scalar types (``numpy.uint8``, ...)."""
    import numpy
    value = getattr(numpy, name, None)
    return isinstance(value, type) and issubclass(
        value, (numpy.number, numpy.bool_, numpy.str_, numpy.bytes_))


def _allowed(module: str, name: str) -> bool:
    if module == 'builtins':
        return name in _SAFE_BUILTINS
    if module == 'numpy' and _is_numpy_scalar_type(name):
        return True
    if module == 'numpy.dtypes':
        return name.endswith('DType')
    for core in _NUMPY_CORE_MODULES:
        if module.startswith(core + '.'):
            return (module[len(core) + 1:], name) in _NUMPY_GLOBALS
    return (module, name) in _OTHER_GLOBALS


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that resolves only builtin containers and numpy array/dtype globals.

    Args:
        file: binary file object positioned at the pickle.
        source: path shown in error messages.
    """

    def __init__(self, file: io.BufferedIOBase, source: str) -> None:
        super().__init__(file)
        self.source = source

    def find_class(self, module: str, name: str) -> Any:
        if not _allowed(module, name):
            raise InputError.at(
                self.source, f'refused to load global {module}.{name}: annotation pickles may '
                'hold only builtin containers and numpy arrays (the file may be malicious)')
        if module.startswith('numpy.core.'):
            # Avoid numpy 2's deprecation shim; both names hold the same functions.
            module = module.replace('numpy.core.', f'{_numpy_core()}.', 1)
        return getattr(importlib.import_module(module), name)


def _numpy_core() -> str:
    import numpy
    return 'numpy._core' if int(numpy.__version__.split('.')[0]) >= 2 else 'numpy.core'


def load_annotation_pickle(path: str | os.PathLike) -> Any:
    """Read an annotation pickle with :class:`RestrictedUnpickler`.

    Args:
        path: the ``.pkl`` file.

    Returns:
        The unpickled object (for PYSKL files a dict with ``split`` and ``annotations``, or a
        bare list of annotations).

    Raises:
        InputError: when the file is missing, not a pickle, truncated, or names a global other
            than builtin containers and numpy arrays.
    """
    source = os.fspath(path)
    if not os.path.isfile(source):
        raise InputError.at(source, 'annotation file not found')
    with open(source, 'rb') as file:
        try:
            return RestrictedUnpickler(file, source).load()
        except InputError:
            raise
        except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError,
                ImportError, IndexError, KeyError, MemoryError) as err:
            raise InputError.at(
                source, f'not a readable annotation pickle ({type(err).__name__}: {err})'
            ) from None
