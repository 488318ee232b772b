"""An adversarial corpus of annotation pickles and a harness that feeds them to the loader.

    python tests/datasets/adversarial_corpus.py [--repo DIR] [--show KIND] [--cli]

runs every case through ``tools/data/summarize.py`` of ``--repo`` (default: this checkout; point
it at an export of another commit to compare) and prints the counts of outcomes:

- ``one-line error``: non-zero exit, no traceback, the output ends in one ``error: ...`` line;
- ``accepted``: exit 0 for a case that is valid or may be valid (a mutation that still parses);
- ``traceback``, ``crash`` (killed by a signal), ``hang`` (over the time limit);
- ``multi-line error``: non-zero exit without a traceback, but not one ``error:`` line;
- ``silent garbage``: exit 0 for a case that must be refused;
- ``wrote files``: a payload created a file outside the case's temporary folder.

``--cli`` adds about 25 user mistakes made through ``tools/train.py``, ``tools/test.py`` and
``tools/dist_train.sh`` (config values, unknown keys, damaged checkpoints, a full disk, a
diverging run, a stopped rank), each in its own process (a few minutes in all).

Each case runs in a process forked from one worker that imported pyskl_lite once, under an
address-space limit (1 GiB above the worker's) and a time limit, in its own empty folder. The
fuzz test (``test_adversarial_pickles.py``) uses the same harness.
"""
from __future__ import annotations

import argparse
import collections
import dataclasses
import json
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
OUTCOMES = ('one-line error', 'accepted', 'traceback', 'crash', 'hang', 'multi-line error',
            'silent garbage', 'wrote files')


@dataclasses.dataclass
class Case:
    """One file for the loader; ``expect`` is ``'refuse'``, ``'accept'`` or ``'either'``."""

    name: str
    data: bytes
    expect: str = 'refuse'


class Reduce:
    """Pickles as ``func(*args)`` followed by ``BUILD(state)`` when ``state`` is given."""

    def __init__(self, func, args, state=None) -> None:
        self.func, self.args, self.state = func, args, state

    def __reduce__(self):
        return (self.func, self.args) if self.state is None else (self.func, self.args,
                                                                   self.state)


def global_call(module: str, name: str, *args, protocol: int = 2) -> bytes:
    """A pickle whose whole content is ``module.name(*args)`` (args pickled normally)."""
    body = pickle.dumps(args, protocol=protocol)
    # PROTO 2, GLOBAL 'module name', <args tuple without PROTO and STOP>, REDUCE, STOP
    return (b'\x80\x02c' + module.encode() + b'\n' + name.encode() + b'\n' + body[2:-1]
            + b'R.')


def sample(index: int = 0, dim: int = 2, frames: int = 6, joints: int = 17, label: int = 0,
           **overrides) -> dict:
    """A well-formed sample; ``overrides`` replace or (value ``...``) delete fields."""
    rng = np.random.default_rng(index)
    item = dict(frame_dir=f'S001C001P001R001A{index:03d}', label=label, total_frames=frames,
                keypoint=(rng.random((1, frames, joints, dim)) * 100).astype(np.float32))
    if dim == 2:
        item.update(keypoint_score=rng.random((1, frames, joints)).astype(np.float32),
                    img_shape=(480, 640), original_shape=(480, 640))
    for key, value in overrides.items():
        if value is ...:
            item.pop(key, None)
        else:
            item[key] = value
    return item


def dataset(samples: list[dict], split: dict | None = None) -> dict:
    """``{'split': ..., 'annotations': samples}``; default split: all in ``train``."""
    ids = [s.get('frame_dir') for s in samples]
    return dict(split=split if split is not None else dict(train=ids), annotations=samples)


def valid_files() -> list[Case]:
    """Well-formed files in every protocol, 2D and 3D."""
    cases = []
    for protocol in (2, 4, 5):
        for dim in (2, 3):
            data = dataset([sample(i, dim=dim, label=i % 2) for i in range(4)])
            cases.append(Case(f'valid/{dim}d_protocol{protocol}',
                              pickle.dumps(data, protocol=protocol), 'accept'))
    return cases


