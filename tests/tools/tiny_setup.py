"""A tiny model, data set and configs for fast tests of the training and test tools.

Imported by the configs' ``custom_imports`` (also in torchrun's subprocesses, which find it
through ``PYTHONPATH``), so the registrations below happen in every process.

- ``TinyTestBackbone``: mean over persons, then one linear layer over all frames and
  joints; no batch normalisation, so a 2-process run can equal a 1-process run exactly.
- ``RecordTrainSamplesHook``: appends the ``frame_dir`` of every training sample, per rank and
  epoch, to ``<work_dir>/samples_rank<r>.jsonl``.
- ``KillProcessHook``: SIGKILLs its own process after training iteration ``I`` of epoch ``E``
  (0-based) when ``TINY_KILL_AT=E:I`` is set, like a crash or a pre-empted job;
  ``TINY_KILL_SIGNAL=SIGSTOP`` sends that signal instead (a stuck rank) and
  ``TINY_KILL_RANK=R`` limits it to rank ``R``.
"""
from __future__ import annotations

import json
import os
import pickle
import signal
from pathlib import Path

import torch
import torch.nn as nn
from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmengine.model import BaseModule

from pyskl_lite.datasets.synthetic import make_synthetic_dataset
from pyskl_lite.registry import HOOKS, MODELS

REPO = Path(__file__).resolve().parents[2]
NUM_TRAIN, NUM_VAL = 32, 15  # an even training split (equal halves per rank), an odd val one


@MODELS.register_module(force=True)
class TinyTestBackbone(BaseModule):
    """``(N, C, T, V, M)`` keypoints -> ``(N, hidden)`` features."""

    def __init__(self, in_channels: int = 3, clip_len: int = 8, num_joints: int = 17,
                 hidden: int = 32) -> None:
        super().__init__()
        self.fc = nn.Linear(in_channels * clip_len * num_joints, hidden)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(x.mean(dim=4).flatten(1))


@HOOKS.register_module(force=True)
class RecordTrainSamplesHook(Hook):
    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        names = [sample.frame_dir for sample in data_batch['data_samples']]
        path = Path(runner.work_dir) / f'samples_rank{get_rank()}.jsonl'
        with open(path, 'a', encoding='utf-8') as file:
            file.write(json.dumps(dict(epoch=runner.epoch, samples=names)) + '\n')


@HOOKS.register_module(force=True)
class KillProcessHook(Hook):
    priority = 'LOWEST'

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        where = os.environ.get('TINY_KILL_AT')
        rank = os.environ.get('TINY_KILL_RANK')
        if where and (runner.epoch, batch_idx) == tuple(int(v) for v in where.split(':')) \
                and (rank is None or int(rank) == get_rank()):
            os.kill(os.getpid(), signal.Signals[os.environ.get('TINY_KILL_SIGNAL', 'SIGKILL')])


def write_data(folder: Path) -> tuple[Path, Path, int]:
    """A synthetic 2D pickle with splits ``train`` (32) and ``val`` (15); returns
    ``(pickle, label map, num_classes)``."""
    data = make_synthetic_dataset(num_samples=60, dim=2, seed=0)
    split = dict(train=data['split']['xsub_train'][:NUM_TRAIN],
                 val=data['split']['xsub_val'][:NUM_VAL])
    assert len(split['train']) == NUM_TRAIN and len(split['val']) == NUM_VAL
    keep = set(split['train']) | set(split['val'])
    annotations = [a for a in data['annotations'] if a['frame_dir'] in keep]
    num_classes = max(a['label'] for a in data['annotations']) + 1
    folder.mkdir(parents=True, exist_ok=True)
    ann_file = folder / 'tiny.pkl'
    with open(ann_file, 'wb') as file:
        pickle.dump(dict(split=split, annotations=annotations), file)
    label_map = folder / 'tiny_label_map.txt'
    label_map.write_text(''.join(f'class {i}\n' for i in range(num_classes)))
    return ann_file, label_map, num_classes


