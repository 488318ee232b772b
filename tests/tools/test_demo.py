import pickle

import numpy as np
import pytest

from pyskl_lite.apis.inference import inference_recognizer, init_recognizer
from pyskl_lite.visualization.video_io import VideoReader
from tests.apis.tiny_model import write_checkpoint, write_tiny_config
from tests.tools.load_tool import load_tool
from tests.visualization.stick_video import mannequin_sample, write_mannequin_video

SHAPE = (240, 320)
demo = load_tool('tools/demo.py')


@pytest.fixture
def model_files(tmp_path):
    config = write_tiny_config(tmp_path)
    return config, write_checkpoint(config, tmp_path / 'tiny.pth', seed=1)


def test_demo_on_a_saved_skeleton_writes_every_frame_and_the_video_top5(model_files, tmp_path,
                                                                        capsys):
    config, checkpoint = model_files
    video = tmp_path / 'person.mp4'
    joints = write_mannequin_video(video, num_frames=20, shape=SHAPE)
    sample = mannequin_sample(joints, SHAPE, 'person')
    del sample['label']
    skeleton = tmp_path / 'person.pkl'
    with open(skeleton, 'wb') as file:
        pickle.dump(sample, file)
    out = tmp_path / 'demo.mp4'
    assert demo.main([str(video), '--config', str(config), '--checkpoint', str(checkpoint),
                      '--skeleton', str(skeleton), '--window', '8', '--stride', '4',
                      '--out', str(out)]) == 0
    printed = capsys.readouterr().out
    reader = VideoReader(out)
    assert reader.num_frames == 20 and reader.frame_shape == SHAPE
    assert '[recognise] 20 frames' in printed and '[render] 20 frames' in printed
    assert '4 windows of 8 frames, stride 4' in printed
    expected = inference_recognizer(init_recognizer(config, checkpoint), sample).pred_score
    best = int(np.argmax(expected.numpy()))
    assert f'  1. meta {("wave", "clap", "jump", "sit")[best]} ({best}): ' \
           f'{100 * expected[best].item():.1f}%' in printed


def test_demo_extracts_with_mediapipe(model_files, tmp_path, capsys):
    pytest.importorskip('mediapipe')
    config, checkpoint = model_files
    video = tmp_path / 'person.mp4'
    write_mannequin_video(video, num_frames=12, shape=(480, 640))
    saved = tmp_path / 'skeleton.pkl'
    demo.main([str(video), '--config', str(config), '--checkpoint', str(checkpoint),
               '--window', '8', '--stride', '4', '--out', str(tmp_path / 'demo.mp4'),
               '--save-skeleton', str(saved), '--max-side', '320'])
    printed = capsys.readouterr().out
    assert '[extract] 12 frames' in printed and 'video-level top-5' in printed
    reader = VideoReader(tmp_path / 'demo.mp4')
    assert reader.num_frames == 12 and reader.frame_shape == (240, 320)
    with open(saved, 'rb') as file:
        assert pickle.load(file)['keypoint'].shape == (1, 12, 17, 2)
