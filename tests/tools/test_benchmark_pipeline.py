import subprocess
import sys
from pathlib import Path

from pyskl_lite.datasets.synthetic import (
    SYNTHETIC_CLASSES,
    dump_synthetic_dataset,
    make_synthetic_dataset,
)

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / 'tools' / 'benchmark_pipeline.py'


def _run(*args):
    return subprocess.run([sys.executable, str(TOOL), *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_prints_rate_per_transform_and_for_the_pipeline(tmp_path):
    ann_file, label_map = dump_synthetic_dataset(
        make_synthetic_dataset(num_samples=3 * len(SYNTHETIC_CLASSES), num_subjects=3),
        tmp_path / 'synthetic_2d.pkl')
    done = _run(ROOT / 'configs/_base_/datasets/synthetic_heatmap.py', '--split', 'val',
                '--num-samples', 3, '--cfg-options', f'ann_file={ann_file}',
                f'label_map={label_map}')
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert '[val]: 3 samples' in lines[0] and 'inputs (1, 17, 48, 64, 64)' in lines[0]
    names = [line.split()[0] for line in lines[2:]]
    assert names == ['UniformSampleFrames', 'PoseDecode', 'PoseCompact', 'Resize',
                     'GeneratePoseTarget', 'FormatShape', 'PackSkeletonInputs', 'whole']
    rates = [float(line.split()[-3]) for line in lines[2:]]
    assert all(rate > 0 for rate in rates) and rates[-1] <= min(rates[:-1])


def test_bad_input_is_one_error_line(tmp_path):
    done = _run(tmp_path / 'missing.py')
    assert done.returncode == 2 and done.stderr.startswith('error: ')
    assert 'config file not found' in done.stderr and 'Traceback' not in done.stderr
