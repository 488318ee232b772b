import json
import pickle

import numpy as np
import pytest

from pyskl_lite.evaluation import dump_results, load_results, read_results
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


@pytest.mark.parametrize('suffix', ['.pkl', '.json'])
def test_both_view_averages_and_the_score_kind_round_trip(tmp_path, suffix):
    results = sample_results()
    for row in results:
        row['pred_logit'] = np.log(row['pred_score']) + 1
        row['pred_prob'] = row['pred_score']
    loaded = read_results(dump_results(tmp_path / f'out{suffix}', results, None,
                                       score_kind='prob'))
    assert loaded.score_kind == 'prob' and loaded.frame_dirs[0] == 'S001A000'
    np.testing.assert_allclose(loaded.probs, [r['pred_prob'] for r in results], rtol=1e-6)
    np.testing.assert_allclose(loaded.logits, [r['pred_logit'] for r in results], rtol=1e-6)
    np.testing.assert_array_equal(loaded.labels, [r['label'] for r in results])


def test_version1_files_load_and_their_score_kind_is_inferred(tmp_path):
    probs = [[0.2, 0.8], [0.5, 0.5]]
    path = tmp_path / 'v1.json'
    for scores, kind in ((probs, 'prob'), ([[2.0, -1.0], [0.5, 0.5]], 'score')):
        path.write_text(json.dumps(dict(format='pyskl_lite.results', version=1, classes=None,
                                        results=[dict(frame_dir=f's{i}', label=0, pred_score=row)
                                                 for i, row in enumerate(scores)])))
        loaded = read_results(path)
        assert loaded.score_kind == kind
        assert (loaded.probs is None) == (kind == 'score')
        assert (loaded.logits is None) == (kind == 'prob')
        assert load_results(path)[0][1]['pred_score'].tolist() == scores[1]


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
