"""Command-line pieces shared by the tools, importable without torch or mmengine.

A tool parses its arguments before it imports anything heavy, so that ``--help`` (and a wrong
flag) answers at once: the tools import torch, mmengine and the package's modules inside their
functions, after :func:`argparse.ArgumentParser.parse_args`. This module holds what the
parsers need: the ``--cfg-options`` argument with the list of its shortcuts, ``--verbose`` and
the launcher names.
"""
from __future__ import annotations

import argparse
from typing import Any

#: Keys of ``--cfg-options`` that ``pyskl_lite.apis.config.load_config`` expands, with what
#: they do (shown by every tool's ``--help``; tests/utils/test_cli.py checks that every
#: shortcut the config module implements is here).
CFG_OPTION_SHORTCUTS: dict[str, str] = {
    'ann_file': 'every ann_file key',
    'label_map': 'every label_map key',
    'joint_layout': 'every joint_layout key; a name or a layout file',
    'num_classes': 'every num_classes key',
    'clip_len': 'every clip_len key',
    'num_person': 'every num_person key (persons per clip; 1 for single-person data)',
    'min_samples': "every RepeatDataset's min_samples (training samples per epoch, at least)",
    'stream': "every GenSkeFeat's feats: j, b, jm, bm or several joined by +",
    'keypoint_layout': 'every layout key (axis order, e.g. NCTVM)',
    'reverse_pairs': "every TemporalReverse's reverse_label_map, as a:b class-name pairs",
    'heatmap_scaling': "every GeneratePoseTarget's scaling (heatmap H x W times it)",
    'train_split': "the train dataloader dataset's split",
    'val_split': "the val dataloader dataset's split",
    'test_split': "the test dataloader dataset's split",
    'label_fraction': 'train on this class-stratified fraction of the training split',
    'label_seed': 'seed of the label_fraction draw (default 0)',
    'max_epochs': 'train_cfg.max_epochs and the schedulers that ended at the last epoch',
}

#: How the processes of a run were started (``tools/train.py --launcher``).
LAUNCHERS = ('none', 'pytorch', 'slurm')
#: ``--eval`` names of tools/test.py and tools/ensemble.py
EVAL_CHOICES = ('top_k_accuracy', 'mean_class_accuracy', 'confusion_matrix',
                'precision_recall_f1')
DEFAULT_EVAL = ('top_k_accuracy', 'mean_class_accuracy')
#: tools/ensemble.py --fuse: softmax probabilities or logits
FUSIONS = ('prob', 'score')
#: tools/cross_validate.py --group-by
GROUP_BY = ('auto', 'subject', 'none', 'splits')


class CfgOptionsAction(argparse.Action):
    """``--cfg-options k=v ...`` parsed by mmengine's ``DictAction``, imported only when the
    option is used (mmengine imports torch)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        from mmengine.config import DictAction

        DictAction(self.option_strings, self.dest, nargs=self.nargs)(
            parser, namespace, values, option_string)


def add_cfg_options(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """Add ``--cfg-options`` (default ``{}``) with every shortcut in its help."""
    shortcuts = '; '.join(f'{key} ({effect})' for key, effect in CFG_OPTION_SHORTCUTS.items())
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction, default={},
                        metavar='KEY=VALUE',
                        help='override config keys, e.g. train_dataloader.batch_size=16; '
                             f'shortcuts: {shortcuts}')


def add_verbose(parser: argparse.ArgumentParser) -> None:
    """Add ``--verbose``: the environment, the config and the hook table on the console too
    (they always go to the work dir's log file)."""
    parser.add_argument('--verbose', action='store_true',
                        help='also print what goes to the log file only: the environment, '
                             'the full config, the hook table and every logged iteration')
