"""tools/train.py and tools/dist_train.sh on a tiny model: 2 gloo processes equal 1 process,
and a run killed with SIGKILL and resumed equals an uninterrupted one."""
import json
import os
import shutil
import signal
import subprocess
import sys

import numpy as np
import pytest
import torch

from pyskl_lite.apis import cpu_bf16_supported, load_checkpoint_file
from pyskl_lite.evaluation import load_results
from pyskl_lite.utils import InputError
from tests.tools.load_tool import load_tool
from tests.tools.tiny_setup import NUM_TRAIN, NUM_VAL, REPO, subprocess_env, write_configs

train_tool = load_tool('tools/train.py')


@pytest.fixture(scope='module')
def configs(tmp_path_factory):
    return write_configs(tmp_path_factory.mktemp('tiny'))


def train_args(config, work_dir, *flags, options=()):
    return [str(config), '--work-dir', str(work_dir), *flags, '--cfg-options',
            f'val_evaluator.1.out_file={work_dir}/val_predictions.pkl', *options]


def train_in_process(config, work_dir, *flags, options=()):
    assert train_tool.main(train_args(config, work_dir, *flags, options=options)) == 0


def val_metrics(work_dir):
    """acc/top1 of every validation, from the run's json log(s)."""
    rows = []
    for log in sorted(work_dir.glob('*/vis_data/*.json')):
        if log.stem == log.parent.parent.name:
            rows += [json.loads(line) for line in log.read_text().splitlines()]
    return [row['acc/top1'] for row in rows if 'acc/top1' in row]


def weights(path):
    return load_checkpoint_file(path)['state_dict']


