import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

from pyskl_lite.datasets import load_annotation_pickle
from pyskl_lite.utils import InputError


class _RunsCommand:
    """Unpickling this calls os.system(command)."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


@pytest.mark.parametrize('protocol', [2, 4, 5])
def test_reads_numpy_arrays_and_builtins(tmp_path, protocol):
    data = {'split': {'a': ['x']}, 'annotations': [
        {'frame_dir': 'x', 'label': np.int64(2), 'img_shape': (4, 5),
         'keypoint': np.arange(12, dtype=np.float16).reshape(1, 2, 3, 2),
         'keypoint_score': np.ones((1, 2, 3), np.float32)}]}
    path = tmp_path / 'ok.pkl'
    path.write_bytes(pickle.dumps(data, protocol=protocol))
    loaded = load_annotation_pickle(path)
    ann = loaded['annotations'][0]
    assert ann['keypoint'].dtype == np.float16
    np.testing.assert_array_equal(ann['keypoint'], data['annotations'][0]['keypoint'])
    assert ann['label'] == 2 and ann['img_shape'] == (4, 5)


def test_refuses_code_execution_and_nothing_runs(tmp_path):
    marker = tmp_path / 'pwned'
    path = tmp_path / 'evil.pkl'
    path.write_bytes(pickle.dumps(
        {'annotations': [_RunsCommand(f'touch {marker}')], 'split': {}}))
    with pytest.raises(InputError) as info:
        load_annotation_pickle(path)
    message = str(info.value)
    assert str(path) in message and 'system' in message and '\n' not in message
    assert not marker.exists()


def test_plain_pickle_would_have_run_it(tmp_path):
    """Guard against a vacuous test above: the same payload does run under pickle.load."""
    marker = tmp_path / 'ran'
    path = tmp_path / 'evil.pkl'
    path.write_bytes(pickle.dumps([_RunsCommand(f'touch {marker}')]))
    subprocess.run([sys.executable, '-c',
                    f'import pickle; pickle.load(open({str(path)!r}, "rb"))'], check=True)
    assert marker.exists()


@pytest.mark.parametrize('payload', [
    b'not a pickle at all',
    pickle.dumps({'annotations': []})[:-3],
])
def test_garbage_and_truncated_files_give_one_line(tmp_path, payload):
    path = tmp_path / 'bad.pkl'
    path.write_bytes(payload)
    with pytest.raises(InputError, match='not a readable annotation pickle'):
        load_annotation_pickle(path)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match='not found'):
        load_annotation_pickle(tmp_path / 'nope.pkl')


def test_reads_numpy1_module_names(tmp_path):
    """PYSKL's pickles were written by numpy 1.x, which names ``numpy.core.multiarray``."""
    array = np.arange(6, dtype=np.float32).reshape(2, 3)
    payload = pickle.dumps({'annotations': [array]}, protocol=2)
    assert b'numpy._core.multiarray' in payload
    path = tmp_path / 'numpy1.pkl'
    path.write_bytes(payload.replace(b'numpy._core.multiarray', b'numpy.core.multiarray'))
    np.testing.assert_array_equal(load_annotation_pickle(path)['annotations'][0], array)
