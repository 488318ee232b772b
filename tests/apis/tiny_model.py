"""A tiny keypoint-LSTM config and checkpoint in tmp_path, for inference / demo tests."""
from __future__ import annotations

from pathlib import Path

import torch

CONFIGS = Path(__file__).resolve().parents[2] / 'configs' / '_base_'
CLASSES = ('wave', 'clap', 'jump', 'sit')


def write_tiny_config(folder: Path, clip_len: int = 8, num_clips: int = 2) -> Path:
    """Config: the synthetic keypoint test pipeline (``clip_len`` x ``num_clips``) and a
    1-layer LSTM (hidden 8) with a 4-class head; label map ``labels.txt`` beside it."""
    label_map = folder / 'labels.txt'
    label_map.write_text(''.join(f'{name}\n' for name in CLASSES))
    path = folder / 'tiny_lstm.py'
    path.write_text(f'''
_base_ = [{str(CONFIGS / 'datasets' / 'synthetic_keypoint.py')!r},
          {str(CONFIGS / 'models' / 'lstm.py')!r}]
label_map = {str(label_map)!r}
model = dict(backbone=dict(in_channels=3, hidden_size=8, num_layers=1, embed_channels=8),
             cls_head=dict(in_channels=16, num_classes={len(CLASSES)}))
test_pipeline = [
    dict(type='PreNormalize2D', threshold=0.01),
    dict(type='CentroidNormalize', mode='clip'),
    dict(type='GenSkeFeat', feats=['j'], joint_layout='coco'),
    dict(type='UniformSampleFrames', clip_len={clip_len}, num_clips={num_clips}),
    dict(type='PoseDecode'),
    dict(type='FormatKeypoints', num_person=2, layout='NMTVC'),
    dict(type='PackSkeletonInputs'),
]
test_dataloader = dict(dataset=dict(pipeline=test_pipeline, label_map=label_map))
''')
    return path


def write_checkpoint(config: Path, path: Path, seed: int = 0, with_meta: bool = True) -> Path:
    """Save a randomly initialised model of ``config`` the way mmengine's Runner does."""
    from pyskl_lite import register_all_modules
    from pyskl_lite.apis import load_config
    from pyskl_lite.registry import MODELS

    register_all_modules()
    torch.manual_seed(seed)
    model = MODELS.build(load_config(config).model)
    state = {'state_dict': model.state_dict()}
    if with_meta:
        state['meta'] = {'dataset_meta': {'classes': [f'meta {n}' for n in CLASSES]}}
    torch.save(state, path)
    return path
