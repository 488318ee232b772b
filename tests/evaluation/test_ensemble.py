"""Ensemble fusion (pyskl_lite.evaluation.ensemble) and tools/ensemble.py on hand-made files."""
import json
import pickle

import numpy as np
import pandas as pd
import pytest

from pyskl_lite.evaluation import dump_results, fuse_results, read_results
from pyskl_lite.utils import InputError
from tests.tools.load_tool import load_tool, run_tool

ensemble_tool = load_tool('tools/ensemble.py')
CLASSES = ['walk', 'sit', 'wave']

# Two streams over three samples; stream B lists them in another order. Probabilities and
# logits are stored independently (as view averages they need not be softmax of each other).
STREAM_A = {
    'a': dict(label=0, prob=[0.6, 0.3, 0.1], logit=[2.0, 0.0, -1.0]),
    'b': dict(label=1, prob=[0.5, 0.4, 0.1], logit=[1.0, 3.0, 0.0]),
    'c': dict(label=2, prob=[0.2, 0.2, 0.6], logit=[0.0, 0.0, 1.0]),
}
STREAM_B = {
    'c': dict(label=2, prob=[0.1, 0.8, 0.1], logit=[0.0, 1.0, 0.5]),
    'a': dict(label=0, prob=[0.1, 0.2, 0.7], logit=[0.0, 1.0, 3.0]),
    'b': dict(label=1, prob=[0.2, 0.7, 0.1], logit=[0.0, 1.0, -2.0]),
}
# Weights 1 (A) and 3 (B), fused = (1 * A + 3 * B) / 4, by hand:
FUSED_PROB = {'a': [0.225, 0.225, 0.55], 'b': [0.275, 0.625, 0.1], 'c': [0.125, 0.65, 0.225]}
FUSED_SCORE = {'a': [0.5, 0.75, 2.0], 'b': [0.25, 1.5, -1.5], 'c': [0.0, 0.75, 0.625]}


def write_stream(path, stream, kind='prob', classes=CLASSES, **changes):
    rows = []
    for name, row in stream.items():
        score = row['prob'] if kind == 'prob' else row['logit']
        rows.append(dict(frame_dir=name, label=row['label'], pred_score=score,
                         pred_prob=row['prob'], pred_logit=row['logit']))
    for name, fields in changes.items():
        next(r for r in rows if r['frame_dir'] == name).update(fields)
    return dump_results(path, rows, classes, score_kind=kind)


@pytest.fixture
def streams(tmp_path):
    return (write_stream(tmp_path / 'joint.pkl', STREAM_A),
            write_stream(tmp_path / 'bone.json', STREAM_B, kind='score'))


@pytest.mark.parametrize('fuse, expected', [('prob', FUSED_PROB), ('score', FUSED_SCORE)])
def test_fusion_equals_the_hand_computation(streams, fuse, expected):
    fused = fuse_results([read_results(p) for p in streams], weights=[1, 3], fuse=fuse)
    assert fused.frame_dirs == ['a', 'b', 'c'] and fused.labels.tolist() == [0, 1, 2]
    np.testing.assert_allclose(fused.scores, [expected[n] for n in 'abc'], rtol=1e-6)
    assert fused.classes == CLASSES
    if fuse == 'prob':
        np.testing.assert_allclose(fused.scores.sum(1), 1, rtol=1e-6)


def test_equal_weights_by_default(streams):
    fused = fuse_results([read_results(p) for p in streams])
    np.testing.assert_allclose(fused.scores[0], [0.35, 0.25, 0.4], rtol=1e-6)


def test_tool_prints_and_writes_the_test_reports(streams, tmp_path, capsys):
    out = tmp_path / 'fused.json'
    assert ensemble_tool.main([*map(str, streams), '--weights', '1', '3', '--fuse', 'score',
                               '--topk', '1', '2', '--eval', 'top_k_accuracy',
                               'mean_class_accuracy', 'confusion_matrix',
                               'precision_recall_f1', '--work-dir', str(tmp_path / 'rep'),
                               '--out', str(out)]) == 0
    printed = capsys.readouterr().out
    assert 'acc/top1' in printed and 'macro/f1' in printed
    # Fused logits: a -> wave (true walk), b -> sit (true sit), c -> sit (true wave).
    table = pd.read_csv(tmp_path / 'rep' / 'metrics.csv', index_col='metric')['value']
    assert table['acc/top1'] == pytest.approx(1 / 3)
    # Top-2: a's walk (0.5) is below wave and sit; c's wave (0.625) is second: 2 of 3.
    assert table['acc/top2'] == pytest.approx(2 / 3)
    assert table['acc/mean_class'] == pytest.approx(1 / 3)
    counts = pd.read_csv(tmp_path / 'rep' / 'confusion_matrix.csv', index_col=0)
    assert list(counts.columns) == CLASSES
    assert counts.loc['walk', 'wave'] == 1 and counts.loc['wave', 'sit'] == 1
    assert (tmp_path / 'rep' / 'precision_recall_f1.csv').is_file()
    assert (tmp_path / 'rep' / 'confusion_matrix.png').is_file()
    fused = read_results(out)
    assert fused.score_kind == 'score' and fused.probs is None
    np.testing.assert_allclose(fused.logits, [FUSED_SCORE[n] for n in 'abc'], rtol=1e-6)


