"""A kill while a checkpoint is being saved leaves the previous checkpoints and the
``last_checkpoint`` pointer usable (mmengine deletes first and rewrites in place)."""
import builtins

import pytest
from mmengine.hooks import CheckpointHook

from pyskl_lite.apis.runner import SkeletonRunner
from tests.tools.load_tool import load_tool
from tests.tools.tiny_setup import write_configs

train_tool = load_tool('tools/train.py')


class Killed(BaseException):
    """Stands for a SIGKILL at that moment."""


@pytest.fixture(scope='module')
def configs(tmp_path_factory):
    return write_configs(tmp_path_factory.mktemp('tiny'))


@pytest.fixture
def always_better(monkeypatch):
    """Every validation is a new best, so every epoch replaces the best checkpoint."""
    init_rule = CheckpointHook._init_rule

    def patched(self, rules, key_indicators):
        init_rule(self, rules, key_indicators)
        self.is_better_than = {key: (lambda new, old: True) for key in self.key_indicators}

    monkeypatch.setattr(CheckpointHook, '_init_rule', patched)


def train(configs, work_dir):
    train_tool.main([str(configs['exact']), '--work-dir', str(work_dir), '--cfg-options',
                     f'val_evaluator.1.out_file={work_dir}/v.pkl', 'train_cfg.max_epochs=3',
                     'default_hooks.checkpoint.max_keep_ckpts=1'])


@pytest.mark.parametrize('killed_at,survivor,pointer', [
    ('epoch_3.pth', 'epoch_2.pth', 'epoch_2.pth'),
    ('best_acc_top1_epoch_3.pth', 'best_acc_top1_epoch_2.pth', 'epoch_3.pth'),
])
def test_kill_while_saving_keeps_the_previous_file(configs, tmp_path, monkeypatch,
                                                   always_better, killed_at, survivor,
                                                   pointer):
    save = SkeletonRunner.save_checkpoint

    def dying_save(self, out_dir, filename, *args, **kwargs):
        if filename == killed_at:
            raise Killed
        return save(self, out_dir, filename, *args, **kwargs)

    monkeypatch.setattr(SkeletonRunner, 'save_checkpoint', dying_save)
    work_dir = tmp_path / 'work'
    with pytest.raises(Killed):
        train(configs, work_dir)
    assert (work_dir / survivor).is_file()
    assert (work_dir / 'last_checkpoint').read_text().endswith('/' + pointer)


def test_kill_while_writing_last_checkpoint_keeps_the_old_pointer(configs, tmp_path,
                                                                  monkeypatch):
    """The second update of the pointer dies: in the middle of writing it in place (which
    leaves it empty), or just before the rename that replaces it."""
    real_open = builtins.open
    writes = []

    class DyingFile:
        def __init__(self, file):
            self.file = file

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.file.close()

        def write(self, text):
            raise Killed

    def dying_open(file, mode='r', *args, **kwargs):
        opened = real_open(file, mode, *args, **kwargs)
        if str(file).endswith('/last_checkpoint') and 'w' in mode:
            writes.append(file)
            if len(writes) == 2:
                return DyingFile(opened)
        return opened

    monkeypatch.setattr(builtins, 'open', dying_open)
    work_dir = tmp_path / 'work'
    real_replace = __import__('os').replace

    def dying_replace(src, dst, *args, **kwargs):
        if str(dst).endswith('/last_checkpoint'):
            writes.append(dst)
            if len(writes) == 2:
                raise Killed
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr('os.replace', dying_replace)
    with pytest.raises(Killed):
        train(configs, work_dir)
    monkeypatch.undo()
    assert (work_dir / 'last_checkpoint').read_text().endswith('epoch_1.pth')
