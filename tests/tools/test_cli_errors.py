"""Every mistake a user can make through tools/train.py and tools/test.py ends in one
``error:`` line and exit status 2, without a traceback unless --debug / PYSKL_DEBUG asks."""
import os
import resource
import signal
import subprocess
import sys

import pytest
import torch

from pyskl_lite.utils import run_cli
from tests.tools.load_tool import load_tool
from tests.tools.tiny_setup import REPO, subprocess_env, write_configs

train_tool = load_tool('tools/train.py')
test_tool = load_tool('tools/test.py')


@pytest.fixture(scope='module')
def configs(tmp_path_factory):
    return write_configs(tmp_path_factory.mktemp('tiny'))


def run_tool(tool, argv, monkeypatch, capsys) -> str:
    """Run ``tool.main`` as its ``__main__`` would; returns the single error line."""
    monkeypatch.setattr(sys, 'argv', [tool.__file__, *map(str, argv)])
    monkeypatch.delenv('PYSKL_DEBUG', raising=False)
    with pytest.raises(SystemExit) as info:
        run_cli(tool.main)
    captured = capsys.readouterr()
    assert info.value.code == 2, captured.err[-2000:]
    output = captured.out + captured.err
    assert 'Traceback' not in output, output[-3000:]
    errors = [line for line in captured.err.splitlines() if line.startswith('error: ')]
    assert len(errors) == 1, captured.err[-3000:]
    return errors[0]


def train_argv(configs, tmp_path, *options, flags=()):
    work_dir = tmp_path / 'work'
    return [configs['exact'], '--work-dir', work_dir, *flags, '--cfg-options',
            f'val_evaluator.1.out_file={work_dir}/val.pkl', *options]


@pytest.mark.parametrize('options,expected', [
    (['model.backbone.type=NoSuchNet'], 'NoSuchNet is not in the'),
    (['train_dataloader.batch_size=0'], 'train_dataloader.batch_size = 0 must be an integer > 0'),
    (['train_cfg.max_epochs=-1'], 'train_cfg.max_epochs = -1 must be an integer > 0'),
    (['max_epochs=abc'], "max_epochs = 'abc' must be an integer > 0"),
    (['optim_wrapper.optimizer.lr=abc'], "optim_wrapper.optimizer.lr = 'abc' must be a number"),
    (['clip_len=0'], 'clip_len = 0 must be an integer > 0'),
    (['train_pipeline.2.joint_layout=cocoo', 'train_dataloader.dataset.pipeline.2.joint_layout'
      '=cocoo'], "'cocoo' is not a known joint layout; did you mean 'coco'?"),
    (['foo_bar=1'], "--cfg-options foo_bar=...: the config has no 'foo_bar'; did you mean"),
    (['train_dataloadr.batch_size=4'], "did you mean 'train_dataloader'?"),
    (['train_dataloader.batch_size'], '--cfg-options train_dataloader.batch_size: expected '
                                      'key=value'),
])
def test_config_mistakes_are_one_line(configs, tmp_path, monkeypatch, capsys, options,
                                      expected):
    line = run_tool(train_tool, train_argv(configs, tmp_path, *options), monkeypatch, capsys)
    assert expected in line


def test_config_syntax_error_names_the_line(tmp_path, monkeypatch, capsys):
    config = tmp_path / 'broken.py'
    config.write_text('model = dict(\n  type="Recognizer"\nx = 1\n')
    line = run_tool(train_tool, [config], monkeypatch, capsys)
    assert str(config) in line and 'line ' in line and 'syntax' in line


def test_launcher_pytorch_outside_torchrun(configs, tmp_path, monkeypatch, capsys):
    for name in ('RANK', 'WORLD_SIZE', 'LOCAL_RANK', 'MASTER_ADDR', 'MASTER_PORT'):
        monkeypatch.delenv(name, raising=False)
    line = run_tool(train_tool, train_argv(configs, tmp_path, flags=['--launcher', 'pytorch']),
                    monkeypatch, capsys)
    assert 'not set (the process was not started by torchrun)' in line
    assert 'dist_train.sh' in line


