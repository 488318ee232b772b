"""tools/sanity_check.py passes for a model that can learn and fails for a frozen one."""
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
