"""Generator states through checkpoints, validation and DataLoader workers."""
import random

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

from pyskl_lite.apis.random_state import (
    ValidationRandomStateHook,
    capture_random_state,
    restore_random_state,
    seed_worker,
)


def draws():
    return random.random(), float(np.random.rand()), float(torch.rand(1))


def test_capture_and_restore_every_generator():
    state = capture_random_state()
    first = draws()
    assert draws() != first
    restore_random_state(state)
    assert draws() == first


def test_validation_leaves_the_training_generators_alone():
    state = capture_random_state()
    first = draws()
    restore_random_state(state)
    hook = ValidationRandomStateHook()
    hook.before_val_epoch(runner=None)
    draws()  # what validation consumes
    hook.after_val_epoch(runner=None)
    assert draws() == first


class NumpyDraws(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, index):
        return float(np.random.rand())


def epoch_draws(seed):
    torch.manual_seed(seed)
    loader = DataLoader(NumpyDraws(), batch_size=2, num_workers=2, worker_init_fn=seed_worker)
    return [sorted(torch.cat(list(loader)).tolist()) for _ in range(2)]


def test_workers_draw_per_epoch_and_repeat_per_seed():
    first, second = epoch_draws(seed=0)
    assert len(set(first)) == 4  # the two workers draw different numbers
    assert first != second  # and new ones each epoch (non-persistent workers)
    assert epoch_draws(seed=0) == [first, second]  # reproducible from the main generator
    assert epoch_draws(seed=1)[0] != first
