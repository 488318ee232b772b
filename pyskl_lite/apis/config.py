"""Load a config and apply ``--cfg-options``, with dataset-level shortcuts.

mmengine's ``--cfg-options`` sets one dotted key. Pointing a config at another dataset touches
many keys at once (three dataloaders, every transform that knows the skeleton, the head), so a
few names act as shortcuts:

- ``ann_file``, ``label_map``, ``joint_layout``, ``num_classes``, ``clip_len``,
  ``num_person``, ``min_samples`` (``RepeatDataset``'s samples per epoch): every key of that
  name anywhere in the config gets the value, e.g. ``--cfg-options
  ann_file=data/ntu60_3danno.pkl joint_layout=nturgb+d num_classes=60``; ``joint_layout`` may
  also be a layout file (``.json`` or ``.py``, see :func:`~pyskl_lite.datasets.get_layout`);
- ``stream``: the skeleton features of every ``GenSkeFeat`` (its ``feats``): ``j`` (joints),
  ``b`` (bones), ``jm``, ``bm`` (their motion) or several joined by ``+`` (``j+jm``), the
  streams of a multi-stream ensemble (``tools/ensemble.py``);
- ``keypoint_layout``: every ``layout`` (``FormatKeypoints`` and ``KeypointC3D``'s axis
  order), e.g. ``keypoint_layout=NCTVM``;
- ``heatmap_scaling``: every ``scaling`` (``GeneratePoseTarget``'s canvas scale): the heatmap
  volumes' ``H × W`` times that factor, e.g. ``heatmap_scaling=0.5`` renders 56 × 56 crops as
  28 × 28 heatmaps;
- ``reverse_pairs``: every ``reverse_label_map`` (``TemporalReverse``), as ``a:b`` class-name
  pairs, e.g. ``reverse_pairs=sitDown:standUp`` or ``reverse_pairs="[sitDown:standUp,
  pickUp:putDown]"``; ``reverse_pairs=none`` declares none;
- ``train_split``, ``val_split``, ``test_split``: the ``split`` of the train / val / test
  dataloader's dataset (through dataset wrappers), e.g. ``train_split=xview_train``;
- ``label_fraction``, ``label_seed``: train on a class-stratified random fraction of the
  training split (``PoseDataset``'s arguments of those names, set on the train dataloader's
  dataset), e.g. ``label_fraction=0.2 label_seed=1``;
- ``max_epochs``: ``train_cfg.max_epochs``, and every learning-rate scheduler that ended at the
  old last epoch ends at the new one (a cosine's ``T_max`` follows its length), so the
  schedule still spans the run.

A config file uses the same names as a table: a top-level variable named like a shortcut
(``joint_layout = 'kinect'``, ``stream = 'j+jm'``) is written into every key it stands for, so
a config that inherits another one changes its data, layout or features in one line instead of
restating the pipelines (``configs/c3d_keypoint_3d.py``). ``--cfg-options`` wins over the file.

A label-free config (``label_free = True``: self-supervised pretraining,
``configs/simclr_c3d_keypoint.py``) accepts the shortcuts that only concern labels
(:data:`LABEL_SHORTCUTS`) without having their keys, so the options that point every config at
a dataset work unchanged; they have no effect there.

Every other key is merged as mmengine does, after :func:`check_option_keys` has refused a
typo (``foo_bar=1``, ``train_dataloader.batchsize=8``) with the nearest known key.
The loaded config is then checked by :func:`check_config_values` (batch sizes, epochs,
learning rate, clip lengths, joint layouts), so that a bad value is one line naming the key
instead of a traceback from deep inside torch.
"""
from __future__ import annotations

import difflib
import inspect
import numbers
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from mmengine.config import Config

from pyskl_lite.utils import InputError

GLOBAL_SHORTCUTS = ('ann_file', 'label_map', 'joint_layout', 'num_classes', 'clip_len',
                    'num_person', 'min_samples')
#: shortcut -> (the key it sets everywhere, how its value is read)
NAMED_SHORTCUTS: dict[str, tuple[str, Callable[[Any], Any]]] = {}
#: the checkout holding ``configs/`` (an editable install)
REPO_ROOT = Path(__file__).resolve().parents[2]
#: shortcut -> (the dataloader whose dataset it sets, the dataset's argument)
DATASET_SHORTCUTS = {'train_split': ('train_dataloader', 'split'),
                     'val_split': ('val_dataloader', 'split'),
                     'test_split': ('test_dataloader', 'split'),
                     'label_fraction': ('train_dataloader', 'label_fraction'),
                     'label_seed': ('train_dataloader', 'label_seed')}
