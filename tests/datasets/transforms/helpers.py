"""Results dicts built by hand for transform tests."""
import numpy as np

# A standing COCO-17 person, pixels in a 1920 x 1080 frame (x right, y down).
COCO_POSE = np.array([
    [960, 300], [975, 285], [945, 285], [990, 295], [930, 295], [1020, 380], [900, 380],
    [1050, 480], [870, 480], [1060, 570], [860, 570], [1000, 580], [920, 580], [1005, 720],
    [915, 720], [1010, 860], [910, 860]], dtype=np.float32)


def pose_results(num_person: int = 2, num_frames: int = 40, seed: int = 0, dim: int = 2,
                 num_joints: int = 17, label: int = 0, **extra) -> dict:
    """A PoseDataset-like results dict: moving persons, some missing joints and a missing
    frame; 2D has scores in (0.2, 1] and img_shape, 3D neither."""
    rng = np.random.default_rng(seed)
    if dim == 2 and num_joints == 17:
        base = COCO_POSE
    else:
        base = rng.uniform(-0.5, 0.5, (num_joints, dim)).astype(np.float32) * (
            1 if dim == 3 else 400) + (0 if dim == 3 else [960, 540])
    shift = np.linspace(0, 1, num_frames)[:, None, None] * rng.uniform(-1, 1, dim) * \
        (0.3 if dim == 3 else 150)
    step = np.full(dim, 0.8) if dim == 3 else np.array([300.0, 0.0])
    keypoint = np.stack([base + shift + m * step for m in range(num_person)])
    keypoint = (keypoint + rng.normal(0, 0.01 if dim == 3 else 3, keypoint.shape)).astype(
        np.float32)
    keypoint[0, 3, 4] = 0
    keypoint[-1, num_frames // 2] = 0
    results = dict(frame_dir=f'sample_{seed}', label=label, total_frames=num_frames,
                   keypoint=keypoint, test_mode=False, start_index=0, modality='Pose')
    if dim == 2:
        score = rng.uniform(0.2, 1.0, keypoint.shape[:3]).astype(np.float32)
        score[keypoint.sum(-1) == 0] = 0
        results.update(keypoint_score=score, img_shape=(1080, 1920),
                       original_shape=(1080, 1920))
    results.update(extra)
    return results


def missing(keypoint: np.ndarray) -> np.ndarray:
    """``(M, T, V)``: joints whose coordinates are all zero."""
    return ~np.any(keypoint != 0, axis=-1)
