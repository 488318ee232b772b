"""Every shipped config builds its model and runs a training step and a prediction on data from
its own pipelines (tiny synthetic pickle; the C3D heatmap clip shortened to keep it fast)."""
from pathlib import Path

import pytest
import torch
from mmengine.dataset import pseudo_collate
from mmengine.optim import build_optim_wrapper
from mmengine.registry import DefaultScope

from pyskl_lite.apis import derive_in_channels, load_config
from pyskl_lite.datasets.synthetic import (
    SYNTHETIC_CLASSES,
    dump_synthetic_dataset,
    make_synthetic_dataset,
)
from pyskl_lite.registry import DATASETS, MODELS
from pyskl_lite.utils import InputError

CONFIGS = Path(__file__).resolve().parents[2] / 'configs'
SHIPPED = ['c3d_heatmap', 'c3d_keypoint', 'c3d_keypoint_3d', 'convlstm_heatmap',
           'lrcn_heatmap', 'lstm_keypoint', 'lstm_keypoint_3d', 'stgcnpp_keypoint',
           'stgcnpp_keypoint_3d']
HEATMAP = ['c3d_heatmap', 'convlstm_heatmap', 'lrcn_heatmap']
#: label-free pretraining configs -> the supervised config whose backbone they pretrain
PRETRAINING = {'simclr_c3d_keypoint': 'c3d_keypoint_3d'}
# C3D-light on 17 x 48 x 56 x 56 costs 17 GFLOPs per sample: test it on 8-frame clips.
SHORT_CLIPS = {'c3d_heatmap': {'clip_len': 8}}


@pytest.fixture(scope='module')
def synthetic(tmp_path_factory):
    """``{2: (ann_file, label_map), 3: (...)}``: tiny synthetic 2D COCO and 3D NTU sets."""
    folder = tmp_path_factory.mktemp('synthetic')
    files = {}
    for dim in (2, 3):
        data = make_synthetic_dataset(num_samples=len(SYNTHETIC_CLASSES), dim=dim,
                                      num_subjects=3)
        files[dim] = tuple(map(str, dump_synthetic_dataset(data, folder / f'syn{dim}d.pkl')))
    return files


def assert_one_step_trains(model, batch, optim_wrapper, head: str) -> None:
    """One training step gives a finite loss and changes backbone and ``head`` weights."""
    model.train()
    before = {k: v.detach().clone() for k, v in model.named_parameters()}
    log_vars = model.train_step(batch, optim_wrapper)
    assert torch.isfinite(log_vars['loss'])
    changed = [k for k, v in model.named_parameters() if not torch.equal(before[k], v)]
    assert any(k.startswith('backbone.') for k in changed)
    assert any(k.startswith(head) for k in changed)


def test_every_config_file_is_tested():
    assert sorted(p.stem for p in CONFIGS.glob('*.py')) == sorted(SHIPPED + [*PRETRAINING])


@pytest.mark.parametrize('name', SHIPPED)
def test_config_trains_one_step_and_predicts(name, synthetic):
    ann_file, label_map = synthetic[3 if name.endswith('_3d') else 2]
    options = dict(ann_file=ann_file, label_map=label_map, train_split='xview_train',
                   val_split='xview_val', **SHORT_CLIPS.get(name, {}))
    cfg = load_config(CONFIGS / f'{name}.py', options)
    assert cfg.default_scope == 'pyskl_lite'
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('pyskl_lite'):
        derive_in_channels(cfg)
        train_set = DATASETS.build(cfg.train_dataloader.dataset)
        val_set = DATASETS.build(cfg.val_dataloader.dataset)
        model = MODELS.build(cfg.model)
        model.init_weights()
        optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    assert model.cls_head.num_classes == train_set.num_classes == len(SYNTHETIC_CLASSES)

    assert_one_step_trains(model, pseudo_collate([train_set[i] for i in range(3)]),
                           optim_wrapper, head='cls_head.')

    model.eval()
    samples = model.test_step(pseudo_collate([val_set[0], val_set[1]]))
    for sample in samples:
        assert sample.pred_score.shape == (len(SYNTHETIC_CLASSES),)
        assert torch.isclose(sample.pred_score.sum(), torch.tensor(1.0))  # average_clips='prob'
        assert 'frame_dir' in sample.metainfo


