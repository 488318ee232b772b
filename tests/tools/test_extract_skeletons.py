import functools
import pickle

import numpy as np
import pytest

from pyskl_lite.apis import extraction
from pyskl_lite.apis.extraction import extract_many
from pyskl_lite.datasets import PoseDataset
from pyskl_lite.datasets.annotations import read_annotation_file
from tests.tools.load_tool import load_tool
from tests.visualization.stick_video import write_mannequin_video

SHAPE = (96, 128)
extract = load_tool('tools/data/extract_skeletons.py')
visualize = load_tool('tools/visualize.py')


class CountingPose:
    """Every landmark at the frame centre, score 1; counts the frames it saw."""

    frames = 0

    def __init__(self, **estimator_kwargs):
        assert set(estimator_kwargs) == {'num_persons', 'min_detection_confidence',
                                         'min_tracking_confidence', 'static_image_mode'}

    def __call__(self, frame):
        CountingPose.frames += 1
        centre = np.array([frame.shape[1] / 2, frame.shape[0] / 2], np.float32)
        return np.tile(centre, (33, 1)), np.ones(33, np.float32)

    def close(self):
        pass


@pytest.fixture
def fake_mediapipe(monkeypatch):
    # The tool imports these from pyskl_lite.apis.extraction when it runs (after parsing).
    monkeypatch.setattr(extraction, 'mediapipe_available', lambda: True)
    monkeypatch.setattr(extraction, 'extract_many',
                        functools.partial(extract_many, estimator_factory=CountingPose))
    CountingPose.frames = 0


def _video_tree(root, names):
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        write_mannequin_video(root / name, num_frames=6, shape=SHAPE)


def test_class_folders_to_pickle_with_split_log_failures_and_resume(tmp_path, fake_mediapipe,
                                                                      capsys):
    videos = tmp_path / 'videos'
    _video_tree(videos, ['clap/c1.mp4', 'clap/c2.mp4', 'wave/w1.mp4', 'wave/w2.mp4'])
    (videos / 'wave' / 'broken.mp4').write_bytes(b'not a video')
    out = tmp_path / 'out' / 'mine.pkl'
    assert extract.main(['--video-dir', str(videos), '--out', str(out),
                         '--split-ratio', '0.5', '--frame-stride', '2']) == 0
    printed = capsys.readouterr().out
    assert 'extracted 4, skipped 0 (too few detections), failed 1' in printed
    annotations, split = read_annotation_file(out)
    assert sorted(a['frame_dir'] for a in annotations) == ['c1', 'c2', 'w1', 'w2']
    assert {len(v) for v in split.values()} == {2} and \
        {i[0] for i in split['train']} == {'c', 'w'}          # one per class each side
    first = annotations[0]
    assert first['keypoint'].shape == (1, 3, 17, 2) and first['total_frames'] == 3
    assert first['img_shape'] == SHAPE and first['keypoint'].dtype == np.float32
    assert (out.parent / 'mine_label_map.txt').read_text() == 'clap\nwave\n'
    log = (out.parent / 'mine_extract_log.tsv').read_text().splitlines()
    assert log[0].startswith('status\tframe_dir') and len(log) == 6
    assert any(line.startswith('failed\tbroken') and 'cannot read video' in line
               for line in log)
    dataset = PoseDataset(str(out), split='val', label_map=str(out.parent /
                                                              'mine_label_map.txt'))
    assert len(dataset) == 2

    _video_tree(videos, ['wave/w3.mp4'])
    CountingPose.frames = 0
    extract.main(['--video-dir', str(videos), '--out', str(out), '--split-ratio', '0.5',
                  '--frame-stride', '2'])
    assert '6 videos, 4 already in' in capsys.readouterr().out
    assert CountingPose.frames == 3                     # only the new video was processed
    assert len(read_annotation_file(out)[0]) == 5


def test_too_few_detections_and_missing_mediapipe(tmp_path, fake_mediapipe, monkeypatch,
                                                  capsys):
    listing = tmp_path / 'list.txt'
    _video_tree(tmp_path, ['a.mp4'])
    listing.write_text('a.mp4 0\n')
    assert extract.main(['--video-list', str(listing), '--out', str(tmp_path / 'x.pkl'),
                         '--min-frames', '7']) == 1
    assert 'person in 6 frames < --min-frames 7' in capsys.readouterr().out
    monkeypatch.setattr(extraction, 'mediapipe_available', lambda: False)
    assert extract.main(['--video-list', str(listing), '--out', str(tmp_path / 'y.pkl')]) == 2
    assert "pip install 'pyskl_lite[pose]'" in capsys.readouterr().err


def test_extract_then_visualize_with_mediapipe(tmp_path):
    pytest.importorskip('mediapipe')
    shape = (480, 640)
    (tmp_path / 'videos' / 'wave').mkdir(parents=True)
    write_mannequin_video(tmp_path / 'videos' / 'wave' / 'person.mp4', 10, shape)
    out = tmp_path / 'real.pkl'
    assert extract.main(['--video-dir', str(tmp_path / 'videos'), '--out', str(out)]) == 0
    with open(out, 'rb') as file:
        sample = pickle.load(file)['annotations'][0]
    assert (sample['keypoint_score'][0].max(axis=1) > 0.5).sum() >= 9
    overlay = tmp_path / 'overlay.mp4'
    visualize.main([str(out), '--video-dir', str(tmp_path / 'videos'), '--out', str(overlay)])
    from pyskl_lite.visualization.video_io import VideoReader

    assert VideoReader(overlay).num_frames == 10
