"""build_runner's config check."""
from pathlib import Path

import pytest

import pyskl_lite
from pyskl_lite.apis import build_runner, load_config
from pyskl_lite.utils import InputError
from tests.tools.tiny_setup import write_configs

pyskl_lite.register_all_modules()


def test_num_classes_must_match_the_label_map(tmp_path):
    config = write_configs(tmp_path)['exact']
    cfg = load_config(config, {'model.cls_head.num_classes': 5})
    with pytest.raises(InputError, match=r"predicts 5 classes but the label map of "
                                         r"train_dataloader .* lists \d+; set --cfg-options"):
        build_runner(cfg)


def test_runners_started_in_the_same_second_log_into_their_own_work_dirs(tmp_path, monkeypatch):
    """mmengine names a run's logger and visualizer ``<config>_<timestamp>`` and reuses an
    existing instance of that name: a second run of one config within the same second (a
    notebook, a test, the sanity check) logged into the first run's work dir."""
    import mmengine.runner.runner as mmengine_runner

    config = write_configs(tmp_path)['adam']
    monkeypatch.setattr(mmengine_runner.time, 'time', lambda: 1_790_000_000.0)
    runners = []
    for name in ('first', 'second'):
        cfg = load_config(config, {'work_dir': str(tmp_path / name),
                                   'train_cfg.max_epochs': 1, 'val_cfg': None,
                                   'val_dataloader': None, 'val_evaluator': None})
        runners.append(build_runner(cfg))
        runners[-1].train()
    assert runners[0].timestamp == runners[1].timestamp
    for name, runner in zip(('first', 'second'), runners, strict=True):
        log_dir = tmp_path / name / runner.timestamp
        assert (log_dir / 'vis_data' / f'{runner.timestamp}.json').stat().st_size > 0
        assert 'Epoch(train)' in (log_dir / f'{runner.timestamp}.log').read_text()


def test_best_checkpoint_on_the_test_split_is_pointed_out():
    from pyskl_lite.apis.runner import best_on_test_note

    root = Path(__file__).resolve().parents[2]
    cfg = load_config(root / 'configs' / 'c3d_keypoint.py')
    assert 'chosen on the test data' in best_on_test_note(cfg)      # xsub_val for both
    assert best_on_test_note(load_config(root / 'configs' / 'c3d_keypoint.py',
                                         dict(val_split='xsub_train'))) is None


def test_a_failed_start_in_the_same_second_keeps_the_earlier_runs_folder(tmp_path, monkeypatch):
    """Both runs get one timestamp folder name; discarding the failed one must not delete the
    finished run's log."""
    import mmengine.runner.runner as mmengine_runner

    config = write_configs(tmp_path)['adam']
    monkeypatch.setattr(mmengine_runner.time, 'time', lambda: 1_790_000_000.0)
    options = {'work_dir': str(tmp_path / 'shared'), 'train_cfg.max_epochs': 1,
               'val_cfg': None, 'val_dataloader': None, 'val_evaluator': None}
    first = build_runner(load_config(config, options))
    first.train()
    log = tmp_path / 'shared' / first.timestamp / f'{first.timestamp}.log'
    assert 'Epoch(train)' in log.read_text()
    broken = build_runner(load_config(config, dict(options, ann_file=str(tmp_path / 'no.pkl'))))
    with pytest.raises(InputError, match='no.pkl'):
        broken.train()
    assert broken.timestamp == first.timestamp and log.is_file()


def test_every_run_starts_the_validation_workers_early(tmp_path):
    from pyskl_lite.apis.hooks import EarlyValWorkersHook
    cfg = load_config(write_configs(tmp_path)['exact'], {'work_dir': str(tmp_path / 'run')})
    runner = build_runner(cfg)
    assert sum(isinstance(hook, EarlyValWorkersHook) for hook in runner.hooks) == 1
