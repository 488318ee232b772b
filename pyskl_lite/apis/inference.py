"""Run a trained recognizer on annotation samples: whole clips and sliding windows.

>>> model = init_recognizer('configs/c3d_keypoint.py', 'work_dirs/x/best.pth', device='cpu')
>>> result = inference_recognizer(model, annotation)   # an ActionDataSample
>>> result.pred_score                                  # (num_classes,) probabilities

The sample goes through the config's test pipeline exactly as ``tools/test.py`` would feed
it (``test_mode=True``), so multi-clip testing and view averaging apply.
"""
from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate

from pyskl_lite.registry import MODELS, TRANSFORMS
from pyskl_lite.structures import ActionDataSample
from pyskl_lite.utils import InputError

from .channels import derive_in_channels, needs_in_channels
from .checkpoint import load_checkpoint_file
from .config import load_config
from .sanity import innermost_dataset


def config_pipeline(cfg: Config, stage: str = 'test') -> list[dict]:
    """The transform configs of the ``stage`` (``'test'``, ``'val'``, ``'train'``) dataloader's
    dataset, looking through dataset wrappers (``RepeatDataset`` ...)."""
    loader = cfg.get(f'{stage}_dataloader')
    if loader is None:
        raise InputError.at(cfg.filename or '<config>', f'no {stage}_dataloader',
                            field=f'{stage}_dataloader')
    return list(innermost_dataset(loader['dataset'])['pipeline'])


def build_pipeline(pipeline: Sequence[dict | Any]) -> list[Any]:
    """Transforms built from the TRANSFORMS registry (callables pass through)."""
    return [TRANSFORMS.build(t) if isinstance(t, dict) else t for t in pipeline]


def run_pipeline(transforms: Sequence[Any], sample: dict[str, Any]) -> dict[str, Any]:
    """Run built ``transforms`` on a copy of ``sample`` as ``PoseDataset`` would hand it over in
    test mode (``test_mode=True``, ``start_index=0``, ``modality='Pose'``).

    Raises:
        InputError: when a transform drops the sample (returns None).
    """
    results = dict(sample, test_mode=True, start_index=0, modality='Pose')
    for transform in transforms:
        results = transform(results)
        if results is None:
            raise InputError.at('<pipeline>', f'{type(transform).__name__} dropped the sample',
                                sample=str(sample.get('frame_dir')))
    return results


def init_recognizer(config: str | os.PathLike | Config, checkpoint: str | os.PathLike | None = None,
                    device: str | torch.device = 'cpu',
                    cfg_options: dict[str, Any] | None = None) -> torch.nn.Module:
    """Build the config's model, load ``checkpoint`` and put it in eval mode on ``device``.

    The config is kept as ``model.cfg``; ``model.dataset_meta['classes']`` holds the class
    names from the checkpoint's meta (written by mmengine's Runner) or the config's
    ``label_map`` file, when either is available, else None.

    Args:
        config: config file or :class:`~mmengine.config.Config`.
        checkpoint: ``.pth`` file; None keeps the initial weights.
        device: ``'cpu'``, ``'cuda'``, ``'cuda:1'``...
        cfg_options: overrides, with the shortcuts of :func:`~pyskl_lite.apis.load_config`
            (plain ``merge_from_dict`` when ``config`` is already a Config).

    Raises:
        InputError: for a missing config or checkpoint file.
    """
    from pyskl_lite import register_all_modules

    register_all_modules()
    if isinstance(config, Config):
        cfg = config
        if cfg_options:
            cfg.merge_from_dict(cfg_options)
    else:
        cfg = load_config(config, cfg_options)
    state: dict[str, Any] = {}
    if checkpoint is not None:
        source = os.fspath(checkpoint)
        if not os.path.isfile(source):
            raise InputError.at(source, 'checkpoint not found', field='checkpoint')
        state = load_checkpoint_file(source)
    meta = state.get('meta') or {}
    if needs_in_channels(cfg) and meta.get('in_channels') is not None:
        cfg.model.backbone.in_channels = int(meta['in_channels'])
    derive_in_channels(cfg)
    model = MODELS.build(cfg.model)
    classes = None
    if checkpoint is not None:
        _load_weights(model, state.get('state_dict', state), source)
        classes = meta.get('dataset_meta', {}).get('classes')
    if classes is None:
        classes = _config_classes(cfg)
    model.cfg = cfg
    model.dataset_meta = dict(classes=tuple(classes) if classes is not None else None)
    return model.to(device).eval()


