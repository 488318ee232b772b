"""Skeleton overlays, heatmap-volume pictures, video input / output, training curves and the
confusion-matrix heat map."""
from .confusion_matrix import plot_confusion_matrix
from .curves import find_json_logs, load_history, plot_curves, plot_work_dir_curves
from .heatmap import channel_names, heatmap_frames, heatmap_grid, pipeline_inputs
from .overlay import (
    FrameAlignment,
    align_frames,
    draw_predictions,
    output_shape,
    render_overlay,
    skeleton_pixels,
    top_classes,
)
from .samples import load_sample
from .skeleton import SkeletonPainter, fit_to_canvas, project, visible_joints
from .video_io import VideoReader, VideoWriter, find_video, write_video

__all__ = [
    'FrameAlignment', 'SkeletonPainter', 'VideoReader', 'VideoWriter', 'align_frames',
    'channel_names', 'find_json_logs', 'load_history', 'plot_confusion_matrix', 'plot_curves',
    'plot_work_dir_curves', 'draw_predictions', 'find_video', 'fit_to_canvas', 'heatmap_frames',
    'heatmap_grid', 'load_sample', 'output_shape', 'pipeline_inputs', 'project', 'render_overlay',
    'skeleton_pixels', 'top_classes', 'visible_joints', 'write_video',
]
