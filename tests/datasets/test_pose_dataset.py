import logging

import numpy as np
import pytest
from mmengine.logging import MMLogger

from pyskl_lite.datasets import PoseDataset
from pyskl_lite.registry import DATASETS
from pyskl_lite.utils import InputError
from tests.conftest import SHARED_DATA, make_annotations


@pytest.mark.parametrize('dim,dtype', [(2, 'float16'), (2, 'float32'), (3, 'float32')])
def test_loads_2d_3d_and_float16(ann_pickle, dim, dtype):
    annotations = make_annotations(num_samples=10, dim=dim, dtype=dtype,
                                   num_joints=17 if dim == 2 else 25)
    if dim == 3:
        assert 'img_shape' not in annotations[0] and 'keypoint_score' not in annotations[0]
    path = ann_pickle(annotations=annotations)
    dataset = PoseDataset(str(path), split='val', test_mode=True)
    assert len(dataset) == 5
    first = dataset[0]
    source = annotations[5]
    assert first['frame_dir'] == source['frame_dir']
    assert first['keypoint'].dtype == np.dtype(dtype)
    np.testing.assert_array_equal(first['keypoint'], source['keypoint'])
    assert first['test_mode'] is True and first['label'] == source['label']
    assert dataset.summary()['coords'] == [dim]


def test_registry_builds_it_with_label_map(ann_pickle, tmp_path):
    label_map = tmp_path / 'labels.txt'
    label_map.write_text('walk\nsit\nstand\n')
    dataset = DATASETS.build(dict(type='PoseDataset', ann_file=str(ann_pickle()),
                                  split='train', label_map=str(label_map)))
    assert dataset.num_classes == 3 and dataset.classes == ('walk', 'sit', 'stand')
    table = dataset.sample_table()
    assert list(table['class_name']) == [dataset.classes[i] for i in table['label']]
    assert table['num_person'].tolist() == [dataset[i]['keypoint'].shape[0]
                                            for i in range(len(dataset))]


def test_indices_subset_keeps_metadata_aligned(ann_pickle):
    dataset = PoseDataset(str(ann_pickle(num_samples=20)), split='train', indices=[7, 2, 5])
    assert [dataset[i]['frame_dir'] for i in range(3)] == \
        dataset.sample_table()['frame_dir'].tolist()
    assert dataset.labels.tolist() == [dataset[i]['label'] for i in range(3)]


def _broken(field, value, index=3):
    annotations = make_annotations(num_samples=8)
    if value is KeyError:
        del annotations[index][field]
    else:
        annotations[index][field] = value(annotations[index]) if callable(value) else value
    return annotations


@pytest.mark.parametrize('field,value,message', [
    ('keypoint', KeyError, 'missing key'),
    ('label', KeyError, 'missing key'),
    ('total_frames', KeyError, 'missing key'),
    ('keypoint', lambda a: a['keypoint'][0], 'expected a 4-D array'),
    ('keypoint_score', lambda a: a['keypoint_score'][:, :-1], 'does not match keypoint'),
    ('total_frames', lambda a: a['total_frames'] + 1, 'does not match keypoint T'),
    ('label', -1, 'out of range'),
    ('label', 3, r'out of range \[0, 2\]'),
])
def test_validation_errors_name_file_sample_field(ann_pickle, field, value, message):
    annotations = _broken(field, value, index=1)
    path = ann_pickle(annotations=annotations)
    with pytest.raises(InputError, match=message) as info:
        PoseDataset(str(path), split='train', num_classes=3)
    text = str(info.value)
    assert str(path) in text and repr(annotations[1]['frame_dir']) in text
    assert f"field {field!r}" in text and '\n' not in text


def test_label_checked_against_label_map_size(ann_pickle, tmp_path):
    label_map = tmp_path / 'labels.txt'
    label_map.write_text('a\nb\n')
    with pytest.raises(InputError, match=r'2 is out of range \[0, 1\]'):
        PoseDataset(str(ann_pickle()), split='train', label_map=str(label_map))


