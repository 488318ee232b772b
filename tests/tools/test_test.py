"""tools/test.py: metrics table, CSV/PNG reports and the per-sample results file."""
import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm

from pyskl_lite.evaluation import load_results, read_results
from pyskl_lite.utils import InputError
from tests.tools.load_tool import load_tool
from tests.tools.tiny_setup import NUM_VAL, write_configs

train_tool = load_tool('tools/train.py')
test_tool = load_tool('tools/test.py')
ensemble_tool = load_tool('tools/ensemble.py')


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    folder = tmp_path_factory.mktemp('tested')
    config = write_configs(folder)['exact']
    work_dir = folder / 'work'
    assert train_tool.main([str(config), '--work-dir', str(work_dir), '--cfg-options',
                            'train_cfg.max_epochs=1',
                            f'val_evaluator.1.out_file={folder}/v.pkl']) == 0
    return config, work_dir / 'epoch_1.pth'


# The tiny model, trained one epoch, predicts classes the 15 test samples lack: scikit-learn
# says so while computing the reference numbers.
@pytest.mark.filterwarnings('ignore:y_pred contains classes not in y_true:UserWarning')
def test_reports_agree_with_the_results_file(trained, tmp_path, capsys):
    config, checkpoint = trained
    out = tmp_path / 'results.json'
    assert test_tool.main([str(config), str(checkpoint), '--work-dir', str(tmp_path),
                           '--eval', 'top_k_accuracy', 'mean_class_accuracy',
                           'confusion_matrix', 'precision_recall_f1', '--topk', '1', '3',
                           '--out', str(out)]) == 0
    printed = capsys.readouterr().out
    for name in ('acc/top1', 'acc/top3', 'acc/mean_class', 'macro/f1'):
        assert name in printed

    results, classes = load_results(out)
    assert len(results) == NUM_VAL and classes[0] == 'class 0'
    labels = np.array([r['label'] for r in results])
    scores = np.stack([r['pred_score'] for r in results])
    np.testing.assert_allclose(scores.sum(1), 1, rtol=1e-5)  # average_clips='prob'
    table = pd.read_csv(tmp_path / 'metrics.csv', index_col='metric')['value']
    assert table['acc/top1'] == pytest.approx(skm.accuracy_score(labels, scores.argmax(1)))
    assert table['acc/top3'] == pytest.approx(
        skm.top_k_accuracy_score(labels, scores, k=3, labels=range(len(classes))))
    assert table['acc/mean_class'] == pytest.approx(
        skm.balanced_accuracy_score(labels, scores.argmax(1)), abs=1e-6)
    counts = pd.read_csv(tmp_path / 'confusion_matrix.csv', index_col=0)
    assert list(counts.columns) == classes and counts.to_numpy().sum() == NUM_VAL
    assert (tmp_path / 'confusion_matrix.png').is_file()
    assert (tmp_path / 'precision_recall_f1.csv').is_file()
    # tools/ensemble.py on this one file reports exactly what test.py reported.
    assert ensemble_tool.main([str(out), '--work-dir', str(tmp_path / 'ens'), '--topk', '1', '3',
                               '--eval', 'top_k_accuracy', 'mean_class_accuracy',
                               'confusion_matrix', 'precision_recall_f1']) == 0
    for name in ('metrics.csv', 'confusion_matrix.csv', 'precision_recall_f1.csv'):
        assert (tmp_path / 'ens' / name).read_text() == (tmp_path / name).read_text()


def test_average_clips_and_default_metrics(trained, tmp_path, capsys):
    config, checkpoint = trained
    out = tmp_path / 'scores.pkl'
    assert test_tool.main([str(config), str(checkpoint), '--work-dir', str(tmp_path),
                           '--average-clips', 'score', '--out', str(out)]) == 0
    printed = capsys.readouterr().out
    assert 'acc/top1' in printed and 'acc/top5' in printed and 'macro/' not in printed
    # A summary, the progress and the table: what mmengine prints or logs about loading the
    # checkpoint and the hooks goes to the log file.
    assert '15 test samples; 24 classes' in printed.replace('(val) ', '')
    assert 'test: 4/4 (100 %)' in printed
    assert 'Loads checkpoint' not in printed and 'Hooks will be executed' not in printed
    log = next(tmp_path.glob('*/*.log')).read_text()
    assert 'Loads checkpoint' in log and 'Hooks will be executed' in log
    scores = np.stack([r['pred_score'] for r in load_results(out)[0]])
    assert not np.allclose(scores.sum(1), 1)  # raw logits, not probabilities
    # The file says so and also keeps the probabilities, for ensembles of either kind.
    stored = read_results(out)
    assert stored.score_kind == 'score'
    np.testing.assert_array_equal(stored.logits, scores)
    # One view per sample in the tiny config: the probabilities are the logits' softmax.
    np.testing.assert_allclose(stored.probs, np.exp(scores) / np.exp(scores).sum(1, keepdims=True),
                               rtol=1e-5)
    assert not (tmp_path / 'confusion_matrix.csv').exists()


def test_missing_checkpoint_is_an_input_error(trained, tmp_path):
    with pytest.raises(InputError, match='checkpoint not found'):
        test_tool.main([str(trained[0]), str(tmp_path / 'nope.pth')])


def test_checkpoint_of_another_model_is_refused(trained, tmp_path):
    with pytest.raises(InputError, match='does not fit the model.*size mismatch'):
        test_tool.main([str(trained[0]), str(trained[1]), '--work-dir', str(tmp_path),
                        '--cfg-options', 'model.backbone.hidden=16',
                        'model.cls_head.in_channels=16'])
    assert not [path for path in tmp_path.iterdir() if path.is_dir()]  # no run folder left


def test_testing_in_the_training_work_dir_keeps_its_config(trained):
    config, checkpoint = trained
    dumped = checkpoint.parent / config.name
    before = dumped.read_text()
    assert test_tool.main([str(config), str(checkpoint),
                           '--work-dir', str(checkpoint.parent)]) == 0
    assert dumped.read_text() == before
    assert (checkpoint.parent / 'metrics.csv').is_file()
