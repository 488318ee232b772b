"""Training curves from mmengine json logs, including a resumed run."""
import json

import pandas as pd
import pytest

from pyskl_lite.visualization.curves import (
    curves_figure,
    find_json_logs,
    load_history,
    plot_curves,
    plot_work_dir_curves,
)


def write_log(work_dir, timestamp, rows):
    folder = work_dir / timestamp / 'vis_data'
    folder.mkdir(parents=True)
    (folder / f'{timestamp}.json').write_text(''.join(json.dumps(r) + '\n' for r in rows))
    (folder / 'scalars.json').write_text('not a log\n')  # mmengine's copy; ignored


def train_row(epoch, iteration, loss):
    return dict(lr=0.1, loss=loss, top1_acc=0.5, epoch=epoch, iter=iteration, step=iteration)


@pytest.fixture
def resumed_work_dir(tmp_path):
    """4 iterations per epoch, logged every 2; killed in epoch 3, resumed from epoch 2."""
    write_log(tmp_path, '20240101_000000', [
        train_row(1, 2, 3.0), train_row(1, 4, 2.8), {'acc/top1': 0.2, 'step': 1},
        train_row(2, 6, 2.5), train_row(2, 8, 2.4), {'acc/top1': 0.3, 'step': 2},
        train_row(3, 10, 9.9)])
    write_log(tmp_path, '20240101_010000', [
        train_row(3, 10, 2.2), train_row(3, 12, 2.0), {'acc/top1': 0.5, 'step': 3}])
    return tmp_path


def test_history_joins_runs_and_prefers_the_later(resumed_work_dir):
    logs = find_json_logs(resumed_work_dir)
    assert [p.stem for p in logs] == ['20240101_000000', '20240101_010000']
    train, val = load_history(logs)
    assert train['iter'].tolist() == [2, 4, 6, 8, 10, 12]
    assert train['loss'].tolist() == [3.0, 2.8, 2.5, 2.4, 2.2, 2.0]  # 9.9 replaced
    assert train['epoch_float'].tolist() == [0.5, 1.0, 1.5, 2.0, 2.5, 3.0]
    assert val['epoch'].tolist() == [1, 2, 3] and val['acc/top1'].tolist() == [0.2, 0.3, 0.5]


def test_plots(resumed_work_dir, tmp_path):
    path = plot_work_dir_curves(resumed_work_dir)
    assert path == resumed_work_dir / 'curves.png' and path.stat().st_size > 5000
    train, val = load_history(find_json_logs(resumed_work_dir))
    assert plot_curves(train, val.iloc[:0], tmp_path / 'train_only.png').is_file()
    with pytest.raises(ValueError, match='no training or validation records'):
        plot_curves(train.iloc[:0], val.iloc[:0], tmp_path / 'empty.png')
    with pytest.raises(FileNotFoundError, match='no json log'):
        plot_work_dir_curves(tmp_path / 'empty_dir')


def test_equal_validation_curves_stay_distinguishable():
    val = pd.DataFrame({'epoch': [1, 2, 3], 'acc/top1': [0.5, 0.7, 0.9],
                        'acc/mean_class': [0.5, 0.7, 0.9]})  # equal on balanced data
    lines = [line for line in curves_figure(pd.DataFrame(), val).axes[1].get_lines()
             if line.get_label().startswith('val ')]
    assert [line.get_label() for line in lines] == ['val top1', 'val mean_class']
    top1, mean_class = lines
    assert top1.get_marker() != mean_class.get_marker()
    assert top1.get_markersize() > mean_class.get_markersize()  # the later one drawn inside
    assert top1.get_markerfacecolor() == mean_class.get_markerfacecolor() == 'none'
