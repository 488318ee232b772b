"""The sanity-check config rewrite and its class-balanced subset."""
import logging

import numpy as np
import pytest
import torch

import pyskl_lite
from pyskl_lite.apis import load_config
from pyskl_lite.apis.sanity import TrainingAccuracyHook, balanced_subset, sanity_config
from tests.tools.tiny_setup import write_configs

pyskl_lite.register_all_modules()


@pytest.mark.parametrize('num_samples', [1, 7, 10, 12, 30])
def test_balanced_subset_spreads_over_classes(num_samples):
    labels = np.repeat([0, 1, 2, 3], [10, 3, 5, 2])  # class 3 runs out first
    chosen = balanced_subset(labels, num_samples, seed=1)
    assert len(chosen) == min(num_samples, len(labels)) == len(set(chosen))
    assert chosen == sorted(chosen)
    counts = np.bincount(labels[chosen], minlength=4)
    available = np.bincount(labels)
    # Round robin: a class is short only when it has no sample left.
    assert all(counts[c] == available[c] or counts[c] >= counts.max() - 1 for c in range(4))
    if num_samples <= 4:
        assert (counts <= 1).all()


def test_balanced_subset_depends_on_seed_only():
    labels = np.arange(100) % 5
    assert balanced_subset(labels, 20, seed=3) == balanced_subset(labels, 20, seed=3)
    assert balanced_subset(labels, 20, seed=3) != balanced_subset(labels, 20, seed=4)


def test_sanity_config_turns_off_what_fights_memorisation(tmp_path):
    configs = write_configs(tmp_path)
    cfg = load_config(configs['random'])
    sanity, info = sanity_config(cfg, num_samples=10, max_epochs=7, batch_size=8,
                                 work_dir=str(tmp_path))
    assert info['num_samples'] == 10 and sum(info['class_counts']) == 10
    train = sanity.train_dataloader.dataset
    assert train.test_mode and len(train.indices) == 10
    assert [t['type'] for t in train.pipeline] == \
        [t['type'] for t in cfg.val_dataloader.dataset.pipeline]  # no RandomAffine
    assert sanity.val_dataloader is None and sanity.test_dataloader is None
    assert sanity.model.cls_head.dropout == 0 and cfg.model.cls_head.dropout == 0.5
    assert sanity.optim_wrapper.optimizer.weight_decay == 0
    assert sanity.train_cfg.max_epochs == 7
    assert [(s['type'], s['end']) for s in sanity.param_scheduler] == [('CosineAnnealingLR', 7)]
    assert sanity.train_dataloader.batch_size == 5  # 10 samples in 2 equal batches of <= 8
    assert sanity.default_hooks.checkpoint is None
    assert [h['type'] for h in sanity.custom_hooks][-1] == 'TrainingAccuracyHook'


def test_config_states_its_budget_and_arguments_override_it(tmp_path):
    cfg = load_config(write_configs(tmp_path)['random'])
    default, info = sanity_config(cfg, num_samples=12, work_dir=str(tmp_path))
    # At most 16, but the config trains in batches of 8: 12 samples in 2 x 6.
    assert (info['max_epochs'], info['batch_size']) == (50, 6)
    assert default.train_cfg.max_epochs == 50 and default.train_dataloader.batch_size == 6

    cfg.sanity_check = dict(max_epochs=9, batch_size=4)
    own, info = sanity_config(cfg, num_samples=12, work_dir=str(tmp_path))
    assert (info['max_epochs'], info['batch_size']) == (9, 4)
    assert own.train_cfg.max_epochs == 9 and own.train_dataloader.batch_size == 4
    assert [s['end'] for s in own.param_scheduler] == [9]
    assert 'sanity_check' not in own

    given, info = sanity_config(cfg, num_samples=12, max_epochs=3, batch_size=6,
                                work_dir=str(tmp_path))
    assert (info['max_epochs'], info['batch_size']) == (3, 6)
    assert given.train_cfg.max_epochs == 3 and given.train_dataloader.batch_size == 6


def test_training_accuracy_is_weighted_by_batch_and_stops_at_100_percent():
    class Loop:
        stop_training = False

    class Runner:
        epoch = 0
        train_loop = Loop()
        logger = logging.getLogger('test_sanity')

    hook = TrainingAccuracyHook()
    runner = Runner()
    for epoch, batches in enumerate([[(1.0, 3), (0.0, 1)], [(1.0, 2), (1.0, 2)]]):
        runner.epoch = epoch
        hook.before_train_epoch(runner)
        for top1, size in batches:
            hook.after_train_iter(runner, 0, dict(data_samples=[None] * size),
                                  dict(top1_acc=torch.tensor(top1)))
        hook.after_train_epoch(runner)
        assert runner.train_loop.stop_training == (epoch == 1)
    assert hook.history == [(1, 0.75), (2, 1.0)]