@pytest.mark.parametrize('name', sorted(PRETRAINING))
def test_pretraining_config_trains_one_step_with_the_backbone_of_its_supervised_config(
        name, synthetic):
    ann_file, label_map = synthetic[3]
    options = dict(ann_file=ann_file, label_map=label_map, num_classes=len(SYNTHETIC_CLASSES),
                   train_split='xview_train')
    cfg = load_config(CONFIGS / f'{name}.py', options)
    supervised = load_config(CONFIGS / f'{PRETRAINING[name]}.py', options)
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('pyskl_lite'):
        assert derive_in_channels(cfg) == derive_in_channels(supervised)
        assert cfg.model.backbone == supervised.model.backbone
        train_set = DATASETS.build(cfg.train_dataloader.dataset)
        model = MODELS.build(cfg.model)
        model.init_weights()
        optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    assert cfg.get('val_dataloader') is None and cfg.get('label_free')
    batch = pseudo_collate([train_set[i] for i in range(4)])
    assert batch['inputs'][0].shape[0] == 2  # two views
    assert_one_step_trains(model, batch, optim_wrapper, head='projector.')


@pytest.mark.parametrize('name', ['c3d_keypoint', 'lstm_keypoint', 'stgcnpp_keypoint'])
def test_keypoint_configs_follow_the_joint_layout_shortcut(name):
    """A 25-joint NTU layout changes every joint-dependent size of the model."""
    channels = 6 if name == 'c3d_keypoint' else 3
    cfg = load_config(CONFIGS / f'{name}.py', {'joint_layout': 'nturgb+d', 'num_classes': 60,
                                               'model.backbone.in_channels': channels})
    with DefaultScope.overwrite_default_scope('pyskl_lite'):
        model = MODELS.build(cfg.model).eval()
    inputs = torch.randn(2, 1, 2, 16, 25, 3)  # (B, views, M, T, V, C): NMTVC
    if name == 'c3d_keypoint':
        inputs = torch.randn(2, 1, 6, 16, 25, 2)  # NCTVM, joints + motion
    with torch.no_grad():
        assert model(inputs).shape == (2, 1, 60)


@pytest.mark.parametrize('name', HEATMAP)
def test_heatmap_configs_refuse_3d_skeletons_on_the_keypoint_field(name, synthetic):
    """3D pickles have no pixel frame to draw heatmaps in: one line naming file, sample and
    field, when the model's in_channels is derived from the first sample."""
    ann_file, label_map = synthetic[3]
    cfg = load_config(CONFIGS / f'{name}.py', dict(ann_file=ann_file, label_map=label_map))
    with DefaultScope.overwrite_default_scope('pyskl_lite'), \
            pytest.raises(InputError) as error:
        derive_in_channels(cfg)
    message = str(error.value)
    assert message.startswith(f"{ann_file}: sample '") and '\n' not in message
    assert "field 'keypoint': PoseCompact: 3D skeletons (C = 3)" in message


def test_3d_skeletons_with_an_img_shape_are_refused_before_any_image_transform(tmp_path):
    """Kinect pickles (UTKinect) carry the colour frame's img_shape next to 3D joints: the
    first image-space transform refuses them, instead of compacting x, y and ignoring z."""
    data = make_synthetic_dataset(num_samples=len(SYNTHETIC_CLASSES), dim=3, num_subjects=3)
    for sample in data['annotations']:
        sample.update(img_shape=(240, 320), original_shape=(240, 320))
    ann_file, label_map = map(str, dump_synthetic_dataset(data, tmp_path / 'kinect.pkl'))
    cfg = load_config(CONFIGS / 'lrcn_heatmap.py', dict(ann_file=ann_file, label_map=label_map))
    with DefaultScope.overwrite_default_scope('pyskl_lite'), \
            pytest.raises(InputError, match="field 'keypoint': PoseCompact: 3D skeletons"):
        derive_in_channels(cfg)


def test_rnn_heatmap_configs_shrink_the_c3d_pipeline_through_its_shortcuts(synthetic):
    """``clip_len`` and ``heatmap_scaling`` reach every pipeline: 32 frames, half-size maps."""
    ann_file, label_map = synthetic[2]
    for name in ('lrcn_heatmap', 'convlstm_heatmap'):
        cfg = load_config(CONFIGS / f'{name}.py', dict(ann_file=ann_file, label_map=label_map))
        with DefaultScope.overwrite_default_scope('pyskl_lite'):
            shapes = {stage: DATASETS.build(cfg[f'{stage}_dataloader'].dataset)[0][
                'inputs'].shape for stage in ('train', 'val', 'test')}
        assert shapes == {'train': (1, 17, 32, 28, 28), 'val': (1, 17, 32, 32, 32),
                          'test': (10, 17, 32, 32, 32)}
