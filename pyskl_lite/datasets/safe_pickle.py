"""Load annotation pickles without executing code from them or exhausting the machine.

``pickle.load`` on an untrusted file runs whatever callable the file names (``os.system``,
``subprocess.Popen``, ...). Annotation pickles only ever need builtin containers, numbers,
strings and numpy arrays of plain numbers, so :class:`RestrictedUnpickler` resolves exactly
those globals, and resolves them to checking stand-ins rather than to the real callables:

- numpy dtypes are rebuilt from their plain description (``'f4'``, ``'<i8'``, ``'U5'``) only;
  object, structured, sub-array and void dtypes are refused, and a pickle ``BUILD`` never
  reaches ``numpy.dtype.__setstate__`` (which can clear the object flag of a field and make
  numpy read chosen bytes as pointers);
- arrays are rebuilt from a byte buffer whose length must equal ``prod(shape) * itemsize`` (no
  strides, offsets or shared buffers), with at most :data:`MAX_ARRAY_ELEMENTS` elements;
- builtin constructors (``list``, ``set``, ``bytes``, ``_codecs.encode`` of Python 2-era
  protocols, ...) accept only already-built values and no sizes, and ``_codecs.encode`` only
  the latin-1 codec pickle itself uses; everything they and the arrays allocate is charged to
  a budget of ``max(64 MiB, 4 x the file size)``;
- containers may nest at most :data:`MAX_NESTING` levels (recursive code on deeper data
  overflows the C stack).

Every refusal is one :class:`~pyskl_lite.utils.InputError` line naming the file.
"""
from __future__ import annotations

import _compat_pickle
import builtins
import codecs
import io
import math
import os
import pickle
import sys
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np

from pyskl_lite.utils import InputError

#: Deepest container nesting accepted (a PYSKL file nests 4 levels: dict, list, dict, tuple).
MAX_NESTING = 64
#: Most elements of one array (2**28: 1 GiB of float32).
MAX_ARRAY_ELEMENTS = 1 << 28
#: Allocation budget: this multiple of the file size, at least :data:`MIN_BUDGET_BYTES`.
EXPANSION_FACTOR = 4
MIN_BUDGET_BYTES = 64 << 20

# numpy dtype kinds an annotation may hold: bool, signed/unsigned int, float, complex, bytes,
# unicode. Their items are plain bytes, never pointers.
_PLAIN_KINDS = frozenset('biufcSU')
# numpy 2 moved ``numpy.core`` to ``numpy._core``; pickles written by either name either.
_NUMPY_CORE_MODULES = ('numpy.core', 'numpy._core')
_LATIN1 = codecs.lookup('latin-1').name
_POINTER_BYTES = 8
_NATIVE_ORDER = '<' if sys.byteorder == 'little' else '>'


class _Refused(Exception):
    """Raised by the stand-ins; :func:`load_annotation_pickle` adds the file name."""


class _TypeReference:
    """What a numpy scalar type (``numpy.uint8``, ...) resolves to: usable as a dtype, not
    callable."""

    __slots__ = ('type',)

    def __init__(self, kind: type) -> None:
        self.type = kind


class _DtypeSpec:
    """A checked plain dtype; pickle's ``BUILD`` may only set its byte order."""

    __slots__ = ('dtype',)

    def __init__(self, dtype: np.dtype) -> None:
        self.dtype = dtype

    def __setstate__(self, state: Any) -> None:
        # numpy's state: (version, byteorder, subarray, names, fields, elsize, alignment,
        # flags[, metadata]). Only the byte order is taken; the rest must describe no fields.
        if not (isinstance(state, tuple) and len(state) >= 5 and state[2:5] == (None,) * 3):
            raise _Refused('a dtype state with fields or sub-arrays (only plain numeric, bool '
                           'and string dtypes are allowed)')
        if state[1] in ('<', '>') and state[1] != _NATIVE_ORDER:
            self.dtype = self.dtype.newbyteorder(state[1])


