"""tools/dist_train.sh when a job goes wrong: a stopped rank ends the job within
dist_cfg.timeout naming it, killing the launcher ends the ranks, and an error is printed once
instead of once per rank followed by torchrun's ChildFailedError report."""
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.tools.tiny_setup import REPO, subprocess_env, write_configs


@pytest.fixture(scope='module')
def configs(tmp_path_factory):
    return write_configs(tmp_path_factory.mktemp('tiny'))


def dist_command(config, work_dir, *options):
    return ['bash', str(REPO / 'tools' / 'dist_train.sh'), str(config), '2', '--work-dir',
            str(work_dir), '--cfg-options', f'val_evaluator.1.out_file={work_dir}/v.pkl',
            *options]


def error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith('error: ')]


def test_an_error_of_every_rank_is_printed_once(configs, tmp_path):
    proc = subprocess.run(dist_command(configs['exact'], tmp_path / 'w',
                                       'train_dataloader.batch_size=0'),
                          env=subprocess_env(PYTHON=sys.executable), capture_output=True,
                          text=True, timeout=300)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output[-3000:]
    assert error_lines(output) == [
        f"error: {configs['exact']}: field 'train_dataloader.batch_size': "
        'train_dataloader.batch_size = 0 must be an integer > 0']
    assert 'Traceback' not in output and 'ChildFailedError' not in output


def test_a_stopped_rank_ends_the_job_within_the_timeout(configs, tmp_path):
    """Rank 1 SIGSTOPs itself in epoch 2; before, rank 0 waited for the collective timeout
    (30 minutes by default) and the job ended in tracebacks of every rank."""
    started = time.monotonic()
    proc = subprocess.run(
        dist_command(configs['exact'], tmp_path / 'w', 'env_cfg.dist_cfg.timeout=8',
                     'train_cfg.max_epochs=5'),
        env=subprocess_env(PYTHON=sys.executable, TINY_KILL_AT='1:1', TINY_KILL_RANK='1',
                           TINY_KILL_SIGNAL='SIGSTOP'),
        capture_output=True, text=True, timeout=300)
    elapsed = time.monotonic() - started
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output[-3000:]
    [line] = error_lines(output)
    assert line.startswith('error: distributed: rank 1: stopped responding'), line
    assert 'env_cfg.dist_cfg.timeout=8' in line
    assert 'Traceback' not in output and 'ChildFailedError' not in output
    assert elapsed < 120  # start-up of 3 processes on a loaded 2-core machine, then <= 8 s


def _children(pid: int) -> list[int]:
    children = []
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                with open(f'/proc/{entry}/stat') as file:
                    fields = file.read().rsplit(')', 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                children.append(int(entry))
    return children


def _alive(pid: int) -> bool:
    try:
        with open(f'/proc/{pid}/stat') as file:
            return file.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except OSError:
        return False


def test_killing_the_launcher_ends_the_ranks(configs, tmp_path):
    """Before, the ranks went on training unsupervised after torchrun was SIGKILLed."""
    work_dir = tmp_path / 'w'
    launcher = subprocess.Popen(
        dist_command(configs['exact'], work_dir, 'train_cfg.max_epochs=1000'),
        env=subprocess_env(PYTHON=sys.executable), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    ranks: list[int] = []
    try:
        deadline = time.monotonic() + 240
        while not all((work_dir / f'samples_rank{r}.jsonl').is_file() for r in (0, 1)):
            assert launcher.poll() is None and time.monotonic() < deadline
            time.sleep(0.5)
        ranks = _children(launcher.pid)
        assert len(ranks) == 2
        launcher.send_signal(signal.SIGKILL)
        launcher.wait()
        deadline = time.monotonic() + 20
        while any(_alive(pid) for pid in ranks) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_alive(pid) for pid in ranks)
    finally:
        for pid in [launcher.pid, *ranks]:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
