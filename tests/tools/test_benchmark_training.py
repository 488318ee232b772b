"""tools/benchmark_training.py times the training step and the pipeline of a shipped config."""
import re

import pytest

from pyskl_lite.apis import cpu_bf16_supported
from pyskl_lite.datasets.synthetic import (
    SYNTHETIC_CLASSES,
    dump_synthetic_dataset,
    make_synthetic_dataset,
)
from pyskl_lite.utils import InputError
from tests.tools.load_tool import ROOT, load_tool

tool = load_tool('tools/benchmark_training.py')


def test_prints_rates_for_a_shipped_config(tmp_path, capsys):
    ann_file, label_map = dump_synthetic_dataset(
        make_synthetic_dataset(num_samples=len(SYNTHETIC_CLASSES), num_subjects=3),
        tmp_path / 'syn2d.pkl')
    assert tool.main([str(ROOT / 'configs/lstm_keypoint.py'), '--iters', '2', '--warmup', '1',
                      '--batch-size', '4', '--cfg-options', f'ann_file={ann_file}',
                      f'label_map={label_map}']) == 0
    out = capsys.readouterr().out
    assert 'batch 4, inputs per sample (1, 2, 48, 17, 3)' in out
    rates = [float(x) for x in re.findall(r'([\d.]+) samples/s', out)]
    assert len(rates) == 3 and all(rate > 0 for rate in rates)


@pytest.mark.skipif(not cpu_bf16_supported(), reason='no native bfloat16 CPU')
def test_amp_times_the_bfloat16_step(tmp_path, capsys):
    ann_file, label_map = dump_synthetic_dataset(
        make_synthetic_dataset(num_samples=len(SYNTHETIC_CLASSES), num_subjects=3),
        tmp_path / 'syn2d.pkl')
    assert tool.main([str(ROOT / 'configs/c3d_keypoint.py'), '--iters', '1', '--warmup', '1',
                      '--batch-size', '2', '--amp', '--cfg-options', f'ann_file={ann_file}',
                      f'label_map={label_map}']) == 0
    assert 'threads, bfloat16' in capsys.readouterr().out


def test_bad_arguments_are_refused():
    with pytest.raises(InputError, match='--iters'):
        tool.main([str(ROOT / 'configs/lstm_keypoint.py'), '--iters', '0'])
