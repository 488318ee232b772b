"""Label-free datasets (self-supervised pretraining) never read a label; few-label training
keeps a class-stratified, seeded fraction of the split."""
import collections

import numpy as np
import pytest
import torch

from pyskl_lite import register_all_modules
from pyskl_lite.apis import derive_in_channels, load_config
from pyskl_lite.datasets import PoseDataset, pose_dataset
from pyskl_lite.datasets.annotations import read_annotation_file, stratified_subset
from pyskl_lite.registry import DATASETS, MODELS
from pyskl_lite.utils import InputError
from tests.conftest import make_annotations, write_pickle
from tests.tools.tiny_setup import REPO

register_all_modules()
SIMCLR_CONFIG = REPO / 'configs' / 'simclr_c3d_keypoint.py'


class LabelRead(AssertionError):
    """Raised by :class:`Sentinel`: code that should never read a label did."""


class Sentinel:
    """A label that fails on any use: comparison, hashing, conversion, printing, pickling."""

    def _fail(self, *args, **kwargs):
        raise LabelRead('a label was read')

    __eq__ = __ne__ = __lt__ = __hash__ = __int__ = __index__ = __bool__ = _fail
    __repr__ = __str__ = __format__ = __reduce__ = __reduce_ex__ = __getattr__ = _fail


def annotations_3d(num_samples=8):
    return make_annotations(num_samples=num_samples, dim=3, num_joints=25)


def strip_labels(annotations):
    return [{k: v for k, v in a.items() if k != 'label'} for a in annotations]


def test_a_pickle_without_labels_loads_label_free_and_is_refused_otherwise(tmp_path):
    path = write_pickle(tmp_path / 'nolabels.pkl', strip_labels(annotations_3d()))
    dataset = PoseDataset(str(path), split='train', with_labels=False)
    assert len(dataset) == 4 and 'label' not in dataset[0]
    assert 'label' not in dataset.sample_table() and dataset.summary()['samples'] == 4
    with pytest.raises(InputError, match='label-free'):
        _ = dataset.labels
    with pytest.raises(InputError, match=r"field 'label': missing key .*with_labels=False"):
        PoseDataset(str(path), split='train').full_init()
    with pytest.raises(InputError, match='label_fraction needs labels'):
        PoseDataset(str(path), split='train', with_labels=False, label_fraction=0.5)


def simclr_config(path, **options):
    return load_config(SIMCLR_CONFIG, dict(ann_file=str(path), joint_layout='nturgb+d',
                                           **options))


def test_pretraining_never_reads_a_label(tmp_path, monkeypatch):
    """Labels that fail on any use go through the pretraining config's dataset, pipeline
    (two views) and model loss untouched."""
    annotations = annotations_3d()
    for sample in annotations:
        sample['label'] = Sentinel()

    def read_with_sentinels(path):
        return annotations, {'xsub_train': [a['frame_dir'] for a in annotations]}

    monkeypatch.setattr(pose_dataset, 'read_annotation_file', read_with_sentinels)
    path = tmp_path / 'unused.pkl'
    path.write_bytes(b'')
    cfg = simclr_config(path)
    assert derive_in_channels(cfg) == 6  # through MultiView's FormatKeypoints: x, y, z + motion
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    batch = [dataset[i] for i in range(4)]
    assert all('label' not in sample for sample in annotations)  # removed, unread
    assert all('gt_label' not in item['data_samples'] for item in batch)
    inputs = torch.stack([item['inputs'] for item in batch])
    assert inputs.shape == (4, 2, 6, 48, 25, 2)
    assert not torch.equal(inputs[:, 0], inputs[:, 1])  # independent augmentations
    model = MODELS.build(cfg.model)
    loss = model.loss(inputs, [item['data_samples'] for item in batch])['loss_nt_xent']
    loss.backward()
    assert torch.isfinite(loss)


def test_the_label_free_config_takes_the_dataset_options_of_the_supervised_ones(tmp_path):
    path = write_pickle(tmp_path / 'a.pkl', annotations_3d(),
                        split={'xsub_train': [f'S001C001P{i:03d}R001A{i % 3 + 1:03d}'
                                              for i in range(8)]})
    cfg = simclr_config(path, label_map=['a', 'b', 'c'], num_classes=3,
                        reverse_pairs='a:b')
    assert 'label_map' not in cfg.train_dataloader.dataset.dataset
    with pytest.raises(InputError, match="no 'num_classes' key"):
        simclr_config(path, num_classes=3, label_free=False)
    with pytest.raises(InputError, match='no .clip_lenn'):
        simclr_config(path, clip_lenn=3)


def test_label_fraction_is_class_stratified_and_seeded(tmp_path):
    labels = np.repeat(np.arange(4), [10, 10, 5, 1])
    kept = stratified_subset(labels, 0.2, seed=0)
    assert collections.Counter(labels[kept].tolist()) == {0: 2, 1: 2, 2: 1, 3: 1}
    np.testing.assert_array_equal(kept, stratified_subset(labels, 0.2, seed=0))
    others = [tuple(stratified_subset(labels, 0.2, seed=s)) for s in range(1, 6)]
    assert any(other != tuple(kept) for other in others)
    assert len(stratified_subset(labels, 1.0)) == len(labels)

    annotations = make_annotations(num_samples=30, num_classes=3)
    path = write_pickle(tmp_path / 'f.pkl', annotations,
                        split={'train': [a['frame_dir'] for a in annotations]})
    cfg = load_config(REPO / 'configs' / 'c3d_keypoint.py',
                      dict(ann_file=str(path), train_split='train', label_fraction=0.2,
                           label_seed=3))
    inner = cfg.train_dataloader.dataset.dataset
    assert (inner.label_fraction, inner.label_seed) == (0.2, 3)
    dataset = PoseDataset(str(path), split='train', label_fraction=0.2, label_seed=3)
    assert collections.Counter(dataset.labels.tolist()) == {0: 2, 1: 2, 2: 2}
    all_ids = [a['frame_dir'] for a in read_annotation_file(path)[0]]
    assert set(dataset.sample_table()['frame_dir']) <= set(all_ids)
    with pytest.raises(InputError, match='label_fraction'):
        PoseDataset(str(path), split='train', label_fraction=0.0)