def code_execution(marker_dir: str) -> list[Case]:
    """Payloads that would run code or write a file in ``marker_dir`` if unpickled freely."""
    marker = os.path.join(marker_dir, 'pwned')
    calls = [('os', 'system', f'touch {marker}'), ('posix', 'system', f'touch {marker}'),
             ('subprocess', 'call', ['touch', marker]), ('builtins', 'eval',
                                                          f'open({marker!r}, "w")'),
             ('builtins', 'exec', f'open({marker!r}, "w")'), ('builtins', 'open', marker, 'w'),
             ('io', 'open', marker, 'w'), ('_io', 'open', marker, 'w'),
             ('pathlib', 'Path', marker), ('shutil', 'copy', '/etc/hostname', marker),
             ('numpy', 'save', marker, [1]), ('numpy', 'load', '/etc/hostname'),
             ('builtins', 'getattr', 1, '__class__'), ('builtins', '__import__', 'os'),
             ('builtins', 'compile', 'x', 'f', 'exec'), ('pickle', 'loads', b'x'),
             ('numpy.lib.npyio', 'load', '/etc/hostname'), ('torch', 'load', marker),
             ('copyreg', '_reconstructor', 1, 2, 3), ('builtins', 'breakpoint'),
             ('numpy.testing', 'assert_', False), ('builtins', 'type', 'x', (), {}),
             ('collections', 'namedtuple', 'x', 'y')]
    return [Case(f'exec/{module}.{name}', global_call(module, name, *args))
            for module, name, *args in calls]


def _dtype_object(spec: str, state: tuple) -> Reduce:
    return Reduce(np.dtype, (spec, False, True), state)


def _array(shape, dtype, data, reconstruct=None) -> Reduce:
    core = np._core.multiarray if hasattr(np, '_core') else np.core.multiarray
    return Reduce(reconstruct or core._reconstruct, (np.ndarray, (0,), b'b'),
                  (1, shape, dtype, False, data))


def dtype_attacks() -> list[Case]:
    """Dtypes that make numpy read chosen bytes as pointers or read out of bounds."""
    pointer_field = _dtype_object('V16', (3, '|', None, ('a',), {'a': (np.dtype('O'), 0)},
                                           16, 1, 0))
    far_field = _dtype_object('V8', (3, '|', None, ('a',), {'a': (np.dtype('f8'), 10 ** 9)},
                                     8, 1, 0))
    attacks = {
        'object_field_flag_cleared': _array((2,), pointer_field, b'\x41' * 32),
        'field_offset_1e9': _array((1,), far_field, b'\x00' * 8),
        'object_dtype_array': np.array([{'a': 1}, 3], dtype=object),
        'object_dtype_list_data': _array((2,), np.dtype('O'), [1, 2]),
        'structured_dtype': np.zeros(2, dtype=[('x', 'f4'), ('y', 'i4')]),
        'subarray_dtype': _array((1,), _dtype_object('V8', (3, '|', (np.dtype('f4'), (2,)),
                                                             None, None, 8, 4, 0)), b'\0' * 8),
        'void_dtype': np.zeros(2, dtype='V4'),
        'datetime_dtype': np.zeros(2, dtype='M8[s]'),
        'dtype_spec_not_str': _array((1,), Reduce(np.dtype, (42,)), b'\0'),
        'dtype_spec_huge_unicode': _array((1,), Reduce(np.dtype, ('U2147483647',)), b''),
        'dtype_state_garbage': _array((1,), _dtype_object('f4', ('x',)), b'\0' * 4),
    }
    return [Case(f'dtype/{name}', pickle.dumps(dataset([sample(label=value)]), protocol=2))
            for name, value in attacks.items()]