def test_two_gloo_processes_equal_one_process(configs, tmp_path):
    one, two = tmp_path / 'one', tmp_path / 'two'
    train_in_process(configs['exact'], one, '--deterministic')
    env = subprocess_env(PYTHON=sys.executable)
    env.pop('OMP_NUM_THREADS')  # dist_train.sh sizes the threads per process
    config, *args = train_args(configs['exact'], two, '--deterministic',
                               options=['train_dataloader.batch_size=4'])
    proc = subprocess.run(['bash', str(REPO / 'tools' / 'dist_train.sh'), config, '2', *args],
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    output = proc.stdout + proc.stderr
    threads = max(1, len(os.sched_getaffinity(0)) // 2)
    for rank in (0, 1):
        assert f'process group: backend gloo, rank {rank} of 2, {threads} threads' in output
    # The start says the total batch of both processes, and that the lr is the config's.
    assert 'total batch 8 (2 processes × 4), lr 0.2, the lr the config has' in proc.stdout
    for noise in ('MKL_NUM_THREADS', 'OMP_NUM_THREADS', 'FileClient', 'GPU number'):
        assert noise not in output

    # Distributed sampler: every epoch, the ranks see disjoint halves of the training split.
    seen = {rank: [json.loads(line) for line in
                   (two / f'samples_rank{rank}.jsonl').read_text().splitlines()]
            for rank in (0, 1)}
    for epoch in range(3):
        per_rank = [sum((row['samples'] for row in seen[rank] if row['epoch'] == epoch), [])
                    for rank in (0, 1)]
        assert len(per_rank[0]) == len(per_rank[1]) == NUM_TRAIN // 2
        assert len(set(per_rank[0] + per_rank[1])) == NUM_TRAIN

    # Same total batch -> same gradient steps: equal weights and validation results.
    for name, value in weights(one / 'epoch_3.pth').items():
        torch.testing.assert_close(weights(two / 'epoch_3.pth')[name], value,
                                   atol=1e-5, rtol=1e-4)
    single, _ = load_results(one / 'val_predictions.pkl')
    double, _ = load_results(two / 'val_predictions.pkl')
    assert len(double) == NUM_VAL  # padding of the distributed sampler dropped
    assert [r['frame_dir'] for r in double] == [r['frame_dir'] for r in single]
    np.testing.assert_allclose(np.stack([r['pred_score'] for r in double]),
                               np.stack([r['pred_score'] for r in single]), atol=1e-5)
    assert val_metrics(two) == val_metrics(one) and len(val_metrics(one)) == 3


def test_tensorboard_and_curves_of_a_run(configs, tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    work_dir = tmp_path / 'logged'
    train_in_process(configs['exact'], work_dir, options=['train_cfg.max_epochs=2'])
    events = EventAccumulator(str(next(work_dir.glob('*/vis_data'))))
    events.Reload()
    iterations = 2 * NUM_TRAIN // 8
    for tag in ('train_iter/loss', 'train_iter/lr', 'train_iter/top1_acc'):
        assert [e.step for e in events.Scalars(tag)] == list(range(1, iterations + 1))
    assert [e.step for e in events.Scalars('acc/top1')] == [1, 2]
    assert (work_dir / 'curves.png').stat().st_size > 5000
    assert (work_dir / 'tiny_exact.py').is_file() and (work_dir / 'last_checkpoint').is_file()
    assert len(list(work_dir.glob('best_acc_top1_epoch_*.pth'))) == 1


def test_resume_after_sigkill_equals_uninterrupted_run(configs, tmp_path):
    full, crashed = tmp_path / 'full', tmp_path / 'crashed'
    train_in_process(configs['random'], full, '--deterministic')

    # Killed in the second epoch (0-based epoch 1, after its 2nd iteration).
    proc = subprocess.run(
        [sys.executable, str(REPO / 'tools' / 'train.py'),
         *train_args(configs['random'], crashed, '--deterministic')],
        env=subprocess_env(TINY_KILL_AT='1:1'), capture_output=True, text=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert (crashed / 'epoch_1.pth').is_file() and not (crashed / 'epoch_2.pth').exists()
    assert not list(crashed.glob('.*partial'))

    train_in_process(configs['random'], crashed, '--deterministic', '--resume')
    expected = weights(full / 'epoch_3.pth')
    for name, value in weights(crashed / 'epoch_3.pth').items():
        assert torch.equal(value, expected[name]), name
    assert val_metrics(crashed)[-2:] == val_metrics(full)[-2:]
    resumed, _ = load_results(crashed / 'val_predictions.pkl')
    uninterrupted, _ = load_results(full / 'val_predictions.pkl')
    np.testing.assert_array_equal(np.stack([r['pred_score'] for r in resumed]),
                                  np.stack([r['pred_score'] for r in uninterrupted]))

    # The comparison is sensitive: without the saved random state the run diverges.
    stateless = tmp_path / 'stateless'
    stateless.mkdir()
    checkpoint = load_checkpoint_file(crashed / 'epoch_1.pth')
    del checkpoint['meta']['random_state']
    torch.save(checkpoint, stateless / 'epoch_1.pth')
    shutil.copy(crashed / 'tiny_random.py', stateless / 'tiny_random.py')
    train_in_process(configs['random'], stateless, '--deterministic', '--resume')
    diverged = weights(stateless / 'epoch_3.pth')
    assert any(not torch.equal(value, expected[name]) for name, value in diverged.items())


def test_command_line_choices_reach_the_config(configs, tmp_path):
    args = train_tool.parse_args([str(configs['random']), '--no-validate', '--auto-scale-lr',
                                  '--seed', '5', '--deterministic'])
    cfg = train_tool.build_config(args)
    assert cfg.work_dir == os.path.join('work_dirs', 'tiny_random')
    assert cfg.val_dataloader is None and cfg.val_cfg is None
    assert cfg.default_hooks.checkpoint.save_best is None
    assert cfg.auto_scale_lr.enable and cfg.auto_scale_lr.base_batch_size == 8
    assert cfg.randomness.seed == 5 and cfg.randomness.deterministic
    assert cfg.train_dataloader.persistent_workers is False
    with pytest.raises(SystemExit):
        train_tool.parse_args([str(configs['exact']), '--no-validate', '--test-best'])
    missing = train_tool.parse_args([str(configs['exact']), '--resume', str(tmp_path / 'x.pth')])
    with pytest.raises(InputError, match='checkpoint not found'):
        train_tool.build_config(missing)


@pytest.mark.skipif(torch.cuda.is_available(), reason='--amp means float16 on a CUDA GPU')
def test_amp_without_a_gpu_is_bfloat16_where_the_cpu_computes_it(configs, monkeypatch):
    from pyskl_lite.apis import amp
    args = train_tool.parse_args([str(configs['exact']), '--amp'])
    monkeypatch.setattr(amp, 'cpu_bf16_supported', lambda: True)
    assert train_tool.build_config(args).optim_wrapper.type == 'CPUAmpOptimWrapper'
    monkeypatch.setattr(amp, 'cpu_bf16_supported', lambda: False)
    with pytest.raises(InputError, match='--amp: no CUDA GPU .* no native bfloat16'):
        train_tool.build_config(args)


@pytest.mark.skipif(torch.cuda.is_available() or not cpu_bf16_supported(),
                    reason='needs a CPU-only machine with native bfloat16')
def test_amp_on_the_cpu_trains_and_saves_float32_weights(configs, tmp_path):
    train_in_process(configs['exact'], tmp_path / 'amp', '--amp', options=['max_epochs=1'])
    state = weights(tmp_path / 'amp' / 'epoch_1.pth')
    assert all(value.dtype in (torch.float32, torch.int64) for value in state.values())
    log = next((tmp_path / 'amp').glob('*/*.log')).read_text()
    assert 'CPUAmpOptimWrapper' in log


def test_console_is_a_short_summary_then_progress_and_the_log_has_the_rest(configs, tmp_path,
                                                                           capsys):
    work_dir = tmp_path / 'quiet'
    train_in_process(configs['exact'], work_dir, options=['max_epochs=2'])
    lines = capsys.readouterr().out.splitlines()
    first_epoch = next(i for i, line in enumerate(lines) if line.startswith('epoch 1/2:'))
    assert first_epoch <= 25, lines[:first_epoch]
    summary = '\n'.join(lines[:first_epoch])
    assert f'{NUM_TRAIN} train, {NUM_VAL} val samples; 24 classes' in summary
    assert 'total batch 8 (1 process × 8), lr 0.2' in summary
    assert 'cpu, 1 process' in summary
    epochs = [line for line in lines if line.startswith('epoch ')]
    assert len(epochs) == 2 and all('| val top1' in line for line in epochs)
    console = '\n'.join(lines)
    for noise in ('Hooks will be executed', 'System environment', 'Config:', 'Exp name',
                  'Epoch(train)', 'FileClient'):
        assert noise not in console
    log = next(work_dir.glob('*/*.log')).read_text()
    for detail in ('System environment', 'processes: 1', 'Config:', 'Hooks will be executed',
                   'Epoch(train)', 'total batch 8'):
        assert detail in log
    assert 'GPU number' not in log

    train_in_process(configs['exact'], tmp_path / 'verbose', '--verbose', '--test-last',
                     options=['max_epochs=1'])
    console = capsys.readouterr().out
    assert 'Hooks will be executed' in console and 'Epoch(train)' in console
    assert '\ntest top1 ' in console  # --test-last's metrics, on the console in any mode


def test_a_failed_start_leaves_the_last_good_run_untouched(configs, tmp_path):
    work_dir = tmp_path / 'kept'
    train_in_process(configs['exact'], work_dir, options=['max_epochs=1'])
    config = work_dir / 'tiny_exact.py'
    good = config.read_text()
    runs = sorted(p.name for p in work_dir.iterdir() if p.is_dir())
    (run,) = runs
    assert (work_dir / run / 'tiny_exact.py').read_text() == good  # each run keeps its config
    files = sorted(p.name for p in work_dir.iterdir())

    # Fails while loading its data, after the runner (and its log folder) was set up.
    missing = tmp_path / 'missing.pkl'
    with pytest.raises(InputError, match='missing.pkl'):
        train_tool.main(train_args(configs['exact'], work_dir,
                                   options=[f'ann_file={missing}', 'max_epochs=1']))
    assert config.read_text() == good
    assert sorted(p.name for p in work_dir.iterdir()) == files

    # A run that trains records its own config with its first checkpoint.
    train_in_process(configs['exact'], work_dir, options=['max_epochs=1', 'clip_len=4'])
    assert 'clip_len=4' in config.read_text() and config.read_text() != good
    assert len([p for p in work_dir.iterdir() if p.is_dir()]) == 2
