"""Random-number-generator state: saved in checkpoints, kept out of validation, per worker.

A resumed run reproduces an uninterrupted one only if every generator continues where it
stopped. Three things make that hold here:

1. :func:`capture_random_state` / :func:`restore_random_state` carry the Python, numpy, torch
   (and CUDA) generator states through the checkpoint (``meta['random_state']``).
2. :class:`ValidationRandomStateHook` restores the training generators after each validation:
   building a DataLoader iterator draws a seed from torch's generator, so without it the
   validation after epoch ``k`` would shift the randomness of epoch ``k + 1`` in the
   uninterrupted run but not in the resumed one (which does not re-run that validation).
3. :func:`seed_worker` seeds numpy in each DataLoader worker from torch's per-worker seed,
   which torch derives from the main process's generator when the workers start: with
   ``persistent_workers=False`` (``tools/train.py --deterministic``) every epoch gets fresh,
   reproducible worker seeds. Persistent workers keep their generators across epochs, which
   a resumed run cannot recreate.
"""
from __future__ import annotations

import os
import random
from typing import Any

import numpy as np
import torch
from mmengine.hooks import Hook

from pyskl_lite.registry import HOOKS


def capture_random_state() -> dict[str, Any]:
    """The current Python, numpy, torch and CUDA generator states, as ints and tensors."""
    kind, keys, position, has_gauss, cached_gauss = np.random.get_state()
    state = dict(
        python=random.getstate(),
        numpy=dict(kind=kind, keys=torch.from_numpy(keys.astype(np.int64)), position=position,
                   has_gauss=has_gauss, cached_gauss=cached_gauss),
        torch=torch.get_rng_state(),
    )
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def restore_random_state(state: dict[str, Any]) -> None:
    """Undo :func:`capture_random_state`: set every generator back to ``state``."""
    random.setstate(state['python'])
    numpy_state = state['numpy']
    np.random.set_state((numpy_state['kind'], numpy_state['keys'].numpy().astype(np.uint32),
                         numpy_state['position'], numpy_state['has_gauss'],
                         numpy_state['cached_gauss']))
    torch.set_rng_state(state['torch'])
    if 'cuda' in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state['cuda'])


def seed_worker(worker_id: int) -> None:
    """DataLoader ``worker_init_fn``: seed numpy and Python from torch's seed of this worker
    (``base_seed + worker_id``, base drawn from the main process's generator) and the process
    rank, so workers of different ranks and different epochs draw different numbers."""
    rank = int(os.environ.get('RANK', 0))
    seed = np.random.SeedSequence([torch.initial_seed(), rank]).generate_state(1)[0]
    np.random.seed(int(seed))
    random.seed(int(seed))


@HOOKS.register_module()
class ValidationRandomStateHook(Hook):
    """Validation during training leaves the training generators as it found them
    (see the module doc)."""

    priority = 'VERY_HIGH'

    def __init__(self) -> None:
        self._saved: dict[str, Any] | None = None

    def before_val_epoch(self, runner) -> None:
        self._saved = capture_random_state()

    def after_val_epoch(self, runner, metrics: dict | None = None) -> None:
        if self._saved is not None:
            restore_random_state(self._saved)
            self._saved = None