def _load_weights(model: torch.nn.Module, weights: dict[str, torch.Tensor], source: str
                  ) -> None:
    """Load ``weights`` (``module.`` prefixes of wrapped models removed) strictly."""
    weights = {re.sub(r'^module\.', '', name): value for name, value in weights.items()}
    expected = model.state_dict()
    missing = sorted(set(expected) - set(weights))
    unexpected = sorted(set(weights) - set(expected))
    wrong = sorted(name for name in set(expected) & set(weights)
                   if tuple(expected[name].shape) != tuple(weights[name].shape))
    problems = [f'{len(names)} {what} (e.g. {", ".join(names[:2])})'
                for names, what in ((missing, 'missing'), (unexpected, 'unexpected'),
                                    (wrong, 'of another shape')) if names]
    if problems:
        raise InputError.at(source, "the checkpoint does not fit the config's model: "
                            f'weights {"; ".join(problems)}; use the config it was trained '
                            'with (its work dir has a copy)', field='state_dict')
    model.load_state_dict(weights, strict=True)


def _config_classes(cfg: Config) -> list[str] | None:
    """Class names from the config's ``label_map`` file when it exists."""
    from pyskl_lite.datasets import read_label_map

    label_map = cfg.get('label_map')
    if isinstance(label_map, str) and os.path.isfile(label_map):
        return read_label_map(label_map)
    return None


def _test_transforms(model: torch.nn.Module) -> list[Any]:
    """The model's test pipeline, built once and cached on the model."""
    transforms = getattr(model, '_pyskl_test_transforms', None)
    if transforms is None:
        transforms = build_pipeline(config_pipeline(model.cfg, 'test'))
        model._pyskl_test_transforms = transforms
    return transforms


@torch.no_grad()
def inference_recognizer(model: torch.nn.Module,
                         samples: dict[str, Any] | Sequence[dict[str, Any]],
                         batch_size: int = 8) -> ActionDataSample | list[ActionDataSample]:
    """Classify one annotation dict (or a list of them) with ``model`` (see
    :func:`init_recognizer`).

    A sample needs ``keypoint (M, T, V, C)``, ``total_frames`` and what the pipeline reads
    (``keypoint_score``, ``img_shape`` for 2D); ``label`` is optional.

    Returns:
        :class:`ActionDataSample` (a list for a list input) with ``pred_score
        (num_classes,)`` on the CPU, ``pred_label`` and, when the sample had a label,
        ``gt_label``.
    """
    single = isinstance(samples, dict)
    batch = [samples] if single else list(samples)
    transforms = _test_transforms(model)
    results: list[ActionDataSample] = []
    for begin in range(0, len(batch), batch_size):
        packed = [run_pipeline(transforms, s) for s in batch[begin:begin + batch_size]]
        results.extend(sample.cpu() for sample in model.test_step(pseudo_collate(packed)))
    return results[0] if single else results


def window_starts(num_frames: int, window: int, stride: int) -> np.ndarray:
    """Start frames of sliding windows of ``window`` frames every ``stride`` frames; the last
    window ends at the last frame so every frame is covered (one window when the sequence is
    shorter than ``window``)."""
    if window < 1 or stride < 1:
        raise ValueError(f'window and stride must be >= 1, got {window}, {stride}')
    last = max(num_frames - window, 0)
    starts = np.arange(0, last + 1, stride)
    return starts if starts[-1] == last else np.append(starts, last)


def sliding_window_scores(model: torch.nn.Module, sample: dict[str, Any], window: int = 32,
                          stride: int = 8, batch_size: int = 8
                          ) -> tuple[np.ndarray, np.ndarray]:
    """Classify every window of ``sample``.

    Returns:
        ``(starts (W,), scores (W, num_classes) float32)``; window ``w`` covers frames
        ``starts[w]`` to ``starts[w] + window - 1``.
    """
    keypoint, score = sample['keypoint'], sample.get('keypoint_score')
    starts = window_starts(keypoint.shape[1], window, stride)
    windows = []
    for start in starts:
        piece = dict(sample, keypoint=keypoint[:, start:start + window],
                     total_frames=int(keypoint[:, start:start + window].shape[1]))
        if score is not None:
            piece['keypoint_score'] = score[:, start:start + window]
        windows.append(piece)
    outputs = inference_recognizer(model, windows, batch_size)
    return starts, np.stack([o.pred_score.numpy() for o in outputs]).astype(np.float32)


def per_frame_scores(starts: np.ndarray, scores: np.ndarray, window: int, num_frames: int
                     ) -> np.ndarray:
    """``(num_frames, num_classes)``: each frame's mean score over the windows covering it."""
    frames = np.arange(num_frames)
    covers = (frames[None] >= starts[:, None]) & (frames[None] < starts[:, None] + window)
    counts = np.maximum(covers.sum(axis=0), 1)[:, None]
    return (covers.T.astype(np.float32) @ scores) / counts
