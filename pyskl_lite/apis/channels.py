"""Channel counts of a model, derived from its data pipeline instead of typed into configs.

A backbone's ``in_channels`` is the size of the channel axis of what the pipeline feeds it:
``GenSkeFeat``'s features × (coordinates + score) for keypoints (2D with scores: 3 per
feature; 3D without: 3; 3D with scores: 4), the heatmap count for PoseConv3D volumes. It
depends on the data (2D or 3D, scores or not) as much as on the config, so configs leave it
out and :func:`derive_in_channels` runs the first sample of the config's test data (else val,
else train) through that stage's pipeline and reads the channel axis off the packed input, at
the axis the pipeline's ``FormatKeypoints(layout=...)`` (or ``FormatShape``, ``C`` first)
names. The head's ``in_channels`` follows from the backbone (see ``Recognizer``).

Checkpoints written by ``SkeletonRunner`` keep the value in ``meta['in_channels']``, so a
trained model is rebuilt without its training data (``init_recognizer``).
"""
from __future__ import annotations

from typing import Any

from mmengine.config import Config

from pyskl_lite.datasets.transforms.keypoint import parse_layout
from pyskl_lite.registry import DATASETS
from pyskl_lite.utils import InputError

from .sanity import innermost_dataset

STAGES = ('test', 'val', 'train')


def needs_in_channels(cfg: Config) -> bool:
    """True when the model's backbone leaves ``in_channels`` to be derived (missing or None)."""
    backbone = (cfg.get('model') or {}).get('backbone') or {}
    return backbone.get('in_channels') is None


def channel_axis(pipeline: list[dict]) -> int:
    """Index of the channel axis in one view of the pipeline's packed input (after ``N``); a
    ``MultiView`` stage is searched for its sub-pipeline's formatting."""
    for transform in reversed(pipeline):
        kind = transform.get('type') if isinstance(transform, dict) else type(transform).__name__
        if kind == 'MultiView':
            inner = transform.get('transforms') if isinstance(transform, dict) \
                else transform.transforms
            return channel_axis(list(inner))
        if kind == 'FormatKeypoints':
            layout = transform.get('layout', 'NCTVM') if isinstance(transform, dict) \
                else transform.layout
            groups = parse_layout(layout)
            if 'C' not in groups:
                raise InputError(f"FormatKeypoints(layout={layout!r}) merges the channels with "
                                 "other axes; set model.backbone.in_channels by hand")
            return groups.index('C')
        if kind == 'FormatShape':
            return 0
    raise InputError('the pipeline has no FormatKeypoints or FormatShape, so the channel axis '
                     'is unknown; set model.backbone.in_channels')


def _first_sample(cfg: Config) -> tuple[Any, list]:
    """The packed inputs of the first sample of the first stage with data (test, val, train)
    and that stage's pipeline."""
    for stage in STAGES:
        loader = cfg.get(f'{stage}_dataloader')
        if not loader:
            continue
        dataset_cfg = innermost_dataset(loader['dataset'])
        dataset = DATASETS.build(dict(dataset_cfg, indices=1, serialize_data=False))
        if len(dataset):
            return dataset[0]['inputs'], list(dataset_cfg['pipeline'])
    raise InputError.at(cfg.filename or '<config>', 'no dataloader has a sample to derive '
                        'model.backbone.in_channels from', field='in_channels')


def derive_in_channels(cfg: Config) -> int | None:
    """Set ``cfg.model.backbone.in_channels`` from the data when the config leaves it out.

    Returns the derived value, or None when the config sets it (nothing is loaded then).

    Raises:
        InputError: when no dataloader yields a sample or the pipeline has no channel axis.
    """
    if not needs_in_channels(cfg):
        return None
    try:
        inputs, pipeline = _first_sample(cfg)
    except InputError as err:
        if err.sample is not None:  # a defect of one sample: setting in_channels won't mend it
            raise
        raise InputError(f'{err} (model.backbone.in_channels is derived from the first sample '
                         'of the data; without the data, set it with --cfg-options '
                         'model.backbone.in_channels=N)') from None
    channels = int(inputs.shape[1 + channel_axis(pipeline)])
    cfg.model.backbone.in_channels = channels
    return channels
