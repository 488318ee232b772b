"""The metric functions against scikit-learn on random predictions."""
import numpy as np
import pytest
from sklearn import metrics as skm

from pyskl_lite.evaluation import functional as F


@pytest.fixture(params=[0, 1, 2])
def random_predictions(request):
    """Random scores over 7 classes; labels cover only some classes, predictions others."""
    rng = np.random.default_rng(request.param)
    num_samples, num_classes = 200, 7
    scores = rng.random((num_samples, num_classes)).astype(np.float32)
    labels = rng.integers(0, 5, num_samples)  # classes 5 and 6 never true
    # Make the predictions informative so that hits exist in every class.
    scores[np.arange(num_samples), labels] += rng.random(num_samples) * 0.8
    return scores, labels, num_classes


# k = 7 of 7 classes is the edge case checked here; scikit-learn warns that it is trivial.
@pytest.mark.filterwarnings('ignore:.*greater than or equal to .n_classes:UserWarning')
def test_top_k_accuracy_matches_sklearn(random_predictions):
    scores, labels, num_classes = random_predictions
    ours = F.top_k_accuracy(scores, labels, topk=(1, 2, 5, 7))
    for k, value in zip((1, 2, 5, 7), ours, strict=True):
        expected = skm.top_k_accuracy_score(labels, scores, k=k, labels=range(num_classes))
        assert value == pytest.approx(expected)
    assert ours[-1] == 1.0


def test_top_k_ties_break_towards_lower_class():
    scores = np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0]])
    assert F.top_k_accuracy(scores, np.array([0, 1]), topk=(1, 2)) == [0.5, 1.0]


def test_confusion_matrix_matches_sklearn(random_predictions):
    scores, labels, num_classes = random_predictions
    pred = scores.argmax(1)
    ours = F.confusion_matrix(pred, labels, num_classes)
    np.testing.assert_array_equal(
        ours, skm.confusion_matrix(labels, pred, labels=range(num_classes)))
    normalized = F.row_normalize(ours)
    np.testing.assert_allclose(
        normalized[:5], skm.confusion_matrix(labels, pred, labels=range(num_classes),
                                             normalize='true')[:5])
    assert not normalized[5:].any()  # rows without samples stay 0 (sklearn gives NaN)


# Random predictions include classes without samples, which scikit-learn points out.
@pytest.mark.filterwarnings('ignore:y_pred contains classes not in y_true:UserWarning')
def test_mean_class_accuracy_is_balanced_accuracy(random_predictions):
    scores, labels, _ = random_predictions
    pred = scores.argmax(1)
    assert (pred >= 5).any(), 'the fixture must predict classes absent from the labels'
    expected = skm.balanced_accuracy_score(labels, pred)
    assert F.mean_class_accuracy(scores, labels) == pytest.approx(expected)


def test_mean_class_accuracy_ignores_classes_only_predicted():
    # Class 2 is predicted once but never true: it is not averaged as a 0.
    scores = np.eye(3)[[0, 0, 1, 2]]
    labels = np.array([0, 0, 1, 1])
    assert F.mean_class_accuracy(scores, labels) == pytest.approx((1.0 + 0.5) / 2)


def test_precision_recall_f1_matches_sklearn(random_predictions):
    scores, labels, num_classes = random_predictions
    pred = scores.argmax(1)
    matrix = F.confusion_matrix(pred, labels, num_classes)
    ours = F.precision_recall_f1(matrix)
    precision, recall, f1, support = skm.precision_recall_fscore_support(
        labels, pred, labels=range(num_classes), zero_division=0)
    np.testing.assert_allclose(ours['precision'], precision)
    np.testing.assert_allclose(ours['recall'], recall)
    np.testing.assert_allclose(ours['f1'], f1)
    np.testing.assert_array_equal(ours['support'], support)
    macro = F.macro_average(ours, matrix)
    expected = skm.precision_recall_fscore_support(labels, pred, average='macro',
                                                   zero_division=0)
    assert (macro['precision'], macro['recall'], macro['f1']) == pytest.approx(expected[:3])


@pytest.mark.parametrize('scores, labels, match', [
    (np.zeros(4), np.zeros(4), r'\(N, num_classes\)'),
    (np.zeros((4, 3)), np.zeros(3), '4 score rows but 3 labels'),
    (np.zeros((2, 3)), np.array([0, 3]), r'labels must lie in \[0, 3\)'),
    (np.zeros((0, 3)), np.zeros(0), 'no samples'),
])
def test_bad_inputs_are_rejected(scores, labels, match):
    with pytest.raises(ValueError, match=match):
        F.top_k_accuracy(scores, labels)


def test_nonfinite_scores_count_as_wrong_in_every_metric():
    """NaN compares False with everything, so its row used to rank the label first and
    argmax picked the NaN's class: a diverged model scored 100 %."""
    from pyskl_lite.evaluation.functional import (
        confusion_matrix,
        mean_class_accuracy,
        precision_recall_f1,
        top1_predictions,
        top_k_accuracy,
    )
    scores = np.array([[np.nan, np.nan, np.nan], [0.1, np.inf, 0.2], [0.7, 0.2, 0.1],
                       [0.1, 0.1, 0.8]])
    labels = np.array([0, 1, 0, 2])
    assert top_k_accuracy(scores, labels, (1, 3)) == [0.5, 0.5]
    assert mean_class_accuracy(scores, labels) == pytest.approx((0.5 + 0 + 1) / 3)
    predictions = top1_predictions(scores)
    np.testing.assert_array_equal(predictions, [-1, -1, 0, 2])
    matrix = confusion_matrix(predictions, labels, 3)
    assert matrix.sum() == 2 and matrix[0, 0] == 1 and matrix[2, 2] == 1
    per_class = precision_recall_f1(matrix, np.bincount(labels, minlength=3))
    np.testing.assert_allclose(per_class['recall'], [0.5, 0.0, 1.0])
    all_nan = np.full((4, 3), np.nan)
    assert top_k_accuracy(all_nan, labels, (1,)) == [0.0]
    assert mean_class_accuracy(all_nan, labels) == 0.0
