import numpy as np
import pytest
import torch

from pyskl_lite.apis.inference import (
    inference_recognizer,
    init_recognizer,
    per_frame_scores,
    sliding_window_scores,
    window_starts,
)
from pyskl_lite.utils import InputError
from tests.apis.tiny_model import CLASSES, write_checkpoint, write_tiny_config
from tests.visualization.stick_video import mannequin_joints, mannequin_sample


@pytest.fixture
def tiny(tmp_path):
    config = write_tiny_config(tmp_path)
    return config, write_checkpoint(config, tmp_path / 'tiny.pth', seed=3)


def test_init_recognizer_loads_weights_and_class_names(tiny, tmp_path):
    config, checkpoint = tiny
    model = init_recognizer(config, checkpoint)
    saved = torch.load(checkpoint, weights_only=True)['state_dict']
    for name, value in model.state_dict().items():
        torch.testing.assert_close(value, saved[name])
    assert not model.training
    assert model.dataset_meta['classes'] == tuple(f'meta {n}' for n in CLASSES)
    plain = write_checkpoint(config, tmp_path / 'plain.pth', with_meta=False)
    assert init_recognizer(config, plain).dataset_meta['classes'] == CLASSES  # config label map
    with pytest.raises(InputError, match='checkpoint not found'):
        init_recognizer(config, tmp_path / 'missing.pth')
    wrapped = {f'module.{k}': v for k, v in saved.items()}   # a DDP-wrapped model's keys
    torch.save({'state_dict': wrapped}, tmp_path / 'wrapped.pth')
    init_recognizer(config, tmp_path / 'wrapped.pth')
    saved['cls_head.fc.weight'] = torch.zeros(7, 16)
    torch.save({'state_dict': saved}, tmp_path / 'other.pth')
    with pytest.raises(InputError, match=r"does not fit the config's model: weights 1 of "
                                         r"another shape \(e.g. cls_head.fc.weight\)"):
        init_recognizer(config, tmp_path / 'other.pth')


def test_inference_matches_the_model_on_the_test_pipeline(tiny):
    config, checkpoint = tiny
    model = init_recognizer(config, checkpoint)
    sample = mannequin_sample(mannequin_joints(20))
    result = inference_recognizer(model, sample)
    assert result.pred_score.shape == (len(CLASSES),)
    assert result.pred_score.sum().item() == pytest.approx(1.0, abs=1e-5)
    assert result.gt_label.item() == 1 and result.pred_label.item() == \
        result.pred_score.argmax().item()
    # deterministic test pipeline: the same sample gives the same scores, batched or not
    other = dict(sample, keypoint=sample['keypoint'][:, ::-1].copy())
    batch = inference_recognizer(model, [sample, other], batch_size=2)
    torch.testing.assert_close(batch[0].pred_score, result.pred_score)
    assert not torch.allclose(batch[1].pred_score, result.pred_score)
    unlabelled = {k: v for k, v in sample.items() if k != 'label'}
    assert 'gt_label' not in inference_recognizer(model, unlabelled)


def test_sliding_windows_cover_every_frame_and_average_per_frame(tiny):
    assert window_starts(30, 8, 8).tolist() == [0, 8, 16, 22]
    assert window_starts(5, 8, 4).tolist() == [0]
    starts = np.array([0, 2])
    scores = np.array([[1.0, 0.0], [0.0, 1.0]], np.float32)
    np.testing.assert_allclose(per_frame_scores(starts, scores, 3, 5),
                               [[1, 0], [1, 0], [.5, .5], [0, 1], [0, 1]])

    model = init_recognizer(*tiny)
    sample = mannequin_sample(mannequin_joints(20))
    starts, window_scores = sliding_window_scores(model, sample, window=8, stride=6)
    assert starts.tolist() == [0, 6, 12]
    assert window_scores.shape == (3, len(CLASSES))
    first = dict(sample, keypoint=sample['keypoint'][:, :8],
                 keypoint_score=sample['keypoint_score'][:, :8], total_frames=8)
    np.testing.assert_allclose(window_scores[0],
                               inference_recognizer(model, first).pred_score.numpy(),
                               rtol=1e-5, atol=1e-6)
