"""Shared fixtures: tiny PYSKL-format annotation pickles written to tmp_path."""
import pickle
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / 'shared' / 'data'


def make_annotations(num_samples: int = 12, num_classes: int = 3, dim: int = 2,
                     num_joints: int = 17, dtype: str = 'float32', seed: int = 0) -> list[dict]:
    """Random but well-formed samples: M in {1, 2}, T in [8, 30]; 2D with scores, 3D without."""
    rng = np.random.default_rng(seed)
    annotations = []
    for index in range(num_samples):
        persons, frames = 1 + index % 2, int(rng.integers(8, 31))
        sample = dict(frame_dir=f'S001C001P{index:03d}R001A{index % num_classes + 1:03d}',
                      label=index % num_classes, total_frames=frames,
                      keypoint=(rng.random((persons, frames, num_joints, dim)) *
                                (1000 if dim == 2 else 1)).astype(dtype))
        if dim == 2:
            sample.update(keypoint_score=rng.random((persons, frames, num_joints)).astype(dtype),
                          img_shape=(1080, 1920), original_shape=(1080, 1920))
        annotations.append(sample)
    return annotations


def write_pickle(path: Path, annotations: list[dict], split: dict | None = None) -> Path:
    if split is None:
        ids = [a['frame_dir'] for a in annotations]
        half = len(ids) // 2
        split = {'train': ids[:half], 'val': ids[half:]}
    with open(path, 'wb') as file:
        pickle.dump({'split': split, 'annotations': annotations}, file)
    return path


@pytest.fixture
def ann_pickle(tmp_path: Path) -> Callable[..., Path]:
    """``ann_pickle(name='x.pkl', split=None, **make_annotations kwargs)`` -> path."""

    def factory(name: str = 'ann.pkl', split: dict | None = None, annotations=None,
                **kwargs) -> Path:
        anns = annotations if annotations is not None else make_annotations(**kwargs)
        return write_pickle(tmp_path / name, anns, split)

    return factory


def pytest_configure(config: pytest.Config) -> None:
    # torch 2.13 scripts its own functional optimizers when torch.distributed.optim is imported
    # (by mmengine); nothing in this project calls torch.jit, and no user can act on these.
    for message in ('`torch.jit.script` is deprecated', '`torch.jit.interface` is deprecated'):
        config.addinivalue_line('filterwarnings',
                                f'ignore:{message}:DeprecationWarning:torch.jit._script')
    # A background thread that dies (TensorBoard's writer in a removed run folder) is a bug.
    config.addinivalue_line('filterwarnings', 'error::pytest.PytestUnhandledThreadExceptionWarning')
