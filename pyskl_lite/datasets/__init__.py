from . import transforms  # noqa: F401  (registers the transforms)
from .annotations import read_annotation_file, read_label_map, select_split, validate_sample
from .dataset_wrappers import RepeatDataset
from .layouts import JointLayout, get_layout, layout_names, register_layout
from .pose_dataset import PoseDataset
from .safe_pickle import load_annotation_pickle
from .synthetic import SYNTHETIC_CLASSES, dump_synthetic_dataset, make_synthetic_dataset

__all__ = [
    'JointLayout', 'PoseDataset', 'RepeatDataset', 'get_layout', 'layout_names',
    'load_annotation_pickle', 'read_annotation_file', 'read_label_map', 'register_layout',
    'select_split', 'validate_sample',
    'SYNTHETIC_CLASSES', 'dump_synthetic_dataset', 'make_synthetic_dataset',
]
