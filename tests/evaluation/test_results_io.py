import json
import pickle

import numpy as np
import pytest

from pyskl_lite.evaluation import dump_results, load_results
from pyskl_lite.utils import InputError


def sample_results(num_classes=3):
    rng = np.random.default_rng(0)
    return [dict(frame_dir=f'S001A{i:03d}', label=i % num_classes,
                 pred_score=rng.random(num_classes).astype(np.float32)) for i in range(5)]


@pytest.mark.parametrize('suffix', ['.pkl', '.json'])
@pytest.mark.parametrize('classes', [['a', 'b', 'c'], None])
def test_round_trip(tmp_path, suffix, classes):
    results = sample_results()
    path = dump_results(tmp_path / f'out{suffix}', results, classes)
    loaded, loaded_classes = load_results(path)
    assert loaded_classes == classes
    for before, after in zip(results, loaded, strict=True):
        assert after['frame_dir'] == before['frame_dir'] and after['label'] == before['label']
        assert after['pred_score'].dtype == np.float32
        np.testing.assert_array_equal(after['pred_score'], before['pred_score'])
    assert [p.name for p in tmp_path.iterdir()] == [f'out{suffix}']  # no partial file left


def test_bad_suffix_and_missing_file(tmp_path):
    with pytest.raises(InputError, match=r'must end in \.pkl or \.json'):
        dump_results(tmp_path / 'out.csv', sample_results(), None)
    with pytest.raises(InputError, match='results file not found'):
        load_results(tmp_path / 'missing.json')


def test_pickle_with_code_is_refused(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ('pwned',))

    path = tmp_path / 'evil.pkl'
    path.write_bytes(pickle.dumps({'format': 'pyskl_lite.results', 'results': [Evil()]}))
    with pytest.raises(InputError, match='refused to load global builtins.print'):
        load_results(path)


def test_inconsistent_scores_name_the_sample(tmp_path):
    path = tmp_path / 'bad.json'
    data = dict(format='pyskl_lite.results', version=1, classes=None, results=[
        dict(frame_dir='ok', label=0, pred_score=[0.1, 0.9]),
        dict(frame_dir='short', label=0, pred_score=[1.0])])
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match="sample 'short': field 'pred_score'"):
        load_results(path)
    path.write_text(json.dumps({'results': []}))
    with pytest.raises(InputError, match='not a pyskl_lite.results file'):
        load_results(path)
