"""The tools' shared arguments: every --cfg-options shortcut listed, values parsed as mmengine
does, and the lists kept equal to what the library implements."""
import argparse

from pyskl_lite.apis import config
from pyskl_lite.apis.distributed import LAUNCHERS
from pyskl_lite.utils import cli


def test_the_help_lists_every_shortcut_the_library_implements():
    implemented = {*config.GLOBAL_SHORTCUTS, *getattr(config, 'NAMED_SHORTCUTS', {}),
                   *config.DATASET_SHORTCUTS, 'max_epochs'}
    assert implemented <= set(cli.CFG_OPTION_SHORTCUTS)
    assert tuple(cli.LAUNCHERS) == tuple(LAUNCHERS)


def test_cfg_options_are_parsed_like_mmengine_and_listed_in_the_help():
    parser = argparse.ArgumentParser()
    cli.add_cfg_options(parser)
    args = parser.parse_args(['--cfg-options', 'max_epochs=3', 'model.dropout=0.5',
                              'train_split=xview_train', 'topk=[1,5]'])
    assert args.cfg_options == {'max_epochs': 3, 'model.dropout': 0.5,
                                'train_split': 'xview_train', 'topk': [1, 5]}
    assert parser.parse_args([]).cfg_options == {}
    help_text = ' '.join(parser.format_help().split())
    for key in cli.CFG_OPTION_SHORTCUTS:
        assert f'{key} (' in help_text
