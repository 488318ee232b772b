"""Pictures of the PoseConv3D heatmap volume a pipeline builds: what the network sees.

:func:`pipeline_inputs` runs a config's test (or val) pipeline on one annotation and returns
the packed input ``(num_views, K, T, H, W)``; :func:`heatmap_grid` draws one view as a
channels x frames grid image and :func:`heatmap_frames` as a video, one frame per ``T`` step
showing every channel.
"""
from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

import cv2
import numpy as np
from mmengine.config import Config

from pyskl_lite.datasets.layouts import JointLayout, get_layout
from pyskl_lite.utils import InputError

LABEL_COLOUR = (255, 255, 255)


def pipeline_inputs(cfg: Config, sample: dict[str, Any], stage: str = 'test') -> np.ndarray:
    """The heatmap volume ``(num_views, K, T, H, W)`` float32 that the config's ``stage``
    pipeline builds for ``sample`` (its ``imgs`` before ``PackSkeletonInputs``).

    Raises:
        InputError: when the pipeline builds no heatmaps (a keypoint model's config).
    """
    # Imported here: pyskl_lite.apis imports this package (its hooks draw curves).
    from pyskl_lite.apis.inference import build_pipeline, config_pipeline, run_pipeline

    transforms = build_pipeline(config_pipeline(cfg, stage))
    if transforms and type(transforms[-1]).__name__ == 'PackSkeletonInputs':
        transforms = transforms[:-1]
    imgs = run_pipeline(transforms, sample).get('imgs')
    if imgs is None or np.ndim(imgs) not in (4, 5):
        raise InputError.at(cfg.filename or '<config>', f'the {stage} pipeline builds no '
                            'heatmaps (no GeneratePoseTarget); use a heatmap (PoseConv3D) '
                            'config', field=f'{stage}_dataloader')
    imgs = np.asarray(imgs, dtype=np.float32)
    # Without FormatShape: GeneratePoseTarget's (T, K, H, W), one view.
    return imgs.transpose(1, 0, 2, 3)[None] if imgs.ndim == 4 else imgs


def channel_names(num_channels: int, joint_layout: str | dict | JointLayout | None = None
                  ) -> list[str]:
    """Names of heatmap channels: the layout's joints, then its limbs as ``a-b``, when the
    count matches; ``ch k`` otherwise."""
    if joint_layout is not None:
        layout = get_layout(joint_layout)
        joints = list(layout.joint_names)
        limbs = [f'{joints[a]}-{joints[b]}' for a, b in layout.limbs]
        for names in (joints, limbs, joints + limbs):
            if len(names) == num_channels:
                return names
    return [f'ch {k}' for k in range(num_channels)]


def _colourise(maps: np.ndarray, tile: int) -> np.ndarray:
    """``(..., H, W)`` values in [0, 1] -> ``(..., tile, tile', 3)`` RGB inferno tiles."""
    height, width = maps.shape[-2:]
    scale = tile / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    flat = maps.reshape(-1, height, width)
    grey = (np.clip(flat, 0, 1) * 255).astype(np.uint8)
    tiles = [cv2.applyColorMap(cv2.resize(g, size, interpolation=cv2.INTER_NEAREST),
                               cv2.COLORMAP_INFERNO)[..., ::-1] for g in grey]
    return np.stack(tiles).reshape(*maps.shape[:-2], size[1], size[0], 3)


def _text(image: np.ndarray, text: str, origin: tuple[int, int], scale: float) -> None:
    cv2.putText(image, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, LABEL_COLOUR, 1,
                cv2.LINE_AA)


def heatmap_grid(volume: np.ndarray, num_frames: int = 8, names: Sequence[str] | None = None,
                 tile: int = 96) -> np.ndarray:
    """A channels x frames grid of one view's heatmaps as an RGB ``uint8`` image.

    Row 0 is the maximum over channels ("all"), then one row per channel; columns are
    ``num_frames`` evenly spaced time steps. Values are shown on a fixed [0, 1] scale (inferno),
    so a low-score joint looks faint.

    Args:
        volume: ``(K, T, H, W)`` float.
        num_frames: columns. Default 8 (all when ``T`` is smaller).
        names: ``K`` row labels; default ``ch k``.
        tile: longer side of one tile in pixels. Default 96.
    """
    num_channels, total = volume.shape[:2]
    frames = np.unique(np.linspace(0, total - 1, min(num_frames, total)).round().astype(int))
    rows = np.concatenate([volume[:, frames].max(axis=0, keepdims=True), volume[:, frames]])
    tiles = _colourise(rows, tile)
    labels = ['all'] + list(names or [f'ch {k}' for k in range(num_channels)])
    tile_h, tile_w = tiles.shape[2:4]
    gap, font = 2, 0.4
    left = 12 + max(cv2.getTextSize(t, cv2.FONT_HERSHEY_SIMPLEX, font, 1)[0][0] for t in labels)
    top = 22
    image = np.zeros((top + len(labels) * (tile_h + gap), left + len(frames) * (tile_w + gap), 3),
                     dtype=np.uint8)
    for col, frame in enumerate(frames):
        _text(image, f't={frame}', (left + col * (tile_w + gap) + 2, top - 7), font)
    for row, label in enumerate(labels):
        y = top + row * (tile_h + gap)
        _text(image, label, (4, y + tile_h // 2 + 4), font)
        for col in range(len(frames)):
            x = left + col * (tile_w + gap)
            image[y:y + tile_h, x:x + tile_w] = tiles[row, col]
    return image


def heatmap_frames(volume: np.ndarray, names: Sequence[str] | None = None, tile: int = 96
                   ) -> Iterator[np.ndarray]:
    """One RGB frame per time step of a ``(K, T, H, W)`` volume: the "all" tile then every
    channel, labelled, in a near-square grid."""
    num_channels = volume.shape[0]
    labels = ['all'] + list(names or [f'ch {k}' for k in range(num_channels)])
    columns = math.ceil(math.sqrt(len(labels)))
    rows = math.ceil(len(labels) / columns)
    for step in range(volume.shape[1]):
        maps = np.concatenate([volume[:, step].max(axis=0, keepdims=True), volume[:, step]])
        tiles = _colourise(maps, tile)
        tile_h, tile_w = tiles.shape[1:3]
        image = np.zeros((rows * (tile_h + 2), columns * (tile_w + 2), 3), dtype=np.uint8)
        for index, label in enumerate(labels):
            y, x = (index // columns) * (tile_h + 2), (index % columns) * (tile_w + 2)
            image[y:y + tile_h, x:x + tile_w] = tiles[index]
            _text(image, label, (x + 3, y + 12), 0.35)
        _text(image, f't={step}', (image.shape[1] - 60, image.shape[0] - 8), 0.45)
        yield image
