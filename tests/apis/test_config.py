from pathlib import Path

import pytest

from pyskl_lite.apis import load_config
from pyskl_lite.utils import InputError

BASE = '''
ann_file = 'data/a.pkl'
joint_layout = 'coco'
num_classes = 12
dataset = dict(type='PoseDataset', ann_file=ann_file, split='train_a',
               pipeline=[dict(type='Flip', joint_layout=joint_layout)])
train_dataloader = dict(batch_size=2, dataset=dict(type='RepeatDataset', times=2,
                                                   dataset=dataset))
val_dataloader = dict(batch_size=2, dataset=dict(dataset, split='val_a'))
model = dict(type='Recognizer', cls_head=dict(num_classes=num_classes))
'''


@pytest.fixture
def config_files(tmp_path):
    (tmp_path / '_base_').mkdir()
    (tmp_path / '_base_' / 'data.py').write_text(BASE)
    (tmp_path / 'child.py').write_text(
        "_base_ = ['./_base_/data.py']\nmodel = dict(cls_head=dict(dropout=0.5))\n")
    return tmp_path


def test_inheritance_merges_child_into_base(config_files):
    cfg = load_config(config_files / 'child.py')
    assert cfg.model.cls_head == dict(num_classes=12, dropout=0.5)
    assert cfg.train_dataloader.dataset.dataset.ann_file == 'data/a.pkl'


def test_shortcuts_rewrite_every_occurrence(config_files):
    cfg = load_config(config_files / 'child.py', dict(
        ann_file='ntu.pkl', joint_layout='nturgb+d', num_classes=60, train_split='xsub_train',
        val_split='xsub_val', **{'model.cls_head.dropout': 0.1}))
    train, val = cfg.train_dataloader.dataset.dataset, cfg.val_dataloader.dataset
    assert train.ann_file == val.ann_file == cfg.ann_file == 'ntu.pkl'
    assert train.pipeline[0].joint_layout == val.pipeline[0].joint_layout == 'nturgb+d'
    assert cfg.model.cls_head == dict(num_classes=60, dropout=0.1)
    assert (train.split, val.split) == ('xsub_train', 'xsub_val')


def test_shortcut_the_config_lacks_is_an_error(config_files):
    with pytest.raises(InputError, match="no 'label_map' key"):
        load_config(config_files / 'child.py', dict(label_map='x.txt'))
    with pytest.raises(InputError, match='no test_dataloader'):
        load_config(config_files / 'child.py', dict(test_split='x'))
    with pytest.raises(InputError, match='config file not found'):
        load_config(config_files / 'missing.py')


@pytest.mark.parametrize('name', ['c3d_keypoint', 'lstm_keypoint'])
def test_max_epochs_shortcut_stretches_the_schedule(name):
    """sgd_cosine: one cosine over the run; adamw_cosine: warm-up epoch, then a cosine."""
    config = f'{Path(__file__).resolve().parents[2]}/configs/{name}.py'
    before = load_config(config)
    after = load_config(config, dict(max_epochs=6, clip_len=16))
    assert before.train_cfg.max_epochs == 24 and after.train_cfg.max_epochs == 6
    for old, new in zip(before.param_scheduler, after.param_scheduler, strict=True):
        begin = old.get('begin', 0)
        if old['end'] == 24:
            assert new['end'] == 6
            if 'T_max' in old:
                assert new['T_max'] == 6 - begin and old['T_max'] == 24 - begin
        else:
            assert new == old  # the warm-up keeps its length
    pipelines = [after[f'{split}_dataloader'].dataset.pipeline
                 for split in ('train', 'val', 'test')]
    clip_lens = [t['clip_len'] for p in pipelines for t in p if 'clip_len' in t]
    assert len(clip_lens) == 3 and set(clip_lens) == {16}


def test_max_epochs_needs_an_epoch_loop(config_files):
    with pytest.raises(InputError, match='no train_cfg.max_epochs'):
        load_config(config_files / 'child.py', dict(max_epochs=3))
