"""The console of a run: the start line about total batch and lr, and what stays in the log."""
import logging

from pyskl_lite.apis.console import FILE_ONLY, batch_lr_summary, install_console_filter


def test_one_process_at_the_configs_batch():
    assert batch_lr_summary(32, 1, 0.1, 32, auto_scale_lr=False) == (
        'total batch 32 (1 process × 32), lr 0.1, the lr the config has for a total batch of 32')


def test_n_processes_multiply_the_batch_and_say_what_to_do():
    line = batch_lr_summary(32, 4, 0.1, 32, auto_scale_lr=False)
    assert line.startswith('total batch 128 (4 processes × 32), lr 0.1; ')
    assert '--auto-scale-lr would use lr 0.4' in line
    assert 'keep lr 0.1 with --cfg-options train_dataloader.batch_size=8' in line
    assert batch_lr_summary(16, 2, 0.1, 32, auto_scale_lr=False).endswith(
        'the lr the config has for a total batch of 32')


def test_auto_scaled_lr_and_a_config_without_a_base_batch():
    assert batch_lr_summary(32, 4, 0.4, 32, auto_scale_lr=True) == (
        "total batch 128 (4 processes × 32), lr 0.4 (--auto-scale-lr: the config's 0.1 × 128 "
        '/ 32)')
    assert 'no auto_scale_lr.base_batch_size' in batch_lr_summary(8, 3, 0.01, None, False)


def test_console_filter_keeps_details_in_the_file(tmp_path):
    logger = logging.getLogger('pyskl_lite_test_console')
    logger.setLevel(logging.INFO)
    console_stream = open(tmp_path / 'console.txt', 'w')
    console = logging.StreamHandler(console_stream)
    file = logging.FileHandler(tmp_path / 'run.log')
    logger.handlers = [console, file]
    install_console_filter(logger)
    logger.info('Hooks will be executed in the following order:\n...')
    logger.info('environment dump', extra=FILE_ONLY)
    logger.info('Epoch(train) [1][20/54]  lr: 1.0e-01')
    logger.warning('a warning the user can act on')
    install_console_filter(logger, verbose=True)
    logger.info('Epoch(train) [1][40/54]  lr: 1.0e-01')
    for handler in logger.handlers:
        handler.close()
    assert (tmp_path / 'console.txt').read_text().splitlines() == [
        'a warning the user can act on', 'Epoch(train) [1][40/54]  lr: 1.0e-01']
    assert len((tmp_path / 'run.log').read_text().splitlines()) == 6
