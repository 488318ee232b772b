"""``pip install -e '.[test,pose]'`` gives a working TensorBoard *and* offline MediaPipe pose:
mediapipe 0.10.14 pins protobuf < 5, which the newest tensorboard refuses (setup.py)."""
import subprocess
import sys

import pytest


def test_tensorboard_command_line_reads_a_run_beside_mediapipe(tmp_path):
    pytest.importorskip('mediapipe')
    from mediapipe.python.solutions import pose
    from torch.utils.tensorboard import SummaryWriter

    with SummaryWriter(str(tmp_path)) as writer:
        for step in range(3):
            writer.add_scalar('train/loss', 1.0 / (step + 1), step)
    pose.Pose(model_complexity=1).close()   # the model ships in the wheel: nothing downloaded
    result = subprocess.run([sys.executable, '-m', 'tensorboard.main', '--inspect', '--logdir',
                             str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert 'train/loss' in result.stdout and 'num_steps            3' in result.stdout