class _PendingArray:
    """What ``_reconstruct`` returns; pickle's ``BUILD`` supplies shape, dtype and bytes."""

    __slots__ = ('array', 'unpickler')

    def __init__(self, unpickler: RestrictedUnpickler) -> None:
        self.array: np.ndarray | None = None
        self.unpickler = unpickler

    def __setstate__(self, state: Any) -> None:
        # numpy's state: (version, shape, dtype, is_fortran, rawdata); older files omit version.
        if isinstance(state, tuple) and len(state) == 5:
            state = state[1:]
        if not (isinstance(state, tuple) and len(state) == 4):
            raise _Refused('an array state that is not (shape, dtype, is_fortran, data)')
        shape, dtype, is_fortran, data = state
        self.array = self.unpickler.array_from_bytes(data, dtype, shape,
                                                     'F' if is_fortran else 'C')
        self.unpickler = None


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that resolves only builtin containers and numpy array/dtype globals, each
    to a stand-in that checks its arguments (see the module doc).

    Args:
        file: binary file object positioned at the pickle.
        source: path shown in error messages.
        budget_bytes: how much the stand-ins may allocate in total.
    """

    def __init__(self, file: io.BufferedIOBase, source: str, budget_bytes: int) -> None:
        super().__init__(file)
        self.source = source
        self.budget = budget_bytes
        self.stand_ins: dict[int, str] = {}
        containers = {name: self._container(getattr(builtins, name))
                      for name in ('list', 'tuple', 'set', 'frozenset', 'dict')}
        scalars = {name: self._scalar(getattr(builtins, name))
                   for name in ('int', 'float', 'complex', 'bool', 'str', 'slice', 'range')}
        self.globals: dict[tuple[str, str], Any] = {
            **{('builtins', name): fn for name, fn in {**containers, **scalars}.items()},
            ('builtins', 'bytes'): self._bytes(bytes),
            ('builtins', 'bytearray'): self._bytes(bytearray),
            ('collections', 'OrderedDict'): self._container(OrderedDict),
            ('collections', 'defaultdict'): self._defaultdict,
            ('_codecs', 'encode'): self._encode,
            ('numpy', 'dtype'): self._dtype,
            ('numpy', 'ndarray'): self._ndarray,
            ('multiarray', '_reconstruct'): self._reconstruct,
            ('multiarray', 'scalar'): self._numpy_scalar,
            ('numeric', '_frombuffer'): self._frombuffer,
        }
        self.factories = {id(containers[name]): getattr(builtins, name)
                          for name in containers}
        self.factories.update({id(scalars[name]): getattr(builtins, name)
                               for name in ('int', 'float', 'complex', 'bool', 'str')})

    def find_class(self, module: str, name: str) -> Any:
        # Python 2-era protocols name ``__builtin__.set`` and the like.
        module, name = _compat_pickle.NAME_MAPPING.get(
            (module, name), (_compat_pickle.IMPORT_MAPPING.get(module, module), name))
        for core in _NUMPY_CORE_MODULES:
            if module.startswith(core + '.'):
                module = module[len(core) + 1:]
        stand_in = self.globals.get((module, name))
        if stand_in is None and module == 'numpy' and _is_plain_scalar_type(name):
            stand_in = self.globals[module, name] = _TypeReference(getattr(np, name))
        if stand_in is None:
            raise InputError.at(
                self.source, f'refused to load global {module}.{name}: annotation pickles may '
                'hold only builtin containers and numpy arrays (the file may be malicious)')
        self.stand_ins[id(stand_in)] = f'{module}.{name}'
        return stand_in

    def charge(self, nbytes: int) -> None:
        """Take ``nbytes`` from the allocation budget; refuse when it runs out."""
        self.budget -= nbytes
        if self.budget < 0:
            raise _Refused(f'the file expands to more than {EXPANSION_FACTOR} x its size '
                           f'(at least {MIN_BUDGET_BYTES >> 20} MiB) in memory (a memory bomb?)')

    def array_from_bytes(self, data: Any, dtype: Any, shape: Any, order: str) -> np.ndarray:
        """A writable array of ``shape`` holding exactly the bytes of ``data``."""
        if isinstance(dtype, _TypeReference):
            dtype = _DtypeSpec(np.dtype(dtype.type))
        if not isinstance(dtype, _DtypeSpec):
            raise _Refused(f'an array dtype that is a {type(dtype).__name__}, not a numpy dtype')
        if not (isinstance(shape, tuple) and len(shape) <= 32 and all(
                type(n) is int and n >= 0 for n in shape)):
            raise _Refused(f'an array shape {shape!r:.80} that is not a tuple of sizes >= 0')
        if not isinstance(data, (bytes, bytearray)):
            raise _Refused(f'array data of type {type(data).__name__} (object arrays are not '
                           'allowed)')
        count = math.prod(shape)
        if count > MAX_ARRAY_ELEMENTS:
            raise _Refused(f'an array of shape {shape} has {count} elements, more than the '
                           f'limit of {MAX_ARRAY_ELEMENTS}')
        itemsize = dtype.dtype.itemsize
        if len(data) != count * itemsize:
            raise _Refused(f'an array of shape {shape} and dtype {dtype.dtype} needs '
                           f'{count * itemsize} bytes but its data has {len(data)}')
        self.charge(count * itemsize)
        flat = np.frombuffer(data, dtype=dtype.dtype, count=count) if count else \
            np.empty(0, dtype.dtype)
        array = flat.reshape(shape, order=order)
        return array if array.flags.writeable else array.copy(order='K')

    # -- stand-ins of the allowed globals ---------------------------------------------------

    def _dtype(self, spec: Any, align: Any = False, copy: Any = False) -> _DtypeSpec:
        if not (isinstance(spec, str) and len(spec) <= 8):
            raise _Refused(f'dtype {spec!r:.80}: only plain descriptions such as "f4" are '
                           'allowed')
        try:
            dtype = np.dtype(spec)
        except TypeError:
            raise _Refused(f'unknown dtype {spec!r}') from None
        if dtype.kind not in _PLAIN_KINDS or dtype.fields is not None or dtype.subdtype:
            raise _Refused(f'dtype {spec!r}: only numeric, bool and string dtypes are allowed '
                           '(no object or structured dtypes)')
        return _DtypeSpec(dtype)

    def _ndarray(self, shape: Any = (0,), dtype: Any = None, *unsafe: Any) -> _PendingArray:
        # pickle's BUILD supplies the real shape, dtype and bytes.
        if unsafe:
            raise _Refused('numpy.ndarray() with a buffer, offset or strides')
        return _PendingArray(self)

    def _reconstruct(self, cls: Any, shape: Any = (0,), typecode: Any = b'b') -> _PendingArray:
        if cls is not self.globals['numpy', 'ndarray']:
            raise _Refused('_reconstruct of something other than numpy.ndarray')
        return _PendingArray(self)

    def _frombuffer(self, data: Any, dtype: Any, shape: Any, order: Any) -> np.ndarray:
        if isinstance(data, pickle.PickleBuffer):
            data = bytes(data)
        return self.array_from_bytes(data, dtype, shape, 'F' if order == 'F' else 'C')

    def _numpy_scalar(self, dtype: Any, data: Any = None) -> Any:
        return self.array_from_bytes(data, dtype, (1,), 'C')[0]

    def _encode(self, text: Any, encoding: Any = 'utf-8', errors: Any = 'strict') -> bytes:
        if not (isinstance(text, str) and isinstance(encoding, str)):
            raise _Refused('_codecs.encode of something other than a string')
        try:
            latin1 = codecs.lookup(encoding).name == _LATIN1
        except LookupError:
            latin1 = False
        if not latin1:
            raise _Refused(f'_codecs.encode with codec {encoding!r:.40}: pickles only use '
                           'latin-1')
        self.charge(len(text))
        return text.encode('latin-1')

    def _container(self, kind: type) -> Callable[..., Any]:
        def build(items: Any = ()) -> Any:
            if not isinstance(items, (list, tuple, set, frozenset, dict)):
                raise _Refused(f'{kind.__name__}() of a {type(items).__name__}')
            self.charge(_POINTER_BYTES * len(items))
            return kind(items)
        return build

    def _scalar(self, kind: type) -> Callable[..., Any]:
        def build(*args: Any) -> Any:
            for arg in args:
                if arg is not None and not isinstance(arg, (int, float, complex, str, bytes)):
                    raise _Refused(f'{kind.__name__}() of a {type(arg).__name__}')
                self.charge(len(arg) if isinstance(arg, (str, bytes)) else _POINTER_BYTES)
            return kind(*args)
        return build

    def _bytes(self, kind: type) -> Callable[..., Any]:
        def build(data: Any = b'', encoding: Any = None) -> Any:
            if isinstance(data, str):
                data = self._encode(data, encoding or 'utf-8')
            if not isinstance(data, (bytes, bytearray)):
                raise _Refused(f'{kind.__name__}() of a {type(data).__name__} (sizes are not '
                               'allowed)')
            self.charge(len(data))
            return kind(data)
        return build

    def _defaultdict(self, factory: Any = None, items: Any = ()) -> defaultdict:
        if factory is not None and id(factory) not in self.factories:
            raise _Refused('a defaultdict whose factory is not a builtin type')
        mapping = defaultdict(self.factories.get(id(factory)))
        mapping.update(self._container(dict)(items))
        return mapping

    # -- after loading ----------------------------------------------------------------------

    def resolve(self, root: Any) -> Any:
        """``root`` with every pending array replaced by its array and every dtype stand-in by
        its dtype, checking the nesting depth; iterative, so deep data cannot overflow the
        stack."""
        replaced: dict[int, Any] = {}
        seen: set[int] = set()
        stack: list[tuple[Any, int, bool]] = [(root, 0, False)]
        while stack:
            node, depth, done = stack.pop()
            if done:
                self._replace_children(node, replaced)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, _PendingArray):
                if node.array is None:
                    raise _Refused('an array without data (no BUILD after _reconstruct)')
                replaced[id(node)] = node.array
            elif isinstance(node, _DtypeSpec):
                replaced[id(node)] = node.dtype
            elif isinstance(node, _TypeReference):
                replaced[id(node)] = node.type
            elif id(node) in self.stand_ins:
                raise _Refused(f'a bare reference to {self.stand_ins[id(node)]} in the data')
            elif isinstance(node, (list, tuple, dict, set, frozenset)):
                if depth >= MAX_NESTING:
                    raise _Refused(f'containers nested deeper than {MAX_NESTING} levels')
                stack.append((node, depth, True))
                children = [*node.keys(), *node.values()] if isinstance(node, dict) else node
                stack.extend((child, depth + 1, False) for child in children)
        return replaced.get(id(root), root)

    @staticmethod
    def _replace_children(node: Any, replaced: dict[int, Any]) -> None:
        if isinstance(node, list):
            for index, child in enumerate(node):
                if id(child) in replaced:
                    node[index] = replaced[id(child)]
        elif isinstance(node, dict):
            for key, value in node.items():
                if id(key) in replaced:
                    raise _Refused('an array or a tuple holding one used as a dict key')
                if id(value) in replaced:
                    node[key] = replaced[id(value)]
        elif isinstance(node, tuple):
            if any(id(child) in replaced for child in node):
                replaced[id(node)] = tuple(replaced.get(id(child), child) for child in node)
        elif any(id(child) in replaced for child in node):
            raise _Refused('an array or a tuple holding one inside a set')


def _is_plain_scalar_type(name: str) -> bool:
    """True for numpy's numeric, bool and string scalar types (``numpy.uint8``, ...)."""
    value = getattr(np, name, None)
    return isinstance(value, type) and issubclass(
        value, (np.number, np.bool_, np.str_, np.bytes_))


