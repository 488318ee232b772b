import json
import pickle
from types import SimpleNamespace

import numpy as np
import pytest
from mmengine.config import Config

from pyskl_lite.apis.inference import init_recognizer
from pyskl_lite.datasets import PoseDataset
from pyskl_lite.utils import InputError
from pyskl_lite.visualization.video_io import VideoReader
from pyskl_lite.webapp.analysis import Limits, VideoAnalyser, probe_video, safe_name
from tests.apis.tiny_model import write_checkpoint, write_tiny_config
from tests.conftest import SHARED_DATA
from tests.visualization.stick_video import write_mannequin_video

SHAPE = (240, 320)


class KnownPose:
    """The mannequin's true joints as MediaPipe landmarks (COCO joint i → its MediaPipe
    landmark), frame by frame; nobody in the frames listed in ``empty``."""

    def __init__(self, joints, empty=()):
        from pyskl_lite.datasets.layouts import TO_COCO17

        self.joints, self.empty, self.calls = joints, set(empty), 0
        self.index = np.asarray(TO_COCO17['mediapipe'])

    def __call__(self, frame):
        frame_index, self.calls = self.calls, self.calls + 1
        if frame_index in self.empty:
            return None
        keypoint = np.zeros((1, 33, 2), np.float32)
        keypoint[0, self.index] = self.joints[frame_index]
        score = np.zeros((1, 33), np.float32)
        score[0, self.index] = 1
        return keypoint, score


@pytest.fixture(scope='module')
def model(tmp_path_factory):
    folder = tmp_path_factory.mktemp('model')
    config = write_tiny_config(folder)
    return init_recognizer(config, write_checkpoint(config, folder / 'tiny.pth', seed=1))


@pytest.mark.parametrize('name, expected', [
    ('clip.mp4', 'clip'), ('../../etc/passwd', 'passwd'), ('C:\\videos\\my clip.avi', 'my_clip'),
    ('..', 'upload'), ('', 'upload'), ('ünïcode; rm -rf.mov', 'n_code__rm_-rf'),
    ('x' * 300 + '.mp4', 'x' * 64),
])
def test_safe_name_keeps_no_path_and_no_odd_character(name, expected):
    assert safe_name(name) == expected


@pytest.mark.parametrize('limits, message', [
    (Limits(max_seconds=0.5), "c.mp4: field 'video': the video is 0.8 s long; the limit is 0.5 s"),
    (Limits(max_frames=10), "c.mp4: field 'video': the video has 20 frames; the limit is 10"),
    (Limits(max_side=300), "c.mp4: field 'video': the frames are 320x240; the limit is 300 "
                           'pixels a side: downscale the video'),
])
def test_probe_refuses_videos_over_a_limit(tmp_path, limits, message):
    path = tmp_path / 'input.mp4'
    write_mannequin_video(path, num_frames=20, shape=SHAPE)
    assert probe_video(path, 'c.mp4', Limits()).frames == 20
    with pytest.raises(InputError) as err:
        probe_video(path, 'c.mp4', limits)
    assert str(err.value).startswith(message)


def test_analyser_writes_video_pickle_and_windows_in_video_frames(model, tmp_path):
    video = tmp_path / 'input.mp4'
    joints = write_mannequin_video(video, num_frames=21, shape=SHAPE)
    strided = joints[::2]                                    # 11 skeleton frames
    analyser = VideoAnalyser(model, window=8, stride=2, frame_stride=2, max_side=160,
                             estimator_factory=lambda num_persons: KnownPose(strided, {3}))
    calls = []
    predictions = analyser(video, tmp_path, 'my clip.mp4', lambda *call: calls.append(call))

    stages = [stage for stage, _ in calls]
    assert stages == sorted(stages, key=['extract', 'recognise', 'render'].index)
    assert calls.count(('extract', 1.0)) == 1 and calls[-1] == ('render', 1.0)
    assert predictions['frames_with_person'] == 10 and predictions['persons'] == 1
    windows = predictions['windows']['items']
    # skeleton windows start at 0, 2 and the last at 11 - 8 = 3; video frames are twice that
    assert [(w['start'], w['end']) for w in windows] == [(0, 15), (4, 19), (6, 20)]
    assert windows[-1]['end_s'] == pytest.approx(21 / 25)
    assert json.loads((tmp_path / 'predictions.json').read_text()) == predictions

    with open(tmp_path / 'skeleton.pkl', 'rb') as file:
        saved = pickle.load(file)
    assert saved['split'] == {'upload': ['my_clip']}
    sample = PoseDataset(str(tmp_path / 'skeleton.pkl'), split='upload').get_data_info(0)
    assert sample['label'] == predictions['top5'][0]['index'] and sample['frame_stride'] == 2
    np.testing.assert_allclose(sample['keypoint'][0, 0], strided[0])
    assert not sample['keypoint_score'][0, 3].any()
    reader = VideoReader(tmp_path / 'annotated.webm')
    assert (reader.num_frames, reader.frame_shape) == (21, (120, 160))


def test_a_video_nobody_is_in_is_one_line_error(model, tmp_path):
    video = tmp_path / 'input.mp4'
    joints = write_mannequin_video(video, num_frames=6, shape=SHAPE)
    analyser = VideoAnalyser(model, estimator_factory=lambda num_persons: KnownPose(
        joints, range(6)))
    with pytest.raises(InputError, match=r"^room\.mp4: field 'video': no person found in any "
                                         r'of its 6 frames'):
        analyser(video, tmp_path, 'room.mp4', lambda *_: None)


def test_a_model_for_other_skeletons_is_refused():
    ntu_model = SimpleNamespace(cfg=Config(dict(joint_layout='nturgb+d')))
    with pytest.raises(InputError, match="^<config>: field 'joint_layout': the model expects "
                                         "'nturgb\\+d' skeletons"):
        VideoAnalyser(ntu_model)


@pytest.mark.parametrize('clip, frames, shape', [
    ('sports2d_demo.mp4', 230, (180, 320)), ('S001C001P001R001A001_rgb.avi', 103, (180, 320))])
def test_mediapipe_on_the_real_clips(model, tmp_path, clip, frames, shape):
    pytest.importorskip('mediapipe')
    path = SHARED_DATA / 'videos' / clip
    if not path.is_file():
        pytest.skip(f'{path} is absent (shared data)')
    info = probe_video(path, clip, Limits())
    analyser = VideoAnalyser(model, frame_stride=3, max_side=320)
    predictions = analyser(path, tmp_path, clip, lambda *_: None)
    sampled = -(-info.frames // 3)
    assert predictions['video']['frames'] == frames
    assert predictions['frames_with_person'] >= 0.8 * sampled   # a real person, mostly in view
    reader = VideoReader(tmp_path / 'annotated.webm')
    assert (reader.num_frames, reader.frame_shape) == (frames, shape)