#: Shortcuts a label-free config accepts without their keys.
LABEL_SHORTCUTS = ('label_map', 'num_classes', 'reverse_pairs')


def load_config(path: str | os.PathLike, cfg_options: dict[str, Any] | None = None) -> Config:
    """Read ``path`` and apply ``cfg_options`` (shortcuts as described in the module doc).

    Raises:
        InputError: when the file is missing or a shortcut names something the config lacks.
    """
    source = os.fspath(path)
    if not os.path.isfile(source):
        raise InputError.at(source, 'config file not found')
    cfg = read_config_file(source)
    for key in (*GLOBAL_SHORTCUTS, *NAMED_SHORTCUTS):
        if key in cfg:
            _apply_everywhere(cfg, source, key, cfg[key], option=False)
    options = dict(cfg_options or {})
    shortcuts = {key: options.pop(key) for key in list(options)
                 if key in GLOBAL_SHORTCUTS or key in NAMED_SHORTCUTS or key in DATASET_SHORTCUTS
                 or key == 'max_epochs'}
    if options:
        check_option_keys(cfg, options, source)
        cfg.merge_from_dict(options)
    for key, value in shortcuts.items():
        if key in GLOBAL_SHORTCUTS or key in NAMED_SHORTCUTS:
            _apply_everywhere(cfg, source, key, value, option=True)
        elif key == 'max_epochs':
            _set_max_epochs(cfg, source, value)
        else:
            _set_dataset_key(cfg, source, key, value)
    check_config_values(cfg, source)
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
    if option and not found and not (cfg.get('label_free') and key in LABEL_SHORTCUTS):
        raise InputError.at(source, f'--cfg-options {key}=...: the config has no '
                            f'{target!r} key to set', field=key)


def parse_stream(value: str | Sequence[str]) -> list[str]:
    """``'j+jm'`` or ``['j', 'jm']`` -> ``['j', 'jm']`` (``GenSkeFeat``'s feats)."""
    from pyskl_lite.datasets.transforms.keypoint import parse_feats

    return list(parse_feats(value))


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
                       keypoint_layout=('layout', parse_keypoint_layout),
                       heatmap_scaling=('scaling', float))


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


def _set_dataset_key(cfg: Config, source: str, key: str, value: Any) -> None:
    loader_name, argument = DATASET_SHORTCUTS[key]
    loader = cfg.get(loader_name)
    if loader is None:
        raise InputError.at(source, f'--cfg-options {key}=...: the config has no '
                            f'{loader_name}', field=key)
    dataset = loader['dataset']
    while argument not in dataset and 'dataset' in dataset:
        dataset = dataset['dataset']
    dataset[argument] = value
    if key in cfg:
        cfg[key] = value


def _set_max_epochs(cfg: Config, source: str, max_epochs: Any) -> None:
    _check_number(max_epochs, 'max_epochs', source, integer=True)
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


def read_config_file(source: str) -> Config:
    """``Config.fromfile`` with a config's own mistakes (syntax, a name error, a bad
    ``_base_``) reported as one :class:`InputError` line."""
    try:
        return Config.fromfile(source)
    except SyntaxError as err:
        raise InputError.at(source, f'line {err.lineno}: {err.msg}: fix the Python syntax of '
                            'the config') from None
    except FileNotFoundError as err:
        raise InputError.at(source, _missing_base_message(source, err.filename),
                            field='_base_') from None
    except (OSError, ImportError, NameError, KeyError, TypeError, ValueError,
            AttributeError) as err:
        raise InputError.at(source, f'cannot be read ({type(err).__name__}: {err}); check the '
                            'config and its _base_ files') from None


#: Top-level keys mmengine's Runner reads besides its arguments.
RUNNER_CONFIG_KEYS = ('custom_imports', 'runner_type', 'find_unused_parameters')
#: How close a missing nested key must be to an existing one to count as its typo.
TYPO_SIMILARITY = 0.85


def _top_level_names(cfg: Config) -> list[str]:
    """Keys a ``--cfg-options`` path may start with: the config's, the shortcuts and what the
    Runner accepts (``work_dir``, ``load_from``, ...)."""
    from mmengine.runner import Runner
    runner_args = set(inspect.signature(Runner.__init__).parameters) - {'self'}
    return sorted(set(cfg.keys()) | set(GLOBAL_SHORTCUTS) | set(NAMED_SHORTCUTS)
                  | set(DATASET_SHORTCUTS) | {'max_epochs'} | runner_args | set(RUNNER_CONFIG_KEYS))


