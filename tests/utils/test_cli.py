"""The tools' shared arguments: every --cfg-options shortcut listed, values parsed as mmengine
does, and the lists kept equal to what the library implements."""
import argparse

from pyskl_lite.apis.config import GLOBAL_SHORTCUTS, SPLIT_SHORTCUTS
from pyskl_lite.apis.distributed import LAUNCHERS
from pyskl_lite.utils import cli


def test_the_lists_match_the_library():
    assert list(cli.CFG_OPTION_SHORTCUTS) == [*GLOBAL_SHORTCUTS, *SPLIT_SHORTCUTS, 'max_epochs']
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
