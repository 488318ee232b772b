"""Transforms of skeleton pipelines, registered in :data:`pyskl_lite.registry.TRANSFORMS`.

- :mod:`.sampling`: ``UniformSampleFrames``, ``PoseDecode``;
- :mod:`.geometry`: ``PoseCompact``, ``Resize``, ``RandomResizedCrop``, ``CenterCrop``, ``Flip``;
- :mod:`.heatmap`: ``GeneratePoseTarget`` (PoseConv3D pseudo-heatmaps);
- :mod:`.keypoint`: ``BodyNormalize``, ``PreNormalize2D``, ``PreNormalize3D``,
  ``CentroidNormalize``, ``GenSkeFeat``, ``FormatKeypoints``;
- :mod:`.augmentation`: ``RandomAffine``, ``RandomJitter``, ``TemporalReverse``,
  ``RandomSubSequence``, ``FrameStride``, ``RandomJointDropout``;
- :mod:`.formatting`: ``FormatShape``, ``PackSkeletonInputs``;
- :mod:`.views`: ``MultiView`` (independently augmented views for contrastive pretraining).
"""
from .augmentation import (
    FrameStride,
    RandomAffine,
    RandomJitter,
    RandomJointDropout,
    RandomSubSequence,
    TemporalReverse,
)
from .formatting import FormatShape, PackSkeletonInputs
from .geometry import CenterCrop, Flip, PoseCompact, RandomResizedCrop, Resize
from .heatmap import GeneratePoseTarget
from .keypoint import (
    BodyNormalize,
    CentroidNormalize,
    FormatKeypoints,
    GenSkeFeat,
    PreNormalize2D,
    PreNormalize3D,
)
from .sampling import PoseDecode, UniformSampleFrames
from .utils import RandomTransform
from .views import MultiView

__all__ = [
    'BodyNormalize', 'CenterCrop', 'CentroidNormalize', 'Flip', 'FormatKeypoints', 'FormatShape',
    'FrameStride', 'GenSkeFeat', 'GeneratePoseTarget', 'MultiView', 'PackSkeletonInputs',
    'PoseCompact',
    'PoseDecode', 'PreNormalize2D', 'PreNormalize3D', 'RandomAffine', 'RandomJitter',
    'RandomJointDropout', 'RandomResizedCrop', 'RandomSubSequence', 'RandomTransform', 'Resize',
    'TemporalReverse', 'UniformSampleFrames',
]
