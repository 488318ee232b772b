"""The dataset configs run end to end on tiny synthetic data through PoseDataset."""
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.dataset import pseudo_collate
from mmengine.registry import DefaultScope
from torch.utils.data import DataLoader

from pyskl_lite.apis import load_config
from pyskl_lite.datasets.synthetic import (
    MIRRORED_PAIRS,
    REVERSED_PAIRS,
    SYNTHETIC_CLASSES,
    dump_synthetic_dataset,
    make_synthetic_dataset,
)
from pyskl_lite.registry import DATASETS

CONFIGS = Path(__file__).resolve().parents[3] / 'configs' / '_base_' / 'datasets'


@pytest.fixture(scope='module')
def synthetic(tmp_path_factory):
    """``{dim: (ann_file, label_map)}``: 2D and 3D pickles where each of 3 subjects performs
    every class once (subjects 1 and 2 train, 3 validates)."""
    folder = tmp_path_factory.mktemp('synthetic')
    files = {}
    for dim in (2, 3):
        data = make_synthetic_dataset(num_samples=3 * len(SYNTHETIC_CLASSES), dim=dim,
                                      num_subjects=3)
        files[dim] = tuple(map(str, dump_synthetic_dataset(data, folder / f'{dim}d.pkl')))
    return files


def _datasets(name, files, splits=('train', 'val', 'test')):
    ann_file, label_map = files
    cfg = load_config(CONFIGS / f'{name}.py', dict(ann_file=ann_file, label_map=label_map))
    with DefaultScope.overwrite_default_scope('pyskl_lite'):
        return {split: DATASETS.build(cfg[f'{split}_dataloader']['dataset']) for split in splits}


def _inner(dataset):
    """The PoseDataset below a RepeatDataset."""
    return getattr(dataset, 'dataset', dataset)


@pytest.mark.parametrize('name,dim,shapes', [
    ('synthetic_heatmap', 2, {'train': (1, 17, 48, 56, 56), 'val': (1, 17, 48, 64, 64),
                              'test': (10, 17, 48, 64, 64)}),
    ('synthetic_keypoint', 2, {'train': (1, 2, 48, 17, 3), 'val': (1, 2, 48, 17, 3),
                               'test': (10, 2, 48, 17, 3)}),
    ('synthetic_keypoint_3d', 3, {'train': (1, 2, 48, 25, 3), 'val': (1, 2, 48, 25, 3),
                                  'test': (10, 2, 48, 25, 3)}),
])
def test_config_pipelines_produce_model_inputs(synthetic, name, dim, shapes):
    datasets = _datasets(name, synthetic[dim])
    for split, dataset in datasets.items():
        assert _inner(dataset).split == ('xsub_train' if split == 'train' else 'xsub_val')
        sample = dataset[0]
        inputs, data_sample = sample['inputs'], sample['data_samples']
        assert tuple(inputs.shape) == shapes[split] and inputs.dtype == torch.float32
        assert torch.isfinite(inputs).all() and inputs.abs().max() > 0
        assert 0 <= int(data_sample.gt_label) < dataset.num_classes
        assert data_sample.frame_dir == dataset.get_data_info(0)['frame_dir']
        if 'heatmap' in name:
            assert 0 <= inputs.min() and inputs.max() <= 1
            assert data_sample.img_shape == shapes[split][-2:]
    # evaluation clips are deterministic and do not touch numpy's global generator
    state = np.random.get_state()
    first, second = datasets['val'][1]['inputs'], datasets['val'][1]['inputs']
    assert torch.equal(first, second)
    assert np.array_equal(np.random.get_state()[1], state[1])
    batch = next(iter(DataLoader(datasets['train'], batch_size=3, collate_fn=pseudo_collate)))
    assert len(batch['inputs']) == 3 and len(batch['data_samples']) == 3


def _both_ways(pairs):
    return {a: b for pair in pairs for a, b in (pair, pair[::-1])}


def test_label_aware_augmentations_cover_the_synthetic_pairs(synthetic):
    """The configs name the synthetic mirrored / reversed classes; they must stay in step with
    the generator's pairs."""
    heatmap = _inner(_datasets('synthetic_heatmap', synthetic[2], ['train'])['train'])
    flip = next(t for t in heatmap.pipeline.transforms if type(t).__name__ == 'Flip')
    assert flip.flip_label_map == _both_ways(MIRRORED_PAIRS)
    for name, dim in (('synthetic_keypoint', 2), ('synthetic_keypoint_3d', 3)):
        train = _inner(_datasets(name, synthetic[dim], ['train'])['train'])
        reverse = next(t for t in train.pipeline.transforms
                       if type(t).__name__ == 'TemporalReverse')
        assert reverse.label_map == _both_ways(REVERSED_PAIRS)
