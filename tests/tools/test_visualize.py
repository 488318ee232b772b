import pickle

import cv2
import numpy as np
import pytest

from pyskl_lite.utils import InputError
from pyskl_lite.visualization.video_io import VideoReader
from tests.apis.tiny_model import write_checkpoint, write_tiny_config
from tests.tools.load_tool import ROOT, load_tool, run_tool
from tests.visualization.stick_video import (
    mannequin_joints,
    mannequin_sample,
    write_mannequin_video,
)

SHAPE = (240, 320)
visualize = load_tool('tools/visualize.py')


def _pickle(path, samples, split=None):
    with open(path, 'wb') as file:
        pickle.dump({'split': split or {'val': [s['frame_dir'] for s in samples]},
                     'annotations': samples}, file)
    return path


def _frames(path):
    reader = VideoReader(path)
    return reader, list(reader.frames())


@pytest.fixture
def two_samples(tmp_path):
    first = mannequin_sample(mannequin_joints(10, SHAPE), SHAPE, 'first', label=0)
    second = mannequin_sample(mannequin_joints(14, SHAPE), SHAPE, 'second', label=2)
    return _pickle(tmp_path / 'ann.pkl', [first, second])


def test_black_canvas_with_results_file_predictions_and_gif(two_samples, tmp_path, capsys):
    from pyskl_lite.evaluation.results_io import dump_results

    results = tmp_path / 'results.pkl'
    scores = np.array([0.02, 0.2, 0.5, 0.1, 0.1, 0.08], np.float32)
    dump_results(results, [dict(frame_dir='first', label=0, pred_score=scores),
                           dict(frame_dir='second', label=2, pred_score=scores)],
                 ['sit', 'stand', 'wave', 'clap', 'jump', 'bow'])

    def greenish_text(index):
        out = tmp_path / 'vis' / f'{index}.mp4'
        visualize.main([str(two_samples), '--split', 'val', '--index', str(index),
                        '--results', str(results), '--out', str(out), '--gif'])
        reader, frames = _frames(out)
        assert reader.frame_shape == SHAPE and (tmp_path / 'vis' / f'{index}.gif').exists()
        box = frames[0][:120, :160].astype(int)
        return len(frames), ((box[..., 1] - np.maximum(box[..., 0], box[..., 2])) > 50).sum()

    count, truth_in_top5 = greenish_text(1)
    assert count == 14
    assert 'second: truth wave; top-5 wave 50.0%, stand 20.0%' in capsys.readouterr().out
    count, truth_not_in_top5 = greenish_text(0)   # 'sit' scores lowest of six
    assert count == 10
    # the truth line is green in both; the top-1 line too when it is the truth
    assert truth_in_top5 > 1.5 * truth_not_in_top5 > 0


def test_video_overlay_differs_from_the_video_only_at_the_skeleton(tmp_path, capsys):
    video = tmp_path / 'clip.mp4'
    joints = write_mannequin_video(video, num_frames=16, shape=SHAPE)
    sample = mannequin_sample(joints[:12], SHAPE, 'clip')
    ann = _pickle(tmp_path / 'clip.pkl', [sample])
    out = tmp_path / 'overlay.mp4'
    visualize.main([str(ann), '--frame-dir', 'clip', '--video-dir', str(tmp_path), '--out',
                    str(out), '--no-text'])
    assert 'the video has 16 frames, the sample 12 skeleton frames: drew the first 12 ' \
        'frames' in capsys.readouterr().out
    _, source = _frames(video)
    _, drawn = _frames(out)
    assert len(drawn) == 12
    for index in (0, 7, 11):
        diff = np.abs(drawn[index].astype(int) - source[index].astype(int)).sum(-1)
        bones = np.zeros(SHAPE, np.uint8)
        for a, b in ((5, 7), (11, 13), (6, 12)):
            cv2.line(bones, tuple(joints[index, a].astype(int)),
                     tuple(joints[index, b].astype(int)), 1, 1)
        far = cv2.dilate(bones, np.ones((15, 15), np.uint8)) == 0
        far &= cv2.dilate(_all_bones(joints[index]), np.ones((15, 15), np.uint8)) == 0
        assert diff[bones.astype(bool)].mean() > 60      # the limbs are drawn
        assert diff[far].mean() < 15                       # elsewhere only codec noise

    with pytest.raises(InputError, match=r"sample 'clip'.*16 frames.*12 skeleton frames"):
        visualize.main([str(ann), '--video', str(video), '--out', str(out),
                        '--frame-mismatch', 'error'])


