"""tools/cross_validate.py end to end on the tiny config (3 folds, 1 epoch each)."""
import json
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from pyskl_lite.evaluation import read_results
from pyskl_lite.utils import InputError
from tests.tools.load_tool import ROOT, load_tool
from tests.tools.tiny_setup import NUM_TRAIN, NUM_VAL, subprocess_env, write_configs

cv_tool = load_tool('tools/cross_validate.py')


def trained_samples(fold_dir):
    lines = (fold_dir / 'samples_rank0.jsonl').read_text().splitlines()
    return [name for line in lines for name in json.loads(line)['samples']]


@pytest.fixture(scope='module')
def cross_validated(tmp_path_factory):
    folder = tmp_path_factory.mktemp('cv')
    config = write_configs(folder)['exact']
    work_dir = folder / 'work'
    args = [str(config), '--folds', '3', '--work-dir', str(work_dir), '--topk', '1', '3',
            '--cfg-options', 'max_epochs=1']
    assert cv_tool.main(args) == 0
    return args, work_dir


def test_every_fold_trains_on_its_train_side_and_tests_its_val_side(cross_validated, capsys):
    _, work_dir = cross_validated
    plan = json.loads((work_dir / 'folds.json').read_text())
    assert plan['group_by'] == 'subject' and plan['pooled'] == ['train', 'val']
    folds = plan['folds']
    vals = [name for fold in folds for name in fold['val']]
    assert len(vals) == len(set(vals)) == NUM_TRAIN + NUM_VAL  # each sample validated once
    subjects = [{re.search(r'P(\d+)', name).group(1) for name in fold['val']} for fold in folds]
    assert not (subjects[0] & subjects[1] or subjects[0] & subjects[2]
                or subjects[1] & subjects[2])
    for fold in folds:
        fold_dir = work_dir / f'fold{fold["fold"]}'
        assert set(trained_samples(fold_dir)) == set(fold['train'])
        assert sorted(read_results(fold_dir / 'results.pkl').frame_dirs) == sorted(fold['val'])
        assert (fold_dir / 'epoch_1.pth').is_file()
        assert not list(fold_dir.glob('best_*.pth'))  # no validation, no "best" on test data


def test_csv_holds_each_fold_and_mean_and_std(cross_validated):
    _, work_dir = cross_validated
    table = pd.read_csv(work_dir / 'cross_validation.csv', index_col='fold')
    assert list(table.index) == ['1', '2', '3', 'mean', 'std']
    top1 = []
    for k in (1, 2, 3):
        stored = read_results(work_dir / f'fold{k}' / 'results.pkl')
        top1.append(float((stored.scores.argmax(1) == stored.labels).mean()))
        assert table.loc[str(k), 'val'] == len(stored.labels)
    np.testing.assert_allclose(table.loc[['1', '2', '3'], 'acc/top1'], top1, atol=1e-6)
    assert table.loc['mean', 'acc/top1'] == pytest.approx(np.mean(top1), abs=1e-6)
    assert table.loc['std', 'acc/top1'] == pytest.approx(np.std(top1, ddof=1), abs=1e-6)
    assert {'acc/top3', 'acc/mean_class', 'val_subjects'} <= set(table.columns)


def test_resume_reuses_finished_folds_and_refuses_another_plan(cross_validated, capsys):
    args, work_dir = cross_validated
    before = (work_dir / 'cross_validation.csv').read_text()
    seen = trained_samples(work_dir / 'fold2')
    (work_dir / 'cross_validation.csv').unlink()
    assert cv_tool.main([*args, '--resume']) == 0
    assert trained_samples(work_dir / 'fold2') == seen  # not trained again
    assert (work_dir / 'cross_validation.csv').read_text() == before
    printed = capsys.readouterr().out
    assert 'fold 3/3' in printed and 'mean' in printed and 'std' in printed
    with pytest.raises(InputError, match=r"folds\.json: field 'folds': holds other folds"):
        cv_tool.main([*args, '--resume', '--seed', '1'])


def test_impossible_grouping_is_one_error_line_before_any_work(cross_validated, tmp_path):
    args, _ = cross_validated
    done = subprocess.run([sys.executable, str(ROOT / 'tools' / 'cross_validate.py'), args[0],
                           '--folds', '3', '--group-by', 'splits', '--work-dir',
                           str(tmp_path / 'cv')], capture_output=True, text=True, timeout=120,
                          env=subprocess_env())
    assert done.returncode == 2 and done.stdout == ''
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith('error: ')
    assert lines[0].endswith("tiny.pkl: field 'split': no fold splits (fold1_train / fold1_val, "
                             "...) in the pickle; present: ['train', 'val']; use --group-by "
                             'auto|subject|none')
    assert not (tmp_path / 'cv').exists()
