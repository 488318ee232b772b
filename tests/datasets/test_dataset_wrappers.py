"""RepeatDataset(min_samples): small sets get full epochs, large ones are left alone."""
import pytest

from pyskl_lite.datasets import RepeatDataset
from pyskl_lite.datasets.synthetic import (
    SYNTHETIC_CLASSES,
    dump_synthetic_dataset,
    make_synthetic_dataset,
)


@pytest.fixture(scope='module')
def ann_file(tmp_path_factory):
    data = make_synthetic_dataset(num_samples=len(SYNTHETIC_CLASSES), dim=3, num_subjects=3)
    return tuple(map(str, dump_synthetic_dataset(data, tmp_path_factory.mktemp('w') / 'd.pkl')))


@pytest.mark.parametrize('times,min_samples,expected', [
    (1, 0, 1), (3, 0, 3), (1, 100, None), (50, 100, 50)])
def test_repeats_until_an_epoch_holds_min_samples(ann_file, times, min_samples, expected):
    inner = dict(type='PoseDataset', ann_file=ann_file[0], label_map=ann_file[1], pipeline=[])
    dataset = RepeatDataset(inner, times=times, min_samples=min_samples)
    size = len(dataset.dataset)
    expected = expected or -(-min_samples // size)
    assert dataset.times == expected and len(dataset) == expected * size
    assert len(dataset) >= min_samples
    assert dataset[size]['frame_dir'] == dataset[0]['frame_dir']
    assert dataset.num_classes == len(SYNTHETIC_CLASSES)
    with pytest.raises(ValueError, match='min_samples'):
        RepeatDataset(inner, min_samples=-1)
