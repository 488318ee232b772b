"""Cross-validation folds: stratified, grouped without subject leakage, read from the pickle."""
import re

import numpy as np
import pytest

from pyskl_lite.datasets.folds import plan_folds, stratified_folds
from pyskl_lite.utils import InputError
from tests.conftest import SHARED_DATA, make_annotations, write_pickle


def utk_annotations(subjects=6, classes=4, takes=2, subject_field=False):
    """UTKinect-style ids ``aAA_sSS_eEE``: every subject performs every class ``takes``
    times."""
    template = make_annotations(num_samples=1, dim=3, num_joints=20)[0]
    annotations = []
    for subject in range(1, subjects + 1):
        for action in range(1, classes + 1):
            for take in range(1, takes + 1):
                sample = dict(template, frame_dir=f'a{action:02d}_s{subject:02d}_e{take:02d}',
                              label=action - 1)
                if subject_field:
                    sample['subject'] = f'person{(subject - 1) // 2}'
                annotations.append(sample)
    return annotations


def utk_pickle(tmp_path, annotations, split=None):
    ids = [a['frame_dir'] for a in annotations]
    split = split or {'train': ids[::2], 'val': ids[1::2]}
    return str(write_pickle(tmp_path / 'utk.pkl', annotations, split))


def subject(frame_dir):
    return re.search(r'_s(\d+)_', frame_dir).group(1)


def test_ungrouped_folds_are_stratified_and_partition_the_samples():
    labels = np.repeat([0, 1, 2], [10, 7, 4])
    fold = stratified_folds(labels, 3, seed=1)
    assert sorted(np.bincount(fold).tolist()) == [7, 7, 7]
    per_class = np.stack([np.bincount(fold[labels == c], minlength=3) for c in range(3)])
    assert (per_class.max(1) - per_class.min(1) <= 1).all()  # each class dealt evenly
    assert not np.array_equal(fold, stratified_folds(labels, 3, seed=2))


def test_grouped_folds_keep_subjects_whole_and_balance_the_classes():
    # Subjects 0-5 performed only class 0, subjects 6-11 only class 1 (6 samples each, one
    # subject 3): three folds of two class-0 and two class-1 subjects are the stratified answer.
    groups = np.repeat(np.arange(12), [6] * 3 + [3] + [6] * 8)
    labels = (groups >= 6).astype(int)
    for seed in range(5):
        fold = stratified_folds(labels, 3, groups=groups, seed=seed)
        for g in range(12):
            assert len(set(fold[groups == g])) == 1, 'a subject is split between folds'
        for k in range(3):
            assert len(set(groups[(fold == k) & (labels == 0)])) == 2
            assert len(set(groups[(fold == k) & (labels == 1)])) == 2


def test_as_many_folds_as_subjects_is_leave_one_subject_out():
    groups = np.repeat(np.array(['s1', 's2', 's3', 's4']), [5, 1, 3, 2])
    labels = np.arange(11) % 3
    fold = stratified_folds(labels, 4, groups=groups)
    assert sorted(len(set(groups[fold == k])) for k in range(4)) == [1, 1, 1, 1]
    with pytest.raises(ValueError, match='5 folds but only 4 groups'):
        stratified_folds(labels, 5, groups=groups)


def test_plan_groups_by_the_subject_in_frame_dir(tmp_path):
    annotations = utk_annotations()
    plan = plan_folds(utk_pickle(tmp_path, annotations), ['train', 'val'], 3, seed=3)
    assert plan.group_by == 'subject' and plan.pooled == ['train', 'val']
    assert '6 subjects' in plan.description and r"s(\d+)(" in plan.description
    vals = [fold.val for fold in plan.folds]
    assert sorted(sum(vals, [])) == sorted(a['frame_dir'] for a in annotations)
    for fold in plan.folds:
        assert not set(fold.train) & set(fold.val)
        assert len(fold.train) + len(fold.val) == len(annotations)
        assert len({subject(i) for i in fold.val}) == 2
        assert not {subject(i) for i in fold.val} & {subject(i) for i in fold.train}
        assert sorted(int(i[1:3]) for i in fold.val) == sorted(list(range(1, 5)) * 4)
    loso = plan_folds(utk_pickle(tmp_path, annotations), ['train', 'val'], 6)
    assert loso.description.endswith('leave-one-subject-out')
    assert sorted(len({subject(i) for i in f.val}) for f in loso.folds) == [1] * 6