def array_attacks() -> list[Case]:
    """Arrays whose buffer does not match their shape, strided views, absurd shapes."""
    f4 = np.dtype('f4')
    attacks = {
        'data_shorter_than_shape': _array((1, 6, 17, 2), f4, b'\0' * 16),
        'data_longer_than_shape': _array((1, 1, 1, 2), f4, b'\0' * 4096),
        'negative_dimension': _array((1, -6, 17, 2), f4, b''),
        'dimension_2_62': _array((1, 2 ** 62, 17, 2), f4, b'\0' * 8),
        'dimension_not_int': _array((1, 'x', 17, 2), f4, b'\0' * 8),
        'shape_not_tuple': _array(7, f4, b'\0' * 28),
        'data_is_str': _array((1,), f4, 'abcd'),
        'zero_strides_bomb': Reduce(np.ndarray, ((1, 10 ** 8, 17, 2), f4, b'\0' * 4, 0,
                                                 (0, 0, 0, 0))),
        'negative_offset_buffer': Reduce(np.ndarray, ((4,), f4, b'\0' * 16, -8)),
        'reconstruct_of_other_class': Reduce(
            (np._core.multiarray if hasattr(np, '_core') else np.core.multiarray)._reconstruct,
            (np.matrix, (0,), b'b')),
        'no_build_after_reconstruct': Reduce(
            (np._core.multiarray if hasattr(np, '_core') else np.core.multiarray)._reconstruct,
            (np.ndarray, (0,), b'b')),
        'huge_elements_tiny_file': _array((2 ** 20, 2 ** 20, 17, 2), f4, b''),
    }
    cases = [Case(f'array/{name}', pickle.dumps(dataset([sample(keypoint=value)]), protocol=2))
             for name, value in attacks.items()]
    numeric = np._core.numeric if hasattr(np, '_core') else np.core.numeric
    frombuffer = Reduce(numeric._frombuffer, (bytearray(16), f4, (1, 6, 17, 2), 'C'))
    cases.append(Case('array/frombuffer_short', pickle.dumps(
        dataset([sample(keypoint=frombuffer)]), protocol=5)))
    readonly = sample()
    readonly['keypoint'][0, 0, 0, 0] = np.nan
    readonly['keypoint'].flags.writeable = False
    readonly['keypoint_score'].flags.writeable = False
    cases.append(Case('array/read_only_with_nan', pickle.dumps(dataset([readonly]), protocol=5),
                      'accept'))
    return cases


def memory_bombs() -> list[Case]:
    """Small files that expand to gigabytes: codec chains, sized constructors, deep nesting."""
    chain = Reduce(__import__('_codecs').encode, ('A' * 1024, 'latin1'))
    for _ in range(24):
        chain = Reduce(__import__('_codecs').encode, (chain, 'hex'))
    cases = [Case('bomb/codecs_hex_chain', pickle.dumps([chain], protocol=2)),
             Case('bomb/codecs_unknown_codec', global_call('_codecs', 'encode', 'x', 'no-such')),
             Case('bomb/codecs_zlib', global_call('_codecs', 'encode', b'x', 'zlib')),
             Case('bomb/bytearray_size', global_call('builtins', 'bytearray', 10 ** 10)),
             Case('bomb/bytes_size', global_call('builtins', 'bytes', 10 ** 10)),
             Case('bomb/str_repeat', global_call('builtins', 'str', 'x' * 10)),
             Case('bomb/int_digits', global_call('builtins', 'int', '9' * 100000)),
             Case('bomb/numpy_bytes_size', global_call('numpy', 'bytes_', 10 ** 10)),
             Case('bomb/numpy_float_list', global_call('numpy', 'float64', [1.0] * 5))]
    big_range = Reduce(range, (10 ** 12,))
    for name in ('list', 'tuple', 'set', 'frozenset', 'bytearray'):
        cases.append(Case(f'bomb/{name}_of_range',
                          pickle.dumps([Reduce(getattr(__import__('builtins'), name),
                                               (big_range,))], protocol=2)))
    # Many references to one list, each copied: quadratic growth.
    shared = list(range(20000))
    copies = [Reduce(list, (shared,)) for _ in range(20000)]
    cases.append(Case('bomb/list_copies_quadratic', pickle.dumps(copies, protocol=4)))
    nested_tuple = b'\x80\x04' + b'(' * 200000 + b')' + b't' * 200000 + b'.'
    nested_list = b'\x80\x04' + b']' * 200000 + b'a' * 199999 + b'.'
    nested_dict = b'\x80\x04' + b'}' + b'X\x01\x00\x00\x00k}' * 100000 + b's' * 100000 + b'.'
    cases += [Case('nest/tuple_200000', nested_tuple), Case('nest/list_200000', nested_list),
              Case('nest/dict_100000', nested_dict)]
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(20000)
    for depth in (70, 1000, 5000):
        value: object = 0
        for _ in range(depth):
            value = [value]
        cases.append(Case(f'nest/label_list_{depth}',
                          pickle.dumps(dataset([sample(label=value)]), protocol=4)))
    sys.setrecursionlimit(limit)
    # A deep value in a field the validator does not read: mmengine pickles every sample.
    deep_field = pickle.dumps(dataset([sample(meta=0)]), protocol=4)
    deep_value = b']' * 100000 + b'K\x00' + b'a' * 100000
    cases.append(Case('nest/extra_field_list_100000',
                      deep_field.replace(b'meta\x94K\x00', b'meta\x94' + deep_value)))
    cyclic: list = []
    cyclic.append(cyclic)
    cases.append(Case('nest/cyclic_list', pickle.dumps(cyclic, protocol=4)))
    return cases


