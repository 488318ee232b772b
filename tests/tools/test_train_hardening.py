"""tools/train.py when training goes wrong: a diverged loss stops the run with one line
instead of being validated as a perfect model."""
import pytest

from pyskl_lite.utils import TrainingDivergedError
from tests.tools.load_tool import load_tool
from tests.tools.tiny_setup import write_configs

train_tool = load_tool('tools/train.py')


@pytest.fixture(scope='module')
def configs(tmp_path_factory):
    return write_configs(tmp_path_factory.mktemp('tiny'))


def test_nonfinite_loss_stops_training_naming_the_iteration(configs, tmp_path):
    """Before: the run went on with NaN weights, validation printed acc/top1 1.0000, the best
    checkpoint was saved and the tool exited 0."""
    work_dir = tmp_path / 'diverged'
    args = [str(configs['exact']), '--work-dir', str(work_dir), '--cfg-options',
            f'val_evaluator.1.out_file={work_dir}/val.pkl', 'optim_wrapper.optimizer.lr=1e38']
    with pytest.raises(TrainingDivergedError) as info:
        train_tool.main(args)
    message = str(info.value)
    assert message.startswith('training diverged: iteration ') and '\n' not in message
    assert 'the loss is nan' in message or 'the loss is inf' in message
    assert 'S0' in message  # the batch's frame_dirs
    assert not list(work_dir.glob('*.pth'))
