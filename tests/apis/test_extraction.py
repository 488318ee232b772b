import numpy as np
import pytest

from pyskl_lite.apis.dataset_builder import LabelledInput
from pyskl_lite.apis.extraction import extract_many, extract_skeleton
from pyskl_lite.datasets.layouts import TO_COCO17
from tests.visualization.stick_video import write_mannequin_video

SHAPE = (120, 160)


class FakePose:
    """Landmark ``i`` of frame ``n`` at ``(i, n)`` with score ``i / 33``; no person on every
    third call."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, frame):
        assert frame.shape == (*SHAPE, 3) and frame.dtype == np.uint8
        self.calls += 1
        if self.calls % 3 == 0:
            return None
        index = np.arange(33, dtype=np.float32)
        keypoint = np.stack([index, np.full(33, self.calls, np.float32)], axis=1)
        return keypoint, index / 33

    def close(self) -> None:
        pass


@pytest.fixture
def video(tmp_path):
    path = tmp_path / 'person.mp4'
    write_mannequin_video(path, num_frames=10, shape=SHAPE)
    return path


def test_extract_skeleton_maps_to_coco17_and_marks_missing_frames(video):
    record = extract_skeleton(video, FakePose(), label=2)
    sample = record.annotation
    assert (record.status, record.video_frames, record.sampled, record.detected) == \
        ('ok', 10, 10, 7)
    assert sample['keypoint'].shape == (1, 10, 17, 2) and sample['keypoint'].dtype == np.float32
    assert sample['keypoint_score'].shape == (1, 10, 17)
    assert sample['img_shape'] == SHAPE and sample['total_frames'] == 10
    assert (sample['frame_dir'], sample['label']) == ('person', 2)
    np.testing.assert_array_equal(sample['keypoint'][0, 0, :, 0], TO_COCO17['mediapipe'])
    assert not sample['keypoint'][0, 2].any() and not sample['keypoint_score'][0, 2].any()


def test_frame_stride_keeps_every_kth_frame_and_33_landmarks_on_request(video):
    record = extract_skeleton(video, FakePose(), frame_stride=4, joint_layout='mediapipe')
    sample = record.annotation
    assert record.sampled == 3 and sample['total_frames'] == 3   # frames 0, 4, 8
    assert sample['frame_stride'] == 4 and sample['keypoint'].shape == (1, 3, 33, 2)


def test_too_few_detections_skip_the_video(video):
    record = extract_skeleton(video, FakePose(), min_frames=8)
    assert record.status == 'skipped' and record.annotation is None
    assert 'person in 7 frames < --min-frames 8' in record.line()


def test_extract_many_reports_bad_videos_and_continues(video, tmp_path):
    broken = tmp_path / 'broken.mp4'
    broken.write_bytes(b'nope')
    items = [LabelledInput(str(broken), 0, 'broken'), LabelledInput(str(video), 1, 'person')]
    records = list(extract_many(items, estimator_factory=FakePose))
    assert [r.status for r in records] == ['failed', 'ok']
    assert 'cannot read video' in records[0].message and records[1].annotation['label'] == 1


class TwoTrackers:
    """Tracker 0 always finds a person, tracker 1 from the 4th frame on, tracker 2 never."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, frame):
        self.calls += 1
        keypoint = np.ones((3, 33, 2), np.float32) * [[[1]], [[2]], [[3]]]
        score = np.zeros((3, 33), np.float32)
        score[0] = 1
        score[1] = self.calls > 3
        return keypoint, score


def test_several_persons_stack_by_tracker_and_empty_trackers_are_dropped(video):
    record = extract_skeleton(video, TwoTrackers())
    keypoint, score = record.annotation['keypoint'], record.annotation['keypoint_score']
    assert keypoint.shape == (2, 10, 17, 2) and score.shape == (2, 10, 17)
    assert (keypoint[1, 0] == 2).all() and not score[1, :3].any() and score[1, 3:].all()
    assert record.message == 'frames per person: 10, 7'


def test_mediapipe_tracks_two_people_with_masking(tmp_path):
    pytest.importorskip('mediapipe')
    from pyskl_lite.apis.extraction import MediaPipePose

    path = tmp_path / 'two.mp4'
    joints = write_mannequin_video(path, num_frames=8, shape=(480, 960), centres=(0.3, 0.7))
    estimator = MediaPipePose(num_persons=2)
    try:
        record = extract_skeleton(path, estimator)
    finally:
        estimator.close()
    keypoint, score = record.annotation['keypoint'], record.annotation['keypoint_score']
    assert keypoint.shape[0] == 2 and (score.max(axis=2) > 0).sum() >= 14
    # each tracker stays on one mannequin: its shoulders lie near that mannequin's
    shoulders = keypoint[:, :, 5:7].mean(axis=2)                     # (2, T, 2)
    truth = joints[:, :, 5:7].mean(axis=2)
    distance = np.linalg.norm(shoulders[:, None] - truth[None], axis=-1)  # (2, 2, T)
    nearest = distance.argmin(axis=1)                                 # (2, T)
    assert set(nearest[0]) | set(nearest[1]) == {0, 1}
    assert len(set(nearest[0])) == 1 and len(set(nearest[1])) == 1
    assert distance.min(axis=1).max() < 30


def test_mediapipe_finds_the_drawn_person(tmp_path):
    pytest.importorskip('mediapipe')
    from pyskl_lite.apis.extraction import MediaPipePose

    path = tmp_path / 'mannequin.mp4'
    joints = write_mannequin_video(path, num_frames=12, shape=(480, 640))
    estimator = MediaPipePose()
    try:
        record = extract_skeleton(path, estimator)
    finally:
        estimator.close()
    assert record.detected >= 11
    found = record.annotation['keypoint'][0]
    seen = record.annotation['keypoint_score'][0] > 0
    error = np.linalg.norm(found - joints, axis=-1)
    error[~seen] = np.nan
    # MediaPipe reads the mannequin's upper body well (its legs, drawn without knees, less so)
    assert np.nanmedian(error[:, [5, 6]]) < 10                          # shoulders
    assert np.nanmedian(error[:, [0, 5, 6, 7, 8, 11, 12]]) < 30         # + nose, elbows, hips
    # left and right are the person's: the left shoulder appears on the image's right
    assert (found[seen[:, 5] & seen[:, 6], 5, 0] > found[seen[:, 5] & seen[:, 6], 6, 0]).all()
