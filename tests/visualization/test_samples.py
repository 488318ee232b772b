import pickle

import numpy as np
import pytest

from pyskl_lite.utils import InputError
from pyskl_lite.visualization.samples import load_sample


def _sample(name, label=0, frames=3):
    return dict(frame_dir=name, label=label, total_frames=frames,
                keypoint=np.ones((1, frames, 17, 2), np.float32))


def _dump(path, data):
    with open(path, 'wb') as file:
        pickle.dump(data, file)
    return str(path)


def test_picks_by_split_index_and_id_from_dicts_lists_and_single_samples(tmp_path):
    annotations = [_sample('a'), _sample('b', 1), _sample('c', 2)]
    path = _dump(tmp_path / 'ann.pkl', {'split': {'val': ['c', 'a']}, 'annotations': annotations})
    assert load_sample(path, 'val', 0)['frame_dir'] == 'c'
    assert load_sample(path, 'val', -1)['frame_dir'] == 'a'
    assert load_sample(path, frame_dir='b')['label'] == 1
    assert load_sample(_dump(tmp_path / 'list.pkl', annotations), index=2)['frame_dir'] == 'c'
    assert load_sample(_dump(tmp_path / 'one.pkl', _sample('x')))['frame_dir'] == 'x'
    with pytest.raises(InputError, match=r"--index 2 is out of range: 2 samples of split 'val'"):
        load_sample(path, 'val', 2)
    with pytest.raises(InputError, match=r"no sample 'b' among the 2 samples of split 'val'"):
        load_sample(path, 'val', frame_dir='b')
    with pytest.raises(InputError, match="split 'test' not found"):
        load_sample(path, 'test')


def test_label_is_optional_and_a_negative_one_means_unknown(tmp_path):
    unlabelled = _sample('u')
    del unlabelled['label']
    assert 'label' not in load_sample(_dump(tmp_path / 'u.pkl', unlabelled))
    assert 'label' not in load_sample(_dump(tmp_path / 'n.pkl', _sample('n', label=-1)))
    broken = _sample('t', frames=3)
    broken['total_frames'] = 5
    with pytest.raises(InputError, match=r"sample 't': field 'total_frames': 5 does not match"):
        load_sample(_dump(tmp_path / 't.pkl', broken))
    with pytest.raises(InputError, match='expected an annotation pickle'):
        load_sample(_dump(tmp_path / 'bad.pkl', {'something': 1}))