EXACT_CONFIG = '''
_base_ = [{runtime!r}]
custom_imports = dict(imports=['tests.tools.tiny_setup'], allow_failed_imports=False)
ann_file = {ann_file!r}
label_map = {label_map!r}
num_classes = {num_classes}
clip_len = 8
test_pipeline = [
    dict(type='PreNormalize2D', threshold=0.01),
    dict(type='CentroidNormalize', mode='clip'),
    dict(type='GenSkeFeat', feats=['j'], joint_layout='coco'),
    dict(type='UniformSampleFrames', clip_len=clip_len, num_clips=1),
    dict(type='PoseDecode'),
    dict(type='FormatKeypoints', num_person=2, layout='NCTVM'),
    dict(type='PackSkeletonInputs'),
]
train_pipeline = test_pipeline
model = dict(
    type='Recognizer',
    backbone=dict(type='TinyTestBackbone', in_channels=3, clip_len=clip_len, num_joints=17,
                  hidden=32),
    cls_head=dict(type='ClsHead', in_channels=32, num_classes=num_classes, dropout=0.0),
    test_cfg=dict(average_clips='prob'))
train_dataloader = dict(
    batch_size=8, num_workers=0, persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='PoseDataset', ann_file=ann_file, label_map=label_map, split='train',
                 test_mode=True, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=4, num_workers=0, persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='PoseDataset', ann_file=ann_file, label_map=label_map, split='val',
                 test_mode=True, pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = [dict(type='AccMetric'), dict(type='DumpPredictions', out_file={val_out!r})]
test_evaluator = dict(type='AccMetric')
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.2, momentum=0.9, weight_decay=1e-4))
param_scheduler = [dict(type='MultiStepLR', milestones=[2], gamma=0.5, by_epoch=True)]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=3, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
auto_scale_lr = dict(enable=False, base_batch_size=8)
default_hooks = dict(logger=dict(interval=1))
custom_hooks = [
    dict(type='ValidationRandomStateHook'),
    dict(type='TrainScalarsHook'),
    dict(type='TrainingCurvesHook'),
    dict(type='RecordTrainSamplesHook'),
    dict(type='KillProcessHook'),
]
'''

# Randomness everywhere: augmentation (numpy, in a DataLoader worker), random sampling of the
# frames, dropout (torch).
RANDOM_CONFIG = '''
_base_ = ['tiny_exact.py']
train_pipeline = [
    dict(type='PreNormalize2D', threshold=0.01),
    dict(type='CentroidNormalize', mode='clip'),
    dict(type='RandomAffine', rotation=0.3, scale=0.2, shear=0.0),
    dict(type='GenSkeFeat', feats=['j'], joint_layout='coco'),
    dict(type='UniformSampleFrames', clip_len=8),
    dict(type='PoseDecode'),
    dict(type='FormatKeypoints', num_person=2, layout='NCTVM'),
    dict(type='PackSkeletonInputs'),
]
model = dict(cls_head=dict(dropout=0.5))
train_dataloader = dict(num_workers=1, persistent_workers=True,
                        dataset=dict(test_mode=False, pipeline=train_pipeline))
'''

# AdamW memorises faster than SGD on the tiny model (SGD stays for the exactness tests: Adam's
# normalisation magnifies rounding differences between 1 and 2 processes).
ADAM_CONFIG = """
_base_ = ['tiny_exact.py']
optim_wrapper = dict(_delete_=True, optimizer=dict(type='AdamW', lr=0.03, weight_decay=1e-4))
"""


def write_configs(folder: Path) -> dict[str, Path]:
    """``{'exact': tiny_exact.py, 'random': tiny_random.py, 'adam': tiny_adam.py}`` in
    ``folder`` with fresh data."""
    ann_file, label_map, num_classes = write_data(folder / 'data')
    exact = folder / 'tiny_exact.py'
    exact.write_text(EXACT_CONFIG.format(
        runtime=str(REPO / 'configs' / '_base_' / 'default_runtime.py'),
        ann_file=str(ann_file), label_map=str(label_map), num_classes=num_classes,
        val_out=str(folder / 'val_predictions.pkl')))
    configs = dict(exact=exact, random=folder / 'tiny_random.py', adam=folder / 'tiny_adam.py')
    configs['random'].write_text(RANDOM_CONFIG)
    configs['adam'].write_text(ADAM_CONFIG)
    return configs


def subprocess_env(**extra: str) -> dict[str, str]:
    """Environment for tool subprocesses: this repo importable, one thread per process."""
    env = dict(os.environ, PYTHONPATH=f'{REPO}{os.pathsep}{os.environ.get("PYTHONPATH", "")}',
               OMP_NUM_THREADS='1', PYTHONUNBUFFERED='1')
    env.update(extra)
    return env

