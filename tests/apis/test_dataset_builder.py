import json

import numpy as np
import pytest

from pyskl_lite.apis.dataset_builder import (
    BODY25_TO_COCO17,
    list_inputs,
    load_existing,
    map_to_coco17,
    read_split_file,
    stable_split,
    write_annotation_pickle,
)
from pyskl_lite.datasets import PoseDataset
from pyskl_lite.datasets.layouts import get_layout
from pyskl_lite.utils import InputError

BODY25_NAMES = ('nose', 'neck', 'right_shoulder', 'right_elbow', 'right_wrist', 'left_shoulder',
                'left_elbow', 'left_wrist', 'mid_hip', 'right_hip', 'right_knee', 'right_ankle',
                'left_hip', 'left_knee', 'left_ankle', 'right_eye', 'left_eye', 'right_ear',
                'left_ear', 'left_big_toe', 'left_small_toe', 'left_heel', 'right_big_toe',
                'right_small_toe', 'right_heel')


@pytest.mark.parametrize('source', ['openpose', 'mediapipe', 'openpose25'])
def test_mapping_to_coco17_picks_the_same_named_joints(source):
    names = BODY25_NAMES if source == 'openpose25' else get_layout(source).joint_names
    keypoint = np.arange(len(names), dtype=np.float32)[None, :, None].repeat(2, axis=2)
    mapped, score = map_to_coco17(keypoint, keypoint[..., 0], source)
    assert [names[int(i)] for i in mapped[0, :, 0]] == list(get_layout('coco').joint_names)
    np.testing.assert_array_equal(score, mapped[..., 0])
    assert len(BODY25_TO_COCO17) == 17


def test_list_file_with_names_or_indices_and_class_folders(tmp_path):
    (tmp_path / 'videos').mkdir()
    listing = tmp_path / 'list.txt'
    listing.write_text('# comment\nvideos/a b.mp4 wave\n\n/abs/c.mp4 clap\nvideos/d.mp4 wave\n')
    items, classes = list_inputs(listing)
    assert classes == ['clap', 'wave'] and [i.label for i in items] == [1, 0, 1]
    assert items[0].path == str(tmp_path / 'videos' / 'a b.mp4') and items[0].frame_dir == 'a b'
    listing.write_text('x.mp4 3\ny.mp4 0\n')
    items, classes = list_inputs(listing)
    assert classes is None and [i.label for i in items] == [3, 0]
    listing.write_text('onlypath.mp4\n')
    with pytest.raises(InputError, match=r'list\.txt:1: expected "<path> <label>"'):
        list_inputs(listing)

    root = tmp_path / 'classes'
    for name in ('walk/sub/w1.mp4', 'walk/w2.avi', 'run/r1.mp4', 'run/notes.txt'):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(b'')
    items, classes = list_inputs(root=root, suffixes=('.mp4', '.avi'))
    assert classes == ['run', 'walk']
    assert [(i.frame_dir, i.label) for i in items] == [('r1', 0), ('w2', 1), ('w1', 1)]
    (root / 'run' / 'w1.mp4').write_bytes(b'')
    with pytest.raises(InputError, match="sample id 'w1' is also the id of"):
        list_inputs(root=root, suffixes=('.mp4',))


def test_stable_split_is_stratified_and_keeps_samples_on_their_side():
    annotations = [dict(frame_dir=f'c{label}_{i}', label=label)
                   for label in range(3) for i in range(10)]
    split = stable_split(annotations, 0.8, seed=1)
    assert len(split['train']) == 24 and len(split['val']) == 6
    for label in range(3):
        assert sum(i.startswith(f'c{label}_') for i in split['val']) == 2
    assert stable_split(annotations, 0.8, seed=1) == split
    assert stable_split(annotations, 0.8, seed=2) != split
    more = stable_split(annotations + [dict(frame_dir='c0_new', label=0)], 0.8, seed=1)
    moved = set(split['train']) - set(more['train'])
    assert len(moved) <= 1


def test_split_file_and_writing_a_pickle_that_pose_dataset_reads(tmp_path):
    split_file = tmp_path / 'split.json'
    split_file.write_text(json.dumps({'train': ['a', 'gone'], 'val': ['b']}))
    assert read_split_file(split_file, ['a', 'b']) == {'train': ['a'], 'val': ['b']}
    split_file.write_text('[1, 2]')
    with pytest.raises(InputError, match='expected'):
        read_split_file(split_file, ['a'])

    annotations = [dict(frame_dir=name, label=index, total_frames=4, img_shape=(10, 10),
                        keypoint=np.ones((1, 4, 17, 2), np.float32),
                        keypoint_score=np.ones((1, 4, 17), np.float32))
                   for index, name in enumerate(['a', 'b'])]
    out = write_annotation_pickle(tmp_path / 'out.pkl', annotations,
                                  {'train': ['a'], 'val': ['b']}, ['walk', 'run'])
    assert (tmp_path / 'out_label_map.txt').read_text() == 'walk\nrun\n'
    dataset = PoseDataset(str(out), split='val', label_map=str(tmp_path / 'out_label_map.txt'))
    assert len(dataset) == 1 and dataset.classes == ('walk', 'run')
    assert [a['frame_dir'] for a in load_existing(out)] == ['a', 'b']
    assert load_existing(tmp_path / 'none.pkl') == []