def load_annotation_pickle(path: str | os.PathLike) -> Any:
    """Read an annotation pickle with :class:`RestrictedUnpickler`.

    Args:
        path: the ``.pkl`` file.

    Returns:
        The unpickled object (for PYSKL files a dict with ``split`` and ``annotations``, or a
        bare list of annotations), holding builtin containers, numbers, strings and writable
        numpy arrays.

    Raises:
        InputError: when the file is missing, not a pickle, truncated, names a global other
            than builtin containers and numpy arrays, or breaks a limit of the module doc.
    """
    return load_pickle_safely(path, 'annotation pickle')


def load_pickle_safely(path: str | os.PathLike, what: str = 'pickle') -> Any:
    """Read any untrusted pickle of builtin containers and numpy arrays (see the module doc);
    ``what`` names the kind of file in error messages (``'results file'``, ...)."""
    source = os.fspath(path)
    if not os.path.isfile(source):
        raise InputError.at(source, f'{what} not found')
    budget = max(MIN_BUDGET_BYTES, EXPANSION_FACTOR * os.path.getsize(source))
    with open(source, 'rb') as file:
        unpickler = RestrictedUnpickler(file, source, budget)
        try:
            return unpickler.resolve(unpickler.load())
        except InputError:
            raise
        except _Refused as err:
            raise InputError.at(source, f'refused unsafe pickle content: {err} (the file may be '
                                'malicious or corrupt; re-create it with tools/data)') from None
        except Exception as err:  # any failure of the unpickler means an unreadable file
            raise InputError.at(
                source, f'not a readable {what} ({type(err).__name__}: {err!s:.200})'
            ) from None
