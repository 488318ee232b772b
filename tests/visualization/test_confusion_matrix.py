"""Confusion-matrix PNG: cell numbers readable at the class counts they are drawn for."""
import numpy as np
import pytest

from pyskl_lite.visualization.confusion_matrix import (
    ANNOTATE_MAX_CLASSES,
    confusion_matrix_figure,
    plot_confusion_matrix,
)


def matrix(num_classes, seed=0):
    rng = np.random.default_rng(seed)
    return np.diag(rng.integers(20, 40, num_classes)) + rng.integers(0, 3, (num_classes,) * 2)


@pytest.mark.parametrize('num_classes', [3, 24, ANNOTATE_MAX_CLASSES])
def test_cell_numbers_scale_with_the_cells(num_classes):
    figure = confusion_matrix_figure(matrix(num_classes), [f'c{i}' for i in range(num_classes)])
    axes = figure.axes[0]
    cell_px = axes.get_window_extent().height / num_classes
    sizes = {text.get_fontsize() for text in axes.texts}
    assert len(axes.texts) == np.count_nonzero(matrix(num_classes)) and len(sizes) == 1
    size_px = sizes.pop() * figure.dpi / 72
    assert size_px <= 0.5 * cell_px  # fits its cell
    assert size_px >= min(0.3 * cell_px, 16 * figure.dpi / 72)  # up to a 16 pt cap
    assert size_px >= 12  # the 24-class PNG had 8 px (6 pt) numbers in 45 px cells


def test_many_classes_have_no_numbers(tmp_path):
    classes = [f'c{i}' for i in range(ANNOTATE_MAX_CLASSES + 1)]
    assert not confusion_matrix_figure(matrix(len(classes)), classes).axes[0].texts
    out = plot_confusion_matrix(matrix(4), list('abcd'), tmp_path / 'cm.png')
    assert out.stat().st_size > 1000
