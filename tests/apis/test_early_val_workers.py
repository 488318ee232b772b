"""Validation's persistent workers start before training and leave the random state alone."""
from types import SimpleNamespace

import torch
from torch.utils.data import DataLoader

from pyskl_lite.apis.hooks import EarlyValWorkersHook


def runner_with_val_loader(**loader_args):
    loader = DataLoader(list(range(10)), batch_size=3, **loader_args)
    return SimpleNamespace(val_loop=SimpleNamespace(dataloader=loader)), loader


def test_persistent_val_workers_start_before_training_and_every_sample_is_seen_once():
    runner, loader = runner_with_val_loader(num_workers=2, persistent_workers=True)
    torch.manual_seed(0)
    state = torch.get_rng_state()
    EarlyValWorkersHook().before_train(runner)
    assert loader._iterator is not None and len(loader._iterator._workers) == 2
    assert all(worker.is_alive() for worker in loader._iterator._workers)
    assert torch.equal(torch.get_rng_state(), state)  # training draws what it drew before
    workers = list(loader._iterator._workers)
    for _ in range(2):  # each validation epoch: the same workers, every sample once
        assert sorted(torch.cat(list(loader)).tolist()) == list(range(10))
        assert loader._iterator._workers == workers


def test_loaders_without_persistent_workers_and_runs_without_validation_are_left_alone():
    runner, loader = runner_with_val_loader(num_workers=1, persistent_workers=False)
    EarlyValWorkersHook().before_train(runner)
    assert loader._iterator is None
    runner, loader = runner_with_val_loader(num_workers=0)
    EarlyValWorkersHook().before_train(runner)
    assert loader._iterator is None
    EarlyValWorkersHook().before_train(SimpleNamespace(val_loop=None))
