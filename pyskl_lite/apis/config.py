"""Load a config and apply ``--cfg-options``, with dataset-level shortcuts.

mmengine's ``--cfg-options`` sets one dotted key. Pointing a config at another dataset touches
many keys at once (three dataloaders, every transform that knows the skeleton, the head), so a
few names act as shortcuts:

- ``ann_file``, ``label_map``, ``joint_layout``, ``num_classes``, ``clip_len``,
  ``num_person``: every key of that name anywhere in the config gets the value, e.g. ``--cfg-options
  ann_file=data/ntu60_3danno.pkl joint_layout=nturgb+d num_classes=60``; ``joint_layout`` may
  also be a layout file (``.json`` or ``.py``, see :func:`~pyskl_lite.datasets.get_layout`);
- ``stream``: the skeleton features of every ``GenSkeFeat`` (its ``feats``): ``j`` (joints),
  ``b`` (bones), ``jm``, ``bm`` (their motion) or several joined by ``+`` (``j+jm``), the
  streams of a multi-stream ensemble (``tools/ensemble.py``);
- ``keypoint_layout``: every ``layout`` (``FormatKeypoints`` and ``KeypointC3D``'s axis
  order), e.g. ``keypoint_layout=NCTVM``;
- ``reverse_pairs``: every ``reverse_label_map`` (``TemporalReverse``), as ``a:b`` class-name
  pairs, e.g. ``reverse_pairs=sitDown:standUp`` or ``reverse_pairs="[sitDown:standUp,
  pickUp:putDown]"``; ``reverse_pairs=none`` declares none;
- ``train_split``, ``val_split``, ``test_split``: the ``split`` of the train / val / test
  dataloader's dataset (through dataset wrappers), e.g. ``train_split=xview_train``;
- ``max_epochs``: ``train_cfg.max_epochs``, and every learning-rate scheduler that ended at the
  old last epoch ends at the new one (a cosine's ``T_max`` follows its length), so the
  schedule still spans the run.

A config file uses the same names as a table: a top-level variable named like a shortcut
(``joint_layout = 'kinect'``, ``stream = 'j+jm'``) is written into every key it stands for, so
a config that inherits another one changes its data, layout or features in one line instead of
restating the pipelines (``configs/c3d_keypoint_3d.py``). ``--cfg-options`` wins over the file.

Every other key is merged as mmengine does.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from mmengine.config import Config

from pyskl_lite.utils import InputError

GLOBAL_SHORTCUTS = ('ann_file', 'label_map', 'joint_layout', 'num_classes', 'clip_len',
                    'num_person')
#: shortcut -> (the key it sets everywhere, how its value is read)
NAMED_SHORTCUTS: dict[str, tuple[str, Callable[[Any], Any]]] = {}
#: the checkout holding ``configs/`` (an editable install)
REPO_ROOT = Path(__file__).resolve().parents[2]
SPLIT_SHORTCUTS = {'train_split': 'train_dataloader', 'val_split': 'val_dataloader',
                   'test_split': 'test_dataloader'}


def load_config(path: str | os.PathLike, cfg_options: dict[str, Any] | None = None) -> Config:
    """Read ``path`` and apply ``cfg_options`` (shortcuts as described in the module doc).

    Raises:
        InputError: when the file is missing or a shortcut names something the config lacks.
    """
    source = os.fspath(path)
    if not os.path.isfile(source):
        raise InputError.at(source, 'config file not found')
    try:
        cfg = Config.fromfile(source)
    except FileNotFoundError as err:
        raise InputError.at(source, _missing_base_message(source, err.filename),
                            field='_base_') from None
    for key in (*GLOBAL_SHORTCUTS, *NAMED_SHORTCUTS):
        if key in cfg:
            _apply_everywhere(cfg, source, key, cfg[key], option=False)
    options = dict(cfg_options or {})
    shortcuts = {key: options.pop(key) for key in list(options)
                 if key in GLOBAL_SHORTCUTS or key in NAMED_SHORTCUTS or key in SPLIT_SHORTCUTS
                 or key == 'max_epochs'}
    if options:
        cfg.merge_from_dict(options)
    for key, value in shortcuts.items():
        if key in GLOBAL_SHORTCUTS or key in NAMED_SHORTCUTS:
            _apply_everywhere(cfg, source, key, value, option=True)
        elif key == 'max_epochs':
            _set_max_epochs(cfg, source, int(value))
        else:
            _set_split(cfg, source, key, value)
    return cfg


def _missing_base_message(source: str, missing: str | None) -> str:
    """Why a ``_base_`` file was not found, with the absolute path that would work."""
    folder = os.path.dirname(os.path.abspath(source))
    message = (f'_base_ file {missing} not found: _base_ paths are relative to the folder of '
               f'the config that names them ({folder})')
    if missing:
        relative = os.path.relpath(missing, folder)
        for candidate in (REPO_ROOT / relative, REPO_ROOT / 'configs' / relative):
            if candidate.is_file():
                return (f'{message}; a config outside the repository names the shipped ones by '
                        f'absolute path: {str(candidate)!r}')
    return message


def _apply_everywhere(cfg: Config, source: str, key: str, value: Any, option: bool) -> None:
    """Write shortcut ``key`` into every key it stands for (and the top-level variable)."""
    target, parse = NAMED_SHORTCUTS.get(key, (key, lambda v: v))
    try:
        parsed = parse(value)
    except ValueError as err:
        raise InputError.at(source, f'{key}={value!r}: {err}', field=key) from None
    found = _replace_everywhere(cfg._cfg_dict, target, parsed)
    if key in cfg:
        cfg[key] = value
    if option and not found:
        raise InputError.at(source, f'--cfg-options {key}=...: the config has no '
                            f'{target!r} key to set', field=key)


def parse_stream(value: str | Sequence[str]) -> list[str]:
    """``'j+jm'`` or ``['j', 'jm']`` -> ``['j', 'jm']``, checked against ``GenSkeFeat``."""
    from pyskl_lite.datasets.transforms.keypoint import FEATURES

    feats = value.split('+') if isinstance(value, str) else list(value)
    unknown = [f for f in feats if f not in FEATURES]
    if not feats or unknown:
        raise ValueError(f'a stream is one or more of {", ".join(FEATURES)} joined by "+", '
                         f'e.g. j+jm')
    return feats


def parse_reverse_pairs(value: Any) -> dict[str, str]:
    """``{'a': 'b'}``, ``'a:b'``, ``['a:b', 'c:d']`` or ``'none'`` -> a ``{class: class}``
    dict for ``TemporalReverse.reverse_label_map``."""
    if isinstance(value, dict):
        return dict(value)
    if value is None or value in ('none', 'None', ''):
        return {}
    items = [value] if isinstance(value, str) else list(value)
    pairs = {}
    for item in items:
        parts = str(item).split(':')
        if len(parts) != 2 or not all(parts):
            raise ValueError('pairs are written a:b (class names or indices), e.g. '
                             'reverse_pairs=sitDown:standUp')
        source, target = (int(p) if p.isdigit() else p for p in parts)
        pairs[source] = target
    return pairs


def parse_keypoint_layout(value: str) -> str:
    """An axis order for ``FormatKeypoints`` and ``KeypointC3D`` (``'NCTVM'``, ...)."""
    from pyskl_lite.datasets.transforms.keypoint import parse_layout

    parse_layout(value)
    return value


NAMED_SHORTCUTS.update(stream=('feats', parse_stream),
                       reverse_pairs=('reverse_label_map', parse_reverse_pairs),
                       keypoint_layout=('layout', parse_keypoint_layout))


def _replace_everywhere(node: Any, key: str, value: Any) -> int:
    """Set ``key`` to ``value`` in every dict below ``node``; return how many were set."""
    count = 0
    if isinstance(node, dict):
        for name in list(node.keys()):
            if name == key:
                node[name] = value
                count += 1
            else:
                count += _replace_everywhere(node[name], key, value)
    elif isinstance(node, (list, tuple)):
        for item in node:
            count += _replace_everywhere(item, key, value)
    return count


def _set_split(cfg: Config, source: str, key: str, value: Any) -> None:
    loader = cfg.get(SPLIT_SHORTCUTS[key])
    if loader is None:
        raise InputError.at(source, f'--cfg-options {key}=...: the config has no '
                            f'{SPLIT_SHORTCUTS[key]}', field=key)
    dataset = loader['dataset']
    while 'split' not in dataset and 'dataset' in dataset:
        dataset = dataset['dataset']
    dataset['split'] = value
    if key in cfg:
        cfg[key] = value


def _set_max_epochs(cfg: Config, source: str, max_epochs: int) -> None:
    train_cfg = cfg.get('train_cfg') or {}
    if 'max_epochs' not in train_cfg:
        raise InputError.at(source, '--cfg-options max_epochs=...: the config has no '
                            'train_cfg.max_epochs (an iteration-based loop?)', field='max_epochs')
    old = train_cfg['max_epochs']
    train_cfg['max_epochs'] = max_epochs
    if 'max_epochs' in cfg:
        cfg['max_epochs'] = max_epochs
    schedulers = cfg.get('param_scheduler') or []
    for scheduler in [schedulers] if isinstance(schedulers, dict) else schedulers:
        if scheduler.get('by_epoch', True) and scheduler.get('end') == old:
            begin = scheduler.get('begin', 0)
            if scheduler.get('T_max') == old - begin:
                scheduler['T_max'] = max_epochs - begin
            scheduler['end'] = max_epochs