def test_split_errors(ann_pickle):
    path = ann_pickle(split={'xsub_train': ['S001C001P000R001A001'], 'empty': [],
                             'broken': ['S001C001P000R001A001', 'nope1', 'nope2']})
    with pytest.raises(InputError, match="split 'xview_train' not found; present: 'broken', "
                                         "'empty', 'xsub_train'"):
        PoseDataset(str(path), split='xview_train')
    with pytest.raises(InputError, match="split 'empty' is empty"):
        PoseDataset(str(path), split='empty')
    with pytest.raises(InputError, match=r"names 2 of 3 ids .* \(first: 'nope1', 'nope2'\)"):
        PoseDataset(str(path), split='broken')
    assert len(PoseDataset(str(path), split='xsub_train')) == 1


def test_split_as_an_explicit_list_of_ids(ann_pickle):
    path = ann_pickle()  # splits 'train' = samples 0-5, 'val' = 6-11
    ids = ['S001C001P007R001A002', 'S001C001P002R001A003']
    dataset = PoseDataset(str(path), split=ids, test_mode=True)
    assert [dataset[i]['frame_dir'] for i in range(len(dataset))] == ids
    assert dataset.summary()['split'] == '<2 listed ids>'
    with pytest.raises(InputError, match=r"split '<2 listed ids>' names 1 of 2 ids that are not "
                                         r"in annotations \(first: 'nope'\)"):
        PoseDataset(str(path), split=[ids[0], 'nope'])


def _capture_warnings():
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    MMLogger.get_current_instance().addHandler(handler)
    return records, handler


def test_nonfinite_joints_become_missing_with_a_warning(ann_pickle):
    annotations = make_annotations(num_samples=4)
    annotations[0]['keypoint'][0, 1, 2, 0] = np.nan
    annotations[0]['keypoint'][0, 3, 4, 1] = np.inf
    path = ann_pickle(annotations=annotations)
    records, handler = _capture_warnings()
    try:
        dataset = PoseDataset(str(path), split='train')
    finally:
        MMLogger.get_current_instance().removeHandler(handler)
    sample = dataset[0]
    for t, v in [(1, 2), (3, 4)]:
        assert (sample['keypoint'][0, t, v] == 0).all() and sample['keypoint_score'][0, t, v] == 0
    assert np.isfinite(sample['keypoint']).all()
    assert any('2 joints with NaN/inf' in r.getMessage() for r in records)


def test_samples_without_person_or_frame_are_skipped(ann_pickle):
    annotations = make_annotations(num_samples=6)
    annotations[0]['keypoint'] = annotations[0]['keypoint'][:0]
    annotations[0]['keypoint_score'] = annotations[0]['keypoint_score'][:0]
    annotations[1]['keypoint'] = annotations[1]['keypoint'][:, :0]
    annotations[1]['keypoint_score'] = annotations[1]['keypoint_score'][:, :0]
    annotations[1]['total_frames'] = 0
    records, handler = _capture_warnings()
    try:
        dataset = PoseDataset(str(ann_pickle(annotations=annotations)), split='train')
    finally:
        MMLogger.get_current_instance().removeHandler(handler)
    assert [dataset[i]['frame_dir'] for i in range(len(dataset))] == \
        [annotations[2]['frame_dir']]
    assert any('skipped 2 samples' in r.getMessage() for r in records)


def test_pipeline_is_applied(ann_pickle):
    def count_frames(results):
        results['seen'] = results['keypoint'].shape[1]
        return results

    dataset = PoseDataset(str(ann_pickle()), split='train', pipeline=[count_frames])
    assert dataset[0]['seen'] == dataset[0]['total_frames']


@pytest.mark.skipif(not (SHARED_DATA / 'utkinect_xsub.pkl').exists(),
                    reason='shared UTKinect pickle not present')
def test_reads_real_pyskl_3d_pickle_unchanged():
    train = PoseDataset(str(SHARED_DATA / 'utkinect_xsub.pkl'), split='xsub_train',
                        num_classes=10)
    val = PoseDataset(str(SHARED_DATA / 'utkinect_xsub.pkl'), split='xsub_val', num_classes=10)
    assert (len(train), len(val)) == (100, 99)
    sample = train[0]
    assert sample['keypoint'].shape[1:] == (sample['total_frames'], 20, 3)
    assert set(train.summary()['samples_per_class'].values()) == {10}