def semantic_errors() -> list[Case]:
    """Well-formed pickles with wrong content: every field, split and duplicate problem."""
    big = np.uint64(2 ** 63 + 5)
    fields = {
        'label_uint64_2_63': dict(label=big), 'label_negative': dict(label=-1),
        'label_float': dict(label=1.5), 'label_str': dict(label='walk'),
        'label_bool': dict(label=True), 'label_missing': dict(label=...),
        'label_array': dict(label=np.array([1, 2])), 'label_huge_int': dict(label=10 ** 30),
        'total_frames_mismatch': dict(total_frames=99), 'total_frames_str': dict(total_frames='6'),
        'total_frames_missing': dict(total_frames=...), 'keypoint_missing': dict(keypoint=...),
        'keypoint_3d_array': dict(keypoint=np.zeros((6, 17, 2), np.float32)),
        'keypoint_4_coords': dict(keypoint=np.zeros((1, 6, 17, 4), np.float32)),
        'keypoint_int': dict(keypoint=np.zeros((1, 6, 17, 2), np.int64)),
        'keypoint_str_dtype': dict(keypoint=np.full((1, 6, 17, 2), 'a')),
        'keypoint_list': dict(keypoint=[[1.0, 2.0]]),
        'keypoint_zero_joints': dict(keypoint=np.zeros((1, 6, 0, 2), np.float32),
                                     keypoint_score=np.zeros((1, 6, 0), np.float32)),
        'keypoint_1e30': dict(keypoint=np.full((1, 6, 17, 2), 1e30, np.float32)),
        'score_wrong_shape': dict(keypoint_score=np.zeros((1, 6, 16), np.float32)),
        'score_str_dtype': dict(keypoint_score=np.full((1, 6, 17), 'x')),
        'score_complex': dict(keypoint_score=np.zeros((1, 6, 17), np.complex64)),
        'score_bool': dict(keypoint_score=np.ones((1, 6, 17), bool)),
        'score_list': dict(keypoint_score=[0.5] * 17),
        'score_missing_2d': dict(keypoint_score=...),
        'score_nan': dict(keypoint_score=np.full((1, 6, 17), np.nan, np.float32)),
        'img_shape_zero': dict(img_shape=(0, 0)), 'img_shape_str': dict(img_shape='big'),
        'img_shape_negative': dict(img_shape=(-480, 640)),
        'img_shape_nan': dict(img_shape=(float('nan'), 640)),
        'img_shape_one_value': dict(img_shape=(480,)),
        'img_shape_huge': dict(img_shape=(10 ** 30, 640)),
        'img_shape_array': dict(img_shape=np.array([480, 640])),
        'original_shape_str': dict(original_shape='hd'),
        'frame_dir_list': dict(frame_dir=['a']), 'frame_dir_missing': dict(frame_dir=...),
        'frame_dir_int': dict(frame_dir=5), 'frame_dir_empty': dict(frame_dir=''),
        'frame_dir_dict': dict(frame_dir={'a': 1}),
    }
    accepted = {'keypoint_1e30', 'score_bool', 'score_nan', 'img_shape_array'}
    cases = []
    for name, override in fields.items():
        item = sample(**override)
        split = dict(train=[item.get('frame_dir', 'x')]) if _hashable(
            item.get('frame_dir', 'x')) else dict(train=['x'])
        cases.append(Case(f'field/{name}', pickle.dumps(dataset([item], split), protocol=4),
                          'accept' if name in accepted else 'refuse'))
    nan_sample = sample()
    nan_sample['keypoint'][0, :2] = np.nan
    cases.append(Case('field/nan_coordinates', pickle.dumps(dataset([nan_sample]), protocol=4),
                      'accept'))
    cases.append(Case('field/3d_without_scores_ok', pickle.dumps(
        dataset([sample(dim=3)]), protocol=4), 'accept'))
    cases.append(Case('field/empty_person_skipped', pickle.dumps(dataset(
        [sample(0), sample(1, keypoint=np.zeros((0, 6, 17, 2), np.float32),
                           keypoint_score=np.zeros((0, 6, 17), np.float32))]), protocol=4),
        'accept'))
    a, b = sample(0, label=0), sample(0, label=1)
    cases.append(Case('split/frame_dir_twice_different_labels',
                      pickle.dumps(dataset([a, b], dict(train=[a['frame_dir']])), protocol=4)))
    c, d = sample(0), sample(1)
    cases.append(Case('split/train_val_leak', pickle.dumps(dataset(
        [c, d], dict(train=[c['frame_dir'], d['frame_dir']], val=[d['frame_dir']])),
        protocol=4)))
    cases.append(Case('split/id_listed_twice', pickle.dumps(dataset(
        [c, d], dict(train=[c['frame_dir'], c['frame_dir'], d['frame_dir']])), protocol=4),
        'accept'))
    cases.append(Case('split/unhashable_id', pickle.dumps(dataset(
        [c], dict(train=[['x']])), protocol=4)))
    cases.append(Case('split/ids_not_list', pickle.dumps(dataset([c], dict(train=5)),
                                                         protocol=4)))
    cases.append(Case('split/unknown_id', pickle.dumps(dataset([c], dict(train=['nope'])),
                                                       protocol=4)))
    cases.append(Case('split/not_a_dict', pickle.dumps(dict(split=[1], annotations=[c]),
                                                       protocol=4)))
    cases.append(Case('split/empty', pickle.dumps(dataset([c], dict(train=[])), protocol=4)))
    cases.append(Case('split/name_not_str', pickle.dumps(dataset([c], {1: [c['frame_dir']]}),
                                                         protocol=4), 'accept'))
    structure = {'top_int': 5, 'top_none': None, 'annotations_dict': dict(annotations={}),
                 'annotations_missing': dict(split={}), 'sample_is_list': [[1, 2]],
                 'empty_list': [], 'all_samples_empty': [sample(keypoint=np.zeros(
                     (1, 0, 17, 2), np.float32), keypoint_score=np.zeros((1, 0, 17),
                                                                          np.float32),
                     total_frames=0)]}
    cases += [Case(f'structure/{name}', pickle.dumps(value, protocol=4))
              for name, value in structure.items()]
    raw = {'empty_file': b'', 'random_bytes': np.random.default_rng(0).bytes(4096),
           'text_file': b'frame_dir,label\nx,1\n', 'proto_only': b'\x80\x04',
           'stop_only': b'.', 'persistent_id': b'\x80\x02X\x01\x00\x00\x00aQ.',
           'ext_code': b'\x80\x02\x82\x01.', 'bad_memo_get': b'\x80\x02h\x05.'}
    cases += [Case(f'raw/{name}', value) for name, value in raw.items()]
    valid = pickle.dumps(dataset([sample(i) for i in range(3)]), protocol=4)
    cases += [Case(f'raw/truncated_{pct}pct', valid[:len(valid) * pct // 100])
              for pct in (1, 10, 30, 50, 70, 90, 99)]
    return cases


def _hashable(value) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def mutations(count: int, seed: int = 0) -> list[Case]:
    """Byte flips, insertions and deletions in valid files (seeded)."""
    rng = np.random.default_rng(seed)
    bases = [case.data for case in valid_files()]
    cases = []
    for index in range(count):
        data = bytearray(bases[index % len(bases)])
        for _ in range(int(rng.integers(1, 4))):
            position = int(rng.integers(0, len(data)))
            action = int(rng.integers(0, 3))
            if action == 0:
                data[position] = int(rng.integers(0, 256))
            elif action == 1:
                data[position:position] = rng.bytes(int(rng.integers(1, 5)))
            else:
                del data[position:position + int(rng.integers(1, 5))]
        cases.append(Case(f'mutation/{index}', bytes(data), 'either'))
    return cases


def corpus(marker_dir: str, num_mutations: int = 80) -> list[Case]:
    """Every case of this module (about 250)."""
    return (valid_files() + code_execution(marker_dir) + dtype_attacks() + array_attacks()
            + memory_bombs() + semantic_errors() + mutations(num_mutations))


# The worker: imports the tool once, then forks one child per case.
_WORKER = r'''
import json, os, resource, runpy, signal, sys, time
sys.path.insert(0, REPO)
import pyskl_lite.datasets  # noqa: F401  (imported once, before forking)
tool = os.path.join(REPO, 'tools', 'data', 'summarize.py')
def vm_bytes():
    for line in open('/proc/self/status'):
        if line.startswith('VmSize:'):
            return int(line.split()[1]) * 1024
    return 0
results = []
for path, folder in json.load(sys.stdin):
    out = os.path.join(folder, 'output.txt')
    pid = os.fork()
    if pid == 0:
        os.chdir(folder)
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(fd, 1); os.dup2(fd, 2)
        cap = vm_bytes() + MEMORY
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        sys.argv = [tool, path]
        sys.setrecursionlimit(10000)
        try:
            runpy.run_path(tool, run_name='__main__')
        except SystemExit as exit:
            code = exit.code
            if isinstance(code, str):
                print(code, file=sys.stderr)
            os._exit(code if isinstance(code, int) else 1)
        except BaseException:
            import traceback
            traceback.print_exc()
            os._exit(1)
        os._exit(0)
    deadline = time.monotonic() + TIMEOUT
    status, hang = None, False
    while status is None:
        done, code = os.waitpid(pid, os.WNOHANG)
        if done:
            status = code
        elif time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            status, hang = os.waitpid(pid, 0)[1], True
        else:
            time.sleep(0.005)
    results.append(dict(signal=os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0,
                        code=os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
                        hang=hang))
json.dump(results, sys.stdout)
'''


@dataclasses.dataclass
class Outcome:
    case: Case
    kind: str
    output: str


def classify(case: Case, result: dict, output: str, wrote: bool) -> str:
    """One of :data:`OUTCOMES` for a finished case."""
    if wrote:
        return 'wrote files'
    if result['hang']:
        return 'hang'
    if result['signal']:
        return 'crash'
    if 'Traceback (most recent call last)' in output:
        return 'traceback'
    if result['code'] == 0:
        return 'silent garbage' if case.expect == 'refuse' else 'accepted'
    lines = [line for line in output.splitlines() if line.strip()]
    if lines and lines[-1].startswith('error: ') and sum(
            line.startswith('error: ') for line in lines) == 1:
        return 'one-line error'
    return 'multi-line error'


def run_corpus(cases: list[Case], work: Path, marker_dir: Path, repo: Path = REPO,
               memory_bytes: int = 1 << 30, timeout_s: float = 20.0) -> list[Outcome]:
    """Run ``cases`` through ``tools/data/summarize.py`` of ``repo`` (see the module doc)."""
    jobs = []
    for index, case in enumerate(cases):
        folder = work / f'case{index}'
        folder.mkdir(parents=True)
        path = folder / 'ann.pkl'
        path.write_bytes(case.data)
        jobs.append((str(path), str(folder)))
    worker = _WORKER.replace('REPO', repr(str(repo))).replace('MEMORY', str(memory_bytes)) \
        .replace('TIMEOUT', str(timeout_s))
    env = dict(os.environ, PYTHONPATH=str(repo), HOME=str(work), TMPDIR=str(work))
    done = subprocess.run([sys.executable, '-c', worker], input=json.dumps(jobs), text=True,
                          capture_output=True, env=env, cwd=str(work), check=False)
    if done.returncode != 0:
        raise RuntimeError(f'corpus worker failed: {done.stderr[-2000:]}')
    results = json.loads(done.stdout)
    outcomes = []
    for case, result, (_, folder) in zip(cases, results, jobs, strict=True):
        output = Path(folder, 'output.txt').read_text(errors='replace')
        wrote = any(marker_dir.iterdir()) or sorted(os.listdir(folder)) != ['ann.pkl',
                                                                             'output.txt']
        outcomes.append(Outcome(case, classify(case, result, output, wrote), output))
    return outcomes


@dataclasses.dataclass
class CliCase:
    """A command line of a tool that must fail with one line; ``limit_file_size`` in bytes
    makes writes fail like a full disk."""

    name: str
    argv: list[str]
    env: dict = dataclasses.field(default_factory=dict)
    limit_file_size: int | None = None
    data: bytes = b''
    expect: str = 'refuse'


def cli_cases(folder: Path, repo: Path) -> list[CliCase]:
    """User mistakes through the tools, on the tiny configs of ``tests/tools/tiny_setup.py``."""
    import torch

    sys.path.insert(0, str(REPO))
    from tests.tools.tiny_setup import write_configs

    configs = write_configs(folder / 'tiny')
    config = str(configs['exact'])
    train, test = str(repo / 'tools' / 'train.py'), str(repo / 'tools' / 'test.py')
    work = str(folder / 'work')

    def training(*options: str, flags: tuple = (), **kwargs) -> list[str]:
        return [sys.executable, train, config, '--work-dir', work, *flags, '--cfg-options',
                f'val_evaluator.1.out_file={work}/v.pkl', 'train_cfg.max_epochs=1', *options]

    weights = folder / 'weights_only.pth'
    torch.save({'state_dict': {'w': torch.zeros(2)}}, weights)
    damaged = {'truncated': weights.read_bytes()[:200], 'random': np.random.default_rng(0)
               .bytes(4096), 'empty': b''}
    for name, data in damaged.items():
        (folder / f'{name}.pth').write_bytes(data)

    class RunsCode:
        def __reduce__(self):
            return (os.system, ('true',))

    torch.save({'meta': RunsCode()}, folder / 'code.pth')
    broken = folder / 'broken.py'
    broken.write_text('model = dict(\n  type="Recognizer"\nx = 1\n')
    blocker = folder / 'a_file'
    blocker.write_text('')
    dist = ['bash', str(repo / 'tools' / 'dist_train.sh'), config, '2', '--work-dir', work,
            '--cfg-options', f'val_evaluator.1.out_file={work}/v.pkl']
    cases = [CliCase(f'config/{name}', training(*options)) for name, options in {
        'unregistered_type': ['model.backbone.type=NoSuchNet'],
        'batch_size_0': ['train_dataloader.batch_size=0'],
        'batch_size_negative': ['val_dataloader.batch_size=-4'],
        'max_epochs_negative': ['max_epochs=-1'], 'max_epochs_abc': ['max_epochs=abc'],
        'lr_abc': ['optim_wrapper.optimizer.lr=abc'], 'clip_len_0': ['clip_len=0'],
        'unknown_joint_layout': ['joint_layout=cocoo'], 'word_without_equals': ['clip_len'],
        'unknown_key': ['foo_bar=1'], 'misspelt_loader': ['train_dataloadr.batch_size=4'],
        'missing_ann_file': ['ann_file=/nonexistent/ann.pkl'],
        'num_workers_negative': ['train_dataloader.num_workers=-1'],
        'diverging_lr': ['optim_wrapper.optimizer.lr=1e38'],
    }.items()]
    cases += [
        CliCase('config/syntax_error', [sys.executable, train, str(broken)]),
        CliCase('config/missing_file', [sys.executable, train, str(folder / 'none.py')]),
        CliCase('cli/launcher_pytorch_outside_torchrun', training(flags=('--launcher',
                                                                         'pytorch'))),
        CliCase('cli/unknown_launcher', training(flags=('--launcher', 'mpi'))),
        CliCase('cli/test_unknown_metric', [sys.executable, test, config, str(weights),
                                            '--eval', 'f2']),
        CliCase('io/work_dir_under_a_file', [sys.executable, train, config, '--work-dir',
                                             str(blocker / 'work')]),
        CliCase('io/disk_full_at_checkpoint', training(), limit_file_size=60_000),
    ]
    for name in ('truncated', 'random', 'empty', 'code'):
        path = str(folder / f'{name}.pth')
        cases.append(CliCase(f'checkpoint/resume_{name}', training(flags=('--resume', path))))
        cases.append(CliCase(f'checkpoint/test_{name}', [sys.executable, test, config, path,
                                                         '--work-dir', work]))
    cases.append(CliCase('checkpoint/resume_weights_only',
                         training(flags=('--resume', str(weights)))))
    cases.append(CliCase('dist/error_in_every_rank', dist + ['train_dataloader.batch_size=0']))
    cases.append(CliCase('dist/stopped_rank', dist + ['env_cfg.dist_cfg.timeout=8'],
                         env=dict(TINY_KILL_AT='0:1', TINY_KILL_RANK='1',
                                  TINY_KILL_SIGNAL='SIGSTOP')))
    return cases


def run_cli_corpus(cases: list[CliCase], folder: Path, repo: Path,
                   timeout_s: float = 240.0) -> list[Outcome]:
    """Run each case in its own process (the repo's tools, one thread)."""
    import resource
    import signal
    import time

    outcomes = []
    for case in cases:
        env = dict(os.environ, PYTHONPATH=f'{repo}{os.pathsep}{REPO}', OMP_NUM_THREADS='1',
                   PYTHON=sys.executable, **case.env)
        env.pop('PYSKL_DEBUG', None)

        def limits(size=case.limit_file_size):
            os.setsid()
            if size is not None:
                signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
                resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

        started = time.monotonic()
        proc = subprocess.Popen(case.argv, env=env, cwd=str(folder), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, preexec_fn=limits)
        try:
            output, _ = proc.communicate(timeout=timeout_s)
            hang = False
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            output, _ = proc.communicate()
            hang = True
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # ranks left behind by a launcher
        except ProcessLookupError:
            pass
        code = proc.returncode
        result = dict(hang=hang, signal=-code if code < 0 else 0, code=max(code, 0))
        kind = classify(case, result, output, False)
        outcomes.append(Outcome(case, kind, output + f'\n[{time.monotonic() - started:.0f} s]'))
    return outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--repo', default=str(REPO), help='checkout whose loader to test')
    parser.add_argument('--show', help='print the cases of this outcome with their output')
    parser.add_argument('--cli', action='store_true', help='also the tool command lines')
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        marker_dir = Path(work, 'markers')
        marker_dir.mkdir()
        cases = corpus(str(marker_dir))
        outcomes = run_corpus(cases, Path(work, 'cases'), marker_dir, Path(args.repo))
        if args.cli:
            cli_folder = Path(work, 'cli')
            cli_folder.mkdir()
            cli = run_cli_corpus(cli_cases(cli_folder, Path(args.repo)), cli_folder,
                                 Path(args.repo))
            _print_counts('tools', cli, args.show)
    _print_counts('loader', outcomes, args.show)


def _print_counts(title: str, outcomes: list[Outcome], show: str | None) -> None:
    counts = collections.Counter(outcome.kind for outcome in outcomes)
    print(f'{title}: {len(outcomes)} cases: ' + ', '.join(f'{kind} {counts[kind]}'
                                                        for kind in OUTCOMES))
    for outcome in outcomes:
        if outcome.kind == show:
            lines = [line for line in outcome.output.splitlines() if line.strip()] or ['']
            errors = [line for line in lines if line.startswith('error: ')]
            print(f'  {outcome.case.name}: {(errors or lines)[-1][:200]}')


if __name__ == '__main__':
    main()