def test_argparse_mistakes_are_one_line(configs, monkeypatch, capsys):
    line = run_tool(train_tool, [configs['exact'], '--launcher', 'mpi'], monkeypatch, capsys)
    assert "invalid choice: 'mpi'" in line and '--help' in line


@pytest.fixture(scope='module')
def checkpoint(configs, tmp_path_factory):
    work_dir = tmp_path_factory.mktemp('trained')
    assert train_tool.main([str(configs['exact']), '--work-dir', str(work_dir), '--cfg-options',
                            f'val_evaluator.1.out_file={work_dir}/v.pkl',
                            'train_cfg.max_epochs=1']) == 0
    return work_dir / 'epoch_1.pth'


@pytest.mark.parametrize('damage,expected', [
    ('truncated', 'not a readable checkpoint'),
    ('random', 'not a readable checkpoint'),
    ('empty', 'not a readable checkpoint'),
    ('weights_only', '--resume: not a training checkpoint (no meta, optimizer)'),
    ('code', 'refused: the checkpoint holds posix.system'),
])
def test_unreadable_checkpoints_given_to_resume_and_test(configs, checkpoint, tmp_path,
                                                          monkeypatch, capsys, damage, expected):
    data = checkpoint.read_bytes()
    bad = tmp_path / f'{damage}.pth'
    if damage == 'truncated':
        bad.write_bytes(data[:len(data) // 2])
    elif damage == 'random':
        bad.write_bytes(os.urandom(4096))
    elif damage == 'empty':
        bad.write_bytes(b'')
    elif damage == 'weights_only':
        torch.save({'state_dict': torch.load(checkpoint, weights_only=False)['state_dict']}, bad)
    else:
        class RunsCode:
            def __reduce__(self):
                return (os.system, ('true',))
        torch.save({'state_dict': {}, 'meta': RunsCode()}, bad)
    line = run_tool(train_tool, train_argv(configs, tmp_path, flags=['--resume', bad]),
                    monkeypatch, capsys)
    assert str(bad) in line and expected in line and 'weights_only=False' not in line
    if damage != 'weights_only':
        line = run_tool(test_tool, [configs['exact'], bad, '--work-dir', tmp_path / 't'],
                        monkeypatch, capsys)
        assert str(bad) in line and expected in line


def test_unwritable_work_dir_is_one_line(configs, tmp_path, monkeypatch, capsys):
    blocker = tmp_path / 'a_file'
    blocker.write_text('')
    argv = [configs['exact'], '--work-dir', blocker / 'work', '--cfg-options',
            f'val_evaluator.1.out_file={tmp_path}/v.pkl']
    line = run_tool(train_tool, argv, monkeypatch, capsys)
    assert str(blocker) in line and 'Not a directory' in line


def test_full_disk_while_saving_a_checkpoint_is_one_line(configs, tmp_path):
    """A file-size limit makes writes fail with EFBIG like a full disk (ENOSPC) would."""
    def limit_file_size():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (60_000, 60_000))

    work_dir = tmp_path / 'work'
    proc = subprocess.run(
        [sys.executable, str(REPO / 'tools' / 'train.py'), str(configs['exact']), '--work-dir',
         str(work_dir), '--cfg-options', f'val_evaluator.1.out_file={work_dir}/v.pkl',
         'train_cfg.max_epochs=1'], env=subprocess_env(), capture_output=True, text=True,
        timeout=300, preexec_fn=limit_file_size)
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert 'Traceback' not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith('error: ')]
    assert len(errors) == 1 and 'File too large' in errors[0], proc.stderr[-2000:]
    assert not list(work_dir.glob('epoch_*.pth'))


def test_debug_flag_and_variable_show_the_traceback(configs, tmp_path):
    argv = [sys.executable, str(REPO / 'tools' / 'train.py'),
            *map(str, train_argv(configs, tmp_path, 'model.backbone.type=NoSuchNet'))]
    for extra, env in (([], subprocess_env(PYSKL_DEBUG='1')), (['--debug'], subprocess_env())):
        proc = subprocess.run(argv + extra, env=env, capture_output=True, text=True,
                              timeout=300)
        assert proc.returncode == 1 and 'Traceback (most recent call last)' in proc.stderr
        assert 'NoSuchNet' in proc.stderr
