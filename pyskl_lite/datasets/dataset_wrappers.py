"""Dataset wrappers for small data sets."""
from __future__ import annotations

import math

from mmengine.dataset import BaseDataset
from mmengine.dataset import RepeatDataset as _MMEngineRepeatDataset

from pyskl_lite.registry import DATASETS


@DATASETS.register_module()
class RepeatDataset(_MMEngineRepeatDataset):
    """mmengine's ``RepeatDataset`` that can also size itself: an epoch holds at least
    ``min_samples`` samples.

    ``times = max(times, ceil(min_samples / len(dataset)))``. With ``min_samples=2000`` a
    100-sequence set such as UTKinect is repeated 20 times (an epoch is 63 steps of 32 instead
    of 4, so the schedule's epochs, warm-up and validation interval mean the same amount of
    training at any data size), while NTU-60's 40,091 training sequences are used once per
    epoch. Augmentations draw anew for every repeat.

    Args:
        dataset: the dataset or its config.
        times: the least number of repeats. Default 1.
        min_samples: the least number of samples an epoch holds. Default 0.
        lazy_init: as in mmengine (the length is needed at once when ``min_samples`` is set).
    """

    def __init__(self, dataset: BaseDataset | dict, times: int = 1, min_samples: int = 0,
                 lazy_init: bool = False) -> None:
        if times < 1 or min_samples < 0:
            raise ValueError(f'times must be >= 1 and min_samples >= 0, got {times}, '
                             f'{min_samples}')
        if isinstance(dataset, dict):
            dataset = DATASETS.build(dataset)
        super().__init__(dataset, times=times, lazy_init=True)
        if min_samples:
            length = len(self.dataset)
            self.times = max(times, math.ceil(min_samples / max(length, 1)))
        if not lazy_init:
            self.full_init()

    @property
    def num_classes(self) -> int | None:
        """The wrapped dataset's number of classes."""
        return getattr(self.dataset, 'num_classes', None)
