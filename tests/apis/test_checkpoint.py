"""Checkpoints of SkeletonRunner: weights_only loading with the allow-list, atomic writes,
the random state inside, and which checkpoint ``--resume auto`` picks."""
import os
import pickle

import pytest
import torch

import pyskl_lite
from pyskl_lite.apis import build_runner, find_resume_checkpoint, load_checkpoint_file, load_config
from pyskl_lite.utils import InputError
from tests.tools.tiny_setup import write_configs

pyskl_lite.register_all_modules()


@pytest.fixture(scope='module')
def runner(tmp_path_factory):
    folder = tmp_path_factory.mktemp('checkpoint')
    cfg = load_config(write_configs(folder)['exact'])
    cfg.work_dir = str(folder / 'work')
    cfg.train_cfg.max_epochs = 1
    runner = build_runner(cfg)
    runner.train()
    return runner


def test_checkpoint_loads_with_allow_list_only(runner, tmp_path):
    runner.save_checkpoint(str(tmp_path), 'epoch_1.pth')
    path = tmp_path / 'epoch_1.pth'
    with pytest.raises(pickle.UnpicklingError, match='Weights only load failed'):
        torch.load(path, weights_only=True)  # mmengine's HistoryBuffer etc. are not default-safe
    checkpoint = load_checkpoint_file(path)
    assert set(checkpoint) >= {'meta', 'state_dict', 'message_hub', 'optimizer',
                               'param_schedulers'}
    state = checkpoint['meta']['random_state']
    assert set(state) >= {'python', 'numpy', 'torch'}
    assert torch.equal(state['torch'], torch.get_rng_state())
    loaded = runner.load_checkpoint(str(path))  # what test.py and --resume do
    model = runner.model.state_dict()
    assert loaded['state_dict'].keys() == model.keys()
    assert all(torch.equal(value, model[name]) for name, value in loaded['state_dict'].items())


def test_checkpoint_that_runs_code_is_refused(tmp_path):
    marker = tmp_path / 'pwned'

    class Payload:
        def __reduce__(self):
            return (os.system, (f'touch {marker}',))

    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'meta': Payload()}, path)
    with pytest.raises(InputError, match='holds posix.system, outside the allow-list'):
        load_checkpoint_file(path)
    assert not marker.exists()


def test_interrupted_save_keeps_the_previous_checkpoint(runner, tmp_path, monkeypatch):
    runner.save_checkpoint(str(tmp_path), 'epoch_1.pth')
    before = (tmp_path / 'epoch_1.pth').read_bytes()

    def dying_save(checkpoint, filename, **kwargs):
        with open(filename, 'wb') as file:
            file.write(b'half a checkpoint')
        raise KeyboardInterrupt

    import mmengine.runner.runner as mmengine_runner
    monkeypatch.setattr(mmengine_runner, 'save_checkpoint', dying_save)
    with pytest.raises(KeyboardInterrupt):
        runner.save_checkpoint(str(tmp_path), 'epoch_1.pth')
    assert (tmp_path / 'epoch_1.pth').read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ['epoch_1.pth']


def test_find_resume_checkpoint(tmp_path):
    assert find_resume_checkpoint(tmp_path / 'missing') is None
    assert find_resume_checkpoint(tmp_path) is None
    for epoch in (2, 10, 9):
        (tmp_path / f'epoch_{epoch}.pth').write_bytes(b'x')
    (tmp_path / 'best_acc_top1_epoch_11.pth').write_bytes(b'x')
    assert find_resume_checkpoint(tmp_path) == str(tmp_path / 'epoch_10.pth')
    pointer = tmp_path / 'last_checkpoint'
    pointer.write_text(str(tmp_path / 'epoch_9.pth'))
    assert find_resume_checkpoint(tmp_path) == str(tmp_path / 'epoch_9.pth')
    pointer.write_text(str(tmp_path / 'epo'))  # truncated by a kill
    assert find_resume_checkpoint(tmp_path) == str(tmp_path / 'epoch_10.pth')


@pytest.mark.parametrize('data', [b'.', b'\x80\x02.', b'K', b'\x80\x02J\x01', b'M\x01'],
                         ids=['stop-on-empty-stack', 'protocol-2-stop', 'short-int',
                              'short-int4', 'short-int2'])
def test_bytes_that_break_the_unpickler_are_one_line(tmp_path, data, recwarn):
    """One random file in 16 failed inside torch's weights-only unpickler with an IndexError or
    struct.error, which reached the user as an 'internal error' (seen in CI as a flaky test)."""
    bad = tmp_path / 'bad.pth'
    bad.write_bytes(data)
    with pytest.raises(InputError, match=f'{bad}: not a readable checkpoint'):
        load_checkpoint_file(bad)
    assert not [w for w in recwarn if 'pickle protocol' in str(w.message)]
