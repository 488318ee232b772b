from pathlib import Path

import pytest

from pyskl_lite.apis import load_config
from pyskl_lite.apis.sanity import innermost_dataset
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


@pytest.mark.parametrize('name', ['c3d_keypoint', 'stgcnpp_keypoint_3d', 'lstm_keypoint',
                                  'c3d_heatmap', 'lrcn_heatmap', 'convlstm_heatmap'])
def test_min_samples_shortcut_reaches_the_repeat_dataset(name):
    """Every supervised table repeats a small training set to full epochs (the heatmap configs
    trained 24 x 100 samples on UTKinect); as a plain variable an option on min_samples changed
    nothing, silently."""
    config = f'{Path(__file__).resolve().parents[2]}/configs/{name}.py'
    assert load_config(config).train_dataloader.dataset.min_samples == 1000
    cfg = load_config(config, dict(min_samples=320))
    assert cfg.train_dataloader.dataset.type == 'RepeatDataset'
    assert cfg.train_dataloader.dataset.min_samples == 320


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
    pipelines = [innermost_dataset(after[f'{split}_dataloader'].dataset).pipeline
                 for split in ('train', 'val', 'test')]
    clip_lens = [t['clip_len'] for p in pipelines for t in p if 'clip_len' in t]
    assert len(clip_lens) == 3 and set(clip_lens) == {16}


def test_max_epochs_needs_an_epoch_loop(config_files):
    with pytest.raises(InputError, match='no train_cfg.max_epochs'):
        load_config(config_files / 'child.py', dict(max_epochs=3))


TABLE = '''
joint_layout = 'coco'
stream = 'j'
keypoint_layout = 'NMTVC'
reverse_pairs = {'sit down': 'stand up'}
pipeline = [dict(type='TemporalReverse', reverse_label_map=reverse_pairs),
            dict(type='GenSkeFeat', feats=stream, joint_layout=joint_layout),
            dict(type='FormatKeypoints', layout=keypoint_layout)]
train_dataloader = dict(dataset=dict(type='PoseDataset', pipeline=pipeline))
model = dict(backbone=dict(type='KeypointC3D', joint_layout=joint_layout,
                           layout=keypoint_layout))
'''


@pytest.fixture
def table_files(tmp_path):
    (tmp_path / 'table.py').write_text(TABLE)
    (tmp_path / 'twin.py').write_text(
        "_base_ = ['./table.py']\njoint_layout = 'kinect'\nstream = 'j+jm'\n"
        "keypoint_layout = 'NCTVM'\n")
    return tmp_path


def _pipeline(cfg):
    return {t['type']: t for t in cfg.train_dataloader.dataset.pipeline}


def test_a_child_changes_the_table_in_one_line(table_files):
    """Top-level shortcut names are written into every key they stand for, so a twin config
    changes layout, features and axis order without restating the pipeline."""
    cfg = load_config(table_files / 'twin.py')
    steps = _pipeline(cfg)
    assert steps['GenSkeFeat']['feats'] == ['j', 'jm']
    assert steps['GenSkeFeat']['joint_layout'] == cfg.model.backbone.joint_layout == 'kinect'
    assert steps['FormatKeypoints']['layout'] == cfg.model.backbone.layout == 'NCTVM'
    base = load_config(table_files / 'table.py')
    assert _pipeline(base)['GenSkeFeat']['feats'] == ['j']
    assert base.model.backbone.layout == 'NMTVC'


def test_stream_and_reverse_pairs_shortcuts(table_files):
    cfg = load_config(table_files / 'table.py', dict(stream='b+bm',
                                                     reverse_pairs='sitDown:standUp'))
    steps = _pipeline(cfg)
    assert steps['GenSkeFeat']['feats'] == ['b', 'bm']
    assert steps['TemporalReverse']['reverse_label_map'] == {'sitDown': 'standUp'}
    cfg = load_config(table_files / 'table.py', dict(reverse_pairs=['a:b', '3:4']))
    assert _pipeline(cfg)['TemporalReverse']['reverse_label_map'] == {'a': 'b', 3: 4}
    cfg = load_config(table_files / 'table.py', dict(reverse_pairs='none'))
    assert _pipeline(cfg)['TemporalReverse']['reverse_label_map'] == {}
    with pytest.raises(InputError, match="stream='x'.*one or more of j, b, jm, bm"):
        load_config(table_files / 'table.py', dict(stream='x'))
    with pytest.raises(InputError, match='reverse_pairs.*written a:b'):
        load_config(table_files / 'table.py', dict(reverse_pairs='sitDown'))
    (table_files / 'plain.py').write_text('model = dict()\n')
    with pytest.raises(InputError, match="no 'feats' key"):
        load_config(table_files / 'plain.py', dict(stream='j'))


def test_a_config_outside_the_repository_is_told_the_absolute_base_path(tmp_path):
    outside = tmp_path / 'my_config.py'
    outside.write_text("_base_ = ['configs/c3d_keypoint.py']\n")
    shipped = Path(__file__).resolve().parents[2] / 'configs' / 'c3d_keypoint.py'
    with pytest.raises(InputError, match=f"relative to the folder.*absolute path: '{shipped}'"):
        load_config(outside)
    outside.write_text(f"_base_ = [{str(shipped)!r}]\nstream = 'b'\n")
    assert load_config(outside).stream == 'b'
