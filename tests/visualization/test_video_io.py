import numpy as np
import pytest
from PIL import Image

from pyskl_lite.utils import InputError
from pyskl_lite.visualization.video_io import VideoReader, VideoWriter, find_video, write_video

COLOURS = [(200, 30, 30), (30, 200, 30), (30, 30, 200), (220, 220, 40)]


def _write_colour_video(path, num_frames=12, shape=(64, 96), fps=20.0):
    with VideoWriter(path, fps) as writer:
        for index in range(num_frames):
            writer.write(np.full((*shape, 3), COLOURS[index % len(COLOURS)], np.uint8))
    return writer


@pytest.mark.parametrize('suffix', ['.mp4', '.webm'])
@pytest.mark.parametrize('backend', ['decord', 'opencv'])
def test_round_trip_keeps_count_size_fps_and_colours(tmp_path, backend, suffix):
    path = tmp_path / f'colours{suffix}'
    assert _write_colour_video(path).count == 12
    reader = VideoReader(path, backend)
    assert (reader.num_frames, reader.frame_shape, reader.fps) == (12, (64, 96), 20.0)
    frames = list(reader.frames())
    assert len(frames) == 12 and frames[0].dtype == np.uint8 and frames[0].shape == (64, 96, 3)
    means = np.array([f.reshape(-1, 3).mean(axis=0) for f in frames])
    expected = np.array([COLOURS[i % 4] for i in range(12)], float)
    assert np.abs(means - expected).max() < 20  # RGB order kept, lossy codec
    strided = list(reader.frames(step=5))
    assert len(strided) == 3
    np.testing.assert_array_equal(strided[1], frames[5])
    assert len(list(reader.frames(stop=4))) == 4


def test_gif_is_downscaled_and_keeps_every_frame(tmp_path):
    frames = (np.full((240, 960, 3), c, np.uint8) for c in COLOURS)
    written = write_video(frames, tmp_path / 'clip.mp4', 10.0, gif=True, total=4)
    assert [count for _, count in written] == [4, 4]
    with Image.open(tmp_path / 'clip.gif') as gif:
        assert gif.n_frames == 4 and gif.size == (480, 120)


@pytest.mark.parametrize('content', [b'', b'not a video at all'])
@pytest.mark.parametrize('backend', ['decord', 'opencv'])
def test_unreadable_video_is_one_line_input_error(tmp_path, content, backend):
    path = tmp_path / 'broken.mp4'
    path.write_bytes(content)
    with pytest.raises(InputError, match=r"broken\.mp4: field 'video': cannot read video") as err:
        VideoReader(path, backend)
    assert '\n' not in str(err.value)
    with pytest.raises(InputError, match='file not found'):
        VideoReader(tmp_path / 'missing.mp4', backend)


def test_writer_rejects_unknown_format(tmp_path):
    with pytest.raises(InputError, match="unknown output format '.xyz'"):
        VideoWriter(tmp_path / 'out.xyz', 25)


def test_find_video_matches_frame_dir_and_ntu_rgb_names(tmp_path):
    (tmp_path / 'a' / 'b').mkdir(parents=True)
    for name in ('a/b/S001C001P001R001A001_rgb.avi', 'clip.mp4', 'clip.txt'):
        (tmp_path / name).write_bytes(b'x')
    assert find_video(tmp_path, 'S001C001P001R001A001').endswith('_rgb.avi')
    assert find_video(tmp_path, 'clip').endswith('clip.mp4')
    with pytest.raises(InputError, match="no video named 'other'"):
        find_video(tmp_path, 'other')
    (tmp_path / 'a' / 'clip.avi').write_bytes(b'x')
    with pytest.raises(InputError, match="2 videos"):
        find_video(tmp_path, 'clip')