def check_option_keys(cfg: Config, options: dict[str, Any], source: str) -> None:
    """Refuse an option whose path starts with a key the config, the shortcuts and the Runner
    do not know, or names a missing nested key that is a near-miss of an existing one
    (``train_dataloader.batchsize``); other new nested keys are allowed (they add arguments).

    Shortcuts are handled before this check, so every shortcut name is accepted.

    Raises:
        InputError: naming the option and the nearest known key.
    """
    top_level = _top_level_names(cfg)
    for key in options:
        parts = key.split('.')
        if parts[0] not in top_level:
            near = difflib.get_close_matches(parts[0], top_level, n=1, cutoff=0.0)
            _refuse_option(key, parts[0], near, source)
        node: Any = cfg._cfg_dict.get(parts[0])
        for depth, part in enumerate(parts[1:], start=1):
            if isinstance(node, (list, tuple)) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            elif isinstance(node, dict) and part in node:
                node = node[part]
            else:
                siblings = sorted(map(str, node)) if isinstance(node, dict) else []
                near = difflib.get_close_matches(part, siblings, n=1, cutoff=TYPO_SIMILARITY)
                if near:
                    _refuse_option(key, '.'.join(parts[:depth + 1]),
                                   ['.'.join(parts[:depth] + near)], source)
                break


def _refuse_option(key: str, missing: str, near: list[str], source: str) -> None:
    hint = f'; did you mean {near[0]!r}?' if near else ''
    raise InputError.at(source, f'--cfg-options {key}=...: the config has no {missing!r}{hint}',
                        field=key)


def _check_number(value: Any, key: str, source: str, integer: bool = False,
                  minimum: float = 0, inclusive: bool = False) -> None:
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind) or not (
            value >= minimum if inclusive else value > minimum):
        what = 'an integer' if integer else 'a number'
        bound = f'>= {minimum}' if inclusive else f'> {minimum}'
        raise InputError.at(source, f'{key} = {value!r:.40} must be {what} {bound}', field=key)


def _values_below(node: Any, key: str, path: str = '') -> list[tuple[str, Any]]:
    """``(dotted path, value)`` of every ``key`` in the dicts below ``node``."""
    found = []
    if isinstance(node, dict):
        for name, value in node.items():
            where = f'{path}.{name}' if path else str(name)
            if name == key:
                found.append((where, value))
            found += _values_below(value, key, where)
    elif isinstance(node, (list, tuple)):
        for index, item in enumerate(node):
            found += _values_below(item, key, f'{path}.{index}')
    return found


def check_config_values(cfg: Config, source: str) -> None:
    """Check the values a user most often gets wrong, each as one :class:`InputError` line:
    dataloader ``batch_size`` (> 0) and ``num_workers`` (>= 0), ``train_cfg.max_epochs`` /
    ``max_iters`` / ``val_interval`` (> 0), the optimizer's ``lr`` (> 0), every ``clip_len``,
    ``num_clips`` and ``num_classes`` (> 0) and every ``joint_layout`` (a registered name)."""
    from pyskl_lite.datasets.layouts import LAYOUT_FILE_SUFFIXES, layout_names

    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(name)
        if isinstance(loader, dict):
            if 'batch_size' in loader:
                _check_number(loader['batch_size'], f'{name}.batch_size', source, integer=True)
            if 'num_workers' in loader:
                _check_number(loader['num_workers'], f'{name}.num_workers', source,
                              integer=True, inclusive=True)
    train_cfg = cfg.get('train_cfg')
    if isinstance(train_cfg, dict):
        for key in ('max_epochs', 'max_iters', 'val_interval'):
            if key in train_cfg:
                _check_number(train_cfg[key], f'train_cfg.{key}', source, integer=True)
    optimizer = (cfg.get('optim_wrapper') or {}).get('optimizer')
    if isinstance(optimizer, dict) and 'lr' in optimizer:
        _check_number(optimizer['lr'], 'optim_wrapper.optimizer.lr', source)
    for key in ('clip_len', 'num_clips', 'num_classes'):
        for where, value in _values_below(cfg._cfg_dict, key):
            if value is not None:
                _check_number(value, where, source, integer=True)
    known = layout_names()
    for where, value in _values_below(cfg._cfg_dict, 'joint_layout'):
        if isinstance(value, str) and value not in known and \
                not value.endswith(LAYOUT_FILE_SUFFIXES):
            near = difflib.get_close_matches(value, known, n=1)
            hint = f'did you mean {near[0]!r}? ' if near else ''
            raise InputError.at(source, f'{where} = {value!r} is not a known joint layout; '
                                f'{hint}known: {", ".join(known)}', field=where)
