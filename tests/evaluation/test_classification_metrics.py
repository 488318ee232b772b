"""The registered metrics through mmengine's Evaluator, as the Runner uses them."""
import numpy as np
import pandas as pd
import pytest
import torch
from mmengine.evaluator import Evaluator
from sklearn import metrics as skm

import pyskl_lite
from pyskl_lite.evaluation import load_results
from pyskl_lite.structures.action_data_sample import ActionDataSample

pyskl_lite.register_all_modules()

CLASSES = ('wave', 'kick', 'jump', 'sit')


def predictions(num_samples=40, seed=0):
    rng = np.random.default_rng(seed)
    scores = rng.random((num_samples, len(CLASSES))).astype(np.float32)
    labels = rng.integers(0, len(CLASSES), num_samples)
    samples = []
    for index, (score, label) in enumerate(zip(scores, labels, strict=True)):
        sample = ActionDataSample(metainfo=dict(frame_dir=f'video_{index:03d}'))
        sample.set_gt_label(int(label))
        sample.set_pred_score(torch.from_numpy(score))
        samples.append(sample)
    return samples, scores, labels


def evaluate(metrics, samples, batch_size=8):
    evaluator = Evaluator(metrics)
    evaluator.dataset_meta = dict(classes=CLASSES)
    for start in range(0, len(samples), batch_size):
        evaluator.process(samples[start:start + batch_size])
    return evaluator.evaluate(len(samples))


def test_acc_metric_keys_and_values():
    samples, scores, labels = predictions()
    result = evaluate(dict(type='AccMetric', topk=(1, 3)), samples)
    assert set(result) == {'acc/top1', 'acc/top3', 'acc/mean_class'}
    assert result['acc/top1'] == pytest.approx(skm.accuracy_score(labels, scores.argmax(1)))
    assert result['acc/top3'] == pytest.approx(skm.top_k_accuracy_score(labels, scores, k=3))
    assert result['acc/mean_class'] == pytest.approx(
        skm.balanced_accuracy_score(labels, scores.argmax(1)))


def test_acc_metric_rejects_unknown_metric():
    with pytest.raises(ValueError, match='unknown metrics'):
        evaluate(dict(type='AccMetric', metric_list=['top_k', 'mean_class_accuracy']), [])


def test_confusion_matrix_and_prf_write_labelled_reports(tmp_path):
    samples, scores, labels = predictions()
    result = evaluate([dict(type='AccMetric'), dict(type='ConfusionMatrix', out_dir=tmp_path),
                       dict(type='PrecisionRecallF1', out_dir=tmp_path)], samples)
    pred = scores.argmax(1)
    counts = pd.read_csv(tmp_path / 'confusion_matrix.csv', index_col=0)
    assert list(counts.columns) == list(CLASSES) and list(counts.index) == list(CLASSES)
    np.testing.assert_array_equal(counts.to_numpy(), skm.confusion_matrix(labels, pred))
    normalized = pd.read_csv(tmp_path / 'confusion_matrix_normalized.csv', index_col=0)
    np.testing.assert_allclose(normalized.to_numpy(),
                               skm.confusion_matrix(labels, pred, normalize='true'), atol=1e-4)
    assert (tmp_path / 'confusion_matrix.png').stat().st_size > 1000

    table = pd.read_csv(tmp_path / 'precision_recall_f1.csv', index_col=0)
    assert list(table.index) == list(CLASSES) + ['macro avg']
    precision, recall, f1, support = skm.precision_recall_fscore_support(labels, pred)
    np.testing.assert_allclose(table.loc[list(CLASSES), 'f1'], f1, atol=1e-4)
    np.testing.assert_array_equal(table.loc[list(CLASSES), 'support'], support)
    assert result['macro/f1'] == pytest.approx(f1.mean())
    assert table.loc['macro avg', 'recall'] == pytest.approx(recall.mean(), abs=1e-4)


def test_dump_predictions_round_trips(tmp_path):
    samples, scores, labels = predictions(num_samples=10)
    out = tmp_path / 'results.pkl'
    assert evaluate(dict(type='DumpPredictions', out_file=str(out)), samples) == {}
    results, classes = load_results(out)
    assert classes == list(CLASSES)
    assert [r['frame_dir'] for r in results] == [f'video_{i:03d}' for i in range(10)]
    assert [r['label'] for r in results] == labels.tolist()
    np.testing.assert_array_equal(np.stack([r['pred_score'] for r in results]), scores)
