"""Load a config and apply ``--cfg-options``, with dataset-level shortcuts.

mmengine's ``--cfg-options`` sets one dotted key. Pointing a config at another dataset touches
many keys at once (three dataloaders, every transform that knows the skeleton, the head), so a
few names act as shortcuts:

- ``ann_file``, ``label_map``, ``joint_layout``, ``num_classes``, ``clip_len``: every key of
  that name anywhere in the config gets the value, e.g. ``--cfg-options
  ann_file=data/ntu60_3danno.pkl joint_layout=nturgb+d num_classes=60``;
- ``train_split``, ``val_split``, ``test_split``: the ``split`` of the train / val / test
  dataloader's dataset (through dataset wrappers), e.g. ``train_split=xview_train``;
- ``max_epochs``: ``train_cfg.max_epochs``, and every learning-rate scheduler that ended at the
  old last epoch ends at the new one (a cosine's ``T_max`` follows its length), so the
  schedule still spans the run.

Every other key is merged as mmengine does.
"""
from __future__ import annotations

import os
from typing import Any

from mmengine.config import Config

from pyskl_lite.utils import InputError

GLOBAL_SHORTCUTS = ('ann_file', 'label_map', 'joint_layout', 'num_classes', 'clip_len')
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
    cfg = Config.fromfile(source)
    options = dict(cfg_options or {})
    shortcuts = {key: options.pop(key) for key in list(options)
                 if key in GLOBAL_SHORTCUTS or key in SPLIT_SHORTCUTS or key == 'max_epochs'}
    if options:
        cfg.merge_from_dict(options)
    for key, value in shortcuts.items():
        if key in GLOBAL_SHORTCUTS:
            if not _replace_everywhere(cfg._cfg_dict, key, value):
                raise InputError.at(source, f'--cfg-options {key}=...: the config has no '
                                    f'{key!r} key to set', field=key)
        elif key == 'max_epochs':
            _set_max_epochs(cfg, source, int(value))
        else:
            _set_split(cfg, source, key, value)
    return cfg


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