def test_prob_fusion_of_a_version1_score_file_uses_the_softmax(tmp_path):
    logits = [[2.0, 0.0, -1.0], [0.0, 3.0, 0.0]]
    path = tmp_path / 'old.json'
    path.write_text(json.dumps(dict(format='pyskl_lite.results', version=1, classes=None,
                                    results=[dict(frame_dir=f's{i}', label=i, pred_score=row)
                                             for i, row in enumerate(logits)])))
    old = read_results(path)
    assert old.score_kind == 'score' and old.probs is None
    fused = fuse_results([old], fuse='prob')
    expected = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    np.testing.assert_allclose(fused.scores, expected, rtol=1e-6)


def test_version1_probabilities_cannot_be_fused_as_logits(tmp_path):
    path = tmp_path / 'old.pkl'
    path.write_bytes(pickle.dumps(dict(format='pyskl_lite.results', version=1, classes=None,
                                       results=[dict(frame_dir='s0', label=0,
                                                     pred_score=np.array([0.7, 0.3]))])))
    old = read_results(path)
    assert old.score_kind == 'prob' and old.logits is None
    np.testing.assert_allclose(fuse_results([old, old], fuse='prob').scores, [[0.7, 0.3]])
    with pytest.raises(InputError, match=r"old\.pkl: field 'pred_logit': holds view-averaged "
                                         r'probabilities only.*--fuse prob'):
        fuse_results([old], fuse='score')


@pytest.mark.parametrize('change, message', [
    (dict(stream={k: v for k, v in STREAM_B.items() if k != 'b'}),
     r"b\.pkl: sample 'b': field 'frame_dir': in .*a\.pkl but not here"),
    (dict(stream={**STREAM_B, 'd': dict(label=0, prob=[1, 0, 0], logit=[1, 0, 0])}),
     r"b\.pkl: sample 'd': field 'frame_dir': not in .*a\.pkl"),
    (dict(c=dict(label=1)), r"b\.pkl: sample 'c': field 'label': 1 here but 2 in .*a\.pkl"),
    (dict(classes=['walk', 'sit', 'clap']),
     r"b\.pkl: field 'classes': class 2 is 'clap' here but 'wave'"),
])
def test_disagreeing_files_are_refused(tmp_path, change, message):
    first = write_stream(tmp_path / 'a.pkl', STREAM_A)
    change = dict(change)
    stream = change.pop('stream', STREAM_B)
    second = write_stream(tmp_path / 'b.pkl', stream, **change)
    with pytest.raises(InputError, match=message):
        fuse_results([read_results(first), read_results(second)])


def test_class_count_mismatch_and_bad_weights_are_refused(tmp_path):
    first = read_results(write_stream(tmp_path / 'a.pkl', STREAM_A))
    four = {k: dict(v, prob=v['prob'] + [0.0], logit=v['logit'] + [0.0])
            for k, v in STREAM_B.items()}
    second = read_results(write_stream(tmp_path / 'b.pkl', four, classes=None))
    with pytest.raises(InputError, match=r"b\.pkl: field 'pred_score': scores over 4 classes "
                                         r'but 3 in'):
        fuse_results([first, second])
    with pytest.raises(InputError, match='2 weights for 1 results files'):
        fuse_results([first], weights=[1, 2])
    with pytest.raises(InputError, match='not all 0'):
        fuse_results([first, first], weights=[0, 0])


def test_tool_refusal_is_one_error_line(tmp_path):
    first = write_stream(tmp_path / 'a.pkl', STREAM_A)
    second = write_stream(tmp_path / 'b.pkl', STREAM_B, c=dict(label=0))
    done = run_tool('tools/ensemble.py', first, second, '--work-dir', tmp_path / 'rep')
    assert done.returncode == 2 and done.stdout == ''
    assert done.stderr.strip().splitlines() == [
        f"error: {second}: sample 'c': field 'label': 0 here but 2 in {first} (1 samples "
        'differ); the files come from different annotations']
    assert not (tmp_path / 'rep').exists()
