"""Several independently augmented views of one sample (contrastive pretraining)."""
from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from mmcv.transforms import BaseTransform

from pyskl_lite.registry import TRANSFORMS

from .utils import input_error


@TRANSFORMS.register_module()
class MultiView(BaseTransform):
    """Run a sub-pipeline ``num_views`` times on copies of the sample and stack the inputs.

    Each run starts from a deep copy of the incoming results and draws its own random numbers
    (the random transforms draw from the generator one after the other), so the views are
    independent augmentations of the same sequence: SimCLR's positive pair for
    ``num_views=2``. The sub-pipeline ends with ``FormatKeypoints`` (or ``FormatShape``); the
    views' inputs, ``(n, ...)`` each, are concatenated along the view axis into
    ``(num_views · n, ...)``, which ``PackSkeletonInputs`` packs as usual. Every other key is
    taken from the first view.

    Reads/writes: whatever the sub-pipeline does; writes ``inputs_key`` ``(num_views · n, ...)``
    and ``num_views``.

    Args:
        transforms: the sub-pipeline (configs or callables).
        num_views: runs. Default 2.
        inputs_key: the key holding the model input; None takes ``imgs`` when the views have
            it, else ``keypoint``.
    """

    def __init__(self, transforms: Sequence[dict | Callable], num_views: int = 2,
                 inputs_key: str | None = None) -> None:
        if num_views < 1:
            raise ValueError(f'num_views must be >= 1, got {num_views}')
        self.transforms = [TRANSFORMS.build(t) if isinstance(t, dict) else t for t in transforms]
        self.num_views = num_views
        self.inputs_key = inputs_key

    def _run(self, results: dict[str, Any]) -> dict[str, Any] | None:
        for transform in self.transforms:
            results = transform(results)
            if results is None:
                return None
        return results

    def transform(self, results: dict[str, Any]) -> dict[str, Any] | None:
        views = []
        for _ in range(self.num_views):
            view = self._run(copy.deepcopy(results))
            if view is None:
                return None
            views.append(view)
        first = views[0]
        key = self.inputs_key or ('imgs' if 'imgs' in first else 'keypoint')
        arrays = [np.asarray(view.get(key)) for view in views]
        shapes = {array.shape for array in arrays}
        if len(shapes) != 1 or arrays[0].ndim < 2:
            raise input_error(results, 'MultiView', f'the views must share one (n, ...) shape; '
                              f'got {sorted(shapes)}: end the sub-pipeline with '
                              'FormatKeypoints / FormatShape', key)
        first[key] = np.concatenate(arrays)
        first['num_views'] = self.num_views
        return first

    def __repr__(self) -> str:
        inner = ', '.join(repr(t) for t in self.transforms)
        return f'{type(self).__name__}(num_views={self.num_views}, transforms=[{inner}])'
