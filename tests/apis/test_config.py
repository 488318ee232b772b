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
