"""tools/sanity_check.py passes for a model that can learn and fails for a frozen one."""
from pathlib import Path

import pytest

from tests.tools.load_tool import load_tool
from tests.tools.tiny_setup import write_configs

sanity_tool = load_tool('tools/sanity_check.py')


def run(config, work_dir, max_epochs, *options):
    return sanity_tool.main([str(config), '--num-samples', '16', '--max-epochs', str(max_epochs),
                             '--work-dir', str(work_dir), *options])


def test_pass_and_fail(tmp_path, capsys):
    config = write_configs(tmp_path)['adam']
    code = run(config, tmp_path / 'pass', 60)
    out = capsys.readouterr().out
    assert code == 0, out[-2000:]
    assert 'sanity check PASSED: training top-1 100.0% at epoch' in out
    assert (tmp_path / 'pass' / 'curves.png').stat().st_size > 1000

    code = run(config, tmp_path / 'fail', 4, '--cfg-options',
               'optim_wrapper.paramwise_cfg.custom_keys.backbone.lr_mult=0',
               'optim_wrapper.paramwise_cfg.custom_keys.cls_head.lr_mult=0')
    out = capsys.readouterr().out
    assert code == 1
    assert 'sanity check FAILED: training top-1' in out and 'after 4 epochs' in out


def test_main_config_overfits_synthetic_data(tmp_path, capsys):
    """The shipped KeypointC3D config, unchanged but for its data, passes on 100 samples."""
    from pyskl_lite.datasets.synthetic import (
        SYNTHETIC_CLASSES,
        dump_synthetic_dataset,
        make_synthetic_dataset,
    )

    data = make_synthetic_dataset(num_samples=8 * len(SYNTHETIC_CLASSES), dim=2, seed=3)
    ann_file, label_map = dump_synthetic_dataset(data, tmp_path / 'syn2d.pkl')
    config = Path(__file__).resolve().parents[2] / 'configs' / 'c3d_keypoint.py'
    code = sanity_tool.main([str(config), '--work-dir', str(tmp_path / 'run'),
                             '--cfg-options', f'ann_file={ann_file}', f'label_map={label_map}',
                             'train_dataloader.num_workers=0'])
    out = capsys.readouterr().out
    assert code == 0, out[-2000:]
    assert '100 training samples of 24 classes' in out and 'sanity check PASSED' in out


def test_non_positive_budget_is_refused():
    for flag in ('--max-epochs', '--batch-size', '--num-samples'):
        with pytest.raises(SystemExit):
            sanity_tool.parse_args(['configs/c3d_keypoint.py', flag, '0'])