def _all_bones(joints):
    from pyskl_lite.datasets.layouts import get_layout

    mask = np.zeros(SHAPE, np.uint8)
    for a, b in get_layout('coco').limbs:
        cv2.line(mask, tuple(joints[a].astype(int)), tuple(joints[b].astype(int)), 1, 1)
    return mask


def test_unknown_sample_and_unreadable_video_are_one_line_errors(two_samples, tmp_path):
    with pytest.raises(InputError, match=r"no sample 'nope' among the 2 samples of split "
                                         r"'val'"):
        visualize.main([str(two_samples), '--split', 'val', '--frame-dir', 'nope', '--out',
                        str(tmp_path / 'x.mp4')])
    with pytest.raises(InputError, match=r"field 'keypoint': joint layout 'nturgb\+d' has 25 "
                                         r"joints, the sample 17"):
        visualize.main([str(two_samples), '--joint-layout', 'nturgb+d', '--out',
                        str(tmp_path / 'x.mp4')])
    broken = tmp_path / 'broken.mp4'
    broken.write_bytes(b'garbage')
    done = run_tool('tools/visualize.py', two_samples, '--video', broken, '--out',
                    tmp_path / 'x.mp4')
    # (FFmpeg / decord print their own lines before ours)
    last = done.stderr.strip().splitlines()[-1]
    assert done.returncode == 2 and last.startswith('error: ') and 'cannot read video' in last
    assert 'Traceback' not in done.stderr


def test_checkpoint_predictions_and_3d_side_view(tmp_path, capsys):
    config = write_tiny_config(tmp_path)
    checkpoint = write_checkpoint(config, tmp_path / 'tiny.pth')
    ann = _pickle(tmp_path / 'one.pkl', [mannequin_sample(mannequin_joints(12, SHAPE), SHAPE)])
    visualize.main([str(ann), '--config', str(config), '--checkpoint', str(checkpoint),
                    '--out', str(tmp_path / 'pred.mp4')])
    out = capsys.readouterr().out
    assert 'mannequin: truth ' in out and '; top-5 meta ' in out

    keypoint = np.random.default_rng(0).normal(0, 0.3, (1, 6, 20, 3)).astype(np.float32)
    single = tmp_path / 'sample3d.pkl'
    with open(single, 'wb') as file:
        pickle.dump(dict(frame_dir='k', label=0, total_frames=6, keypoint=keypoint), file)
    visualize.main([str(single), '--view', 'side', '--max-side', '360', '--out',
                    str(tmp_path / 'side.mp4')])
    reader, frames = _frames(tmp_path / 'side.mp4')
    assert len(frames) == 6 and reader.frame_shape == (360, 360)


def test_heatmap_grid_png_and_video(two_samples, tmp_path):
    config = ROOT / 'configs' / '_base_' / 'datasets' / 'synthetic_heatmap.py'
    grid = tmp_path / 'grid.png'
    visualize.main([str(two_samples), '--config', str(config), '--heatmap', '--stage', 'val',
                    '--heatmap-frames', '4', '--out', str(grid)])
    image = cv2.imread(str(grid))
    assert image.shape == (22 + 18 * 98, image.shape[1], 3) and image[22:].max() > 200
    visualize.main([str(two_samples), '--config', str(config), '--heatmap', '--stage', 'val',
                    '--out', str(tmp_path / 'heat.mp4')])
    assert VideoReader(tmp_path / 'heat.mp4').num_frames == 48
