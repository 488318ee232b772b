import json

import pytest

from pyskl_lite.utils import InputError
from tests.tools.load_tool import load_tool

plot_tool = load_tool('tools/plot_curves.py')


def test_plot_curves_of_a_work_dir(tmp_path, capsys):
    log = tmp_path / '20240101_000000' / 'vis_data' / '20240101_000000.json'
    log.parent.mkdir(parents=True)
    log.write_text(json.dumps(dict(loss=1.0, top1_acc=0.5, lr=0.1, epoch=1, iter=3, step=3)) +
                   '\n' + json.dumps({'acc/top1': 0.4, 'step': 1}) + '\n')
    assert plot_tool.main([str(tmp_path), '--out', str(tmp_path / 'c.png')]) == 0
    assert (tmp_path / 'c.png').stat().st_size > 1000
    assert str(tmp_path / 'c.png') in capsys.readouterr().out
    with pytest.raises(InputError, match='no json log'):
        plot_tool.main([str(log.parent)])
    with pytest.raises(InputError, match='work dir not found'):
        plot_tool.main([str(tmp_path / 'missing')])