def test_subject_field_and_pattern_choices(tmp_path):
    path = utk_pickle(tmp_path, utk_annotations(subject_field=True))
    plan = plan_folds(path, ['train', 'val'], 3)
    assert "'subject' field" in plan.description and '3 subjects' in plan.description
    assert set(plan.groups.values()) == {'person0', 'person1', 'person2'}
    by_take = plan_folds(path, ['train', 'val'], 2, group_pattern=r'_e(\d+)')
    assert all({i[-2:] for i in f.val} in ({'01'}, {'02'}) for f in by_take.folds)
    with pytest.raises(InputError, match=r"sample 'a01_s01_e01': field 'frame_dir': does not "
                                         r"match --group-pattern 'P\(\\d\+\)'"):
        plan_folds(path, ['train', 'val'], 2, group_pattern=r'P(\d+)')
    with pytest.raises(InputError, match='3 subjects .* cannot fill 4 folds; use --folds 3'):
        plan_folds(path, ['train', 'val'], 4, group_by='subject')
    assert plan_folds(path, ['train', 'val'], 4, group_by='none').group_by == 'none'


def test_ungroupable_ids_fall_back_to_samples_unless_subjects_are_required(tmp_path):
    annotations = [dict(a, frame_dir=f'clip{i}') for i, a in enumerate(utk_annotations())]
    path = utk_pickle(tmp_path, annotations)
    plan = plan_folds(path, ['train'], 4)
    assert plan.group_by == 'none' and plan.groups is None
    assert len(sum((f.val for f in plan.folds), [])) == len(annotations) // 2  # train only
    with pytest.raises(InputError, match=r"field 'subject': no 'subject' field and frame_dir "
                                         r"'clip0' matches none.*--group-pattern REGEX"):
        plan_folds(path, ['train', 'val'], 4, group_by='subject')


def test_fold_splits_are_read_from_the_pickle(tmp_path):
    annotations = utk_annotations()
    ids = [a['frame_dir'] for a in annotations]
    split = {'train': ids, 'fold1_train': ids[:24], 'fold1_val': ids[24:],
             'fold2_train': ids[24:], 'fold2_val': ids[:24]}
    path = utk_pickle(tmp_path, annotations, split)
    for group_by, folds in (('auto', 2), ('splits', None)):
        plan = plan_folds(path, ['train'], folds, group_by=group_by)
        assert plan.group_by == 'splits' and plan.pooled[:2] == ['fold1_train', 'fold1_val']
        assert [(f.index, f.train, f.val) for f in plan.folds] == [
            (1, ids[:24], ids[24:]), (2, ids[24:], ids[:24])]
    with pytest.raises(InputError, match='defines 2 folds .* not 3; pass --folds 2'):
        plan_folds(path, ['train'], 3)
    assert plan_folds(path, ['train'], 3, group_by='subject').group_by == 'subject'
    del split['fold2_val']
    with pytest.raises(InputError, match="fold2_val is missing"):
        plan_folds(utk_pickle(tmp_path, annotations, split), ['train'], 2)
    with pytest.raises(InputError, match=r"no fold splits .* present: \['all'\]"):
        plan_folds(utk_pickle(tmp_path, annotations, {'all': ids}), [None], 2,
                   group_by='splits')


@pytest.mark.skipif(not (SHARED_DATA / 'utkinect_xsub.pkl').exists(),
                    reason='shared UTKinect pickle not present')
def test_utkinect_has_ten_subjects_for_leave_one_subject_out():
    plan = plan_folds(str(SHARED_DATA / 'utkinect_xsub.pkl'), ['xsub_train', 'xsub_val'], 10)
    assert plan.description.endswith('10 subjects, leave-one-subject-out')
    assert sorted(len(f.val) for f in plan.folds) == [19] + [20] * 9  # s10 lacks one carry
    assert sorted(subject(f.val[0]) for f in plan.folds) == [f'{s:02d}' for s in range(1, 11)]
