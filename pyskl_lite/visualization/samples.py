"""Pick one sample out of an annotation pickle for drawing or inference."""
from __future__ import annotations

from typing import Any

from pyskl_lite.datasets.annotations import ValidationReport, select_split, validate_sample
from pyskl_lite.datasets.safe_pickle import load_annotation_pickle
from pyskl_lite.utils import InputError


def load_sample(path: str, split: str | None = None, index: int = 0,
                frame_dir: str | None = None) -> dict[str, Any]:
    """The chosen sample of an annotation pickle (or the one sample of a sample pickle),
    validated like :class:`~pyskl_lite.datasets.PoseDataset` does, except that ``label`` may
    be absent (or negative: unknown; then it is removed).

    Raises:
        InputError: for an unreadable file, an unknown split, ``frame_dir`` or ``index``, or
            a malformed sample.
    """
    data = load_annotation_pickle(path)
    if isinstance(data, dict) and 'keypoint' in data:
        annotations, splits = [data], None
    elif isinstance(data, dict) and isinstance(data.get('annotations'), list):
        annotations, splits = data['annotations'], data.get('split')
    elif isinstance(data, list):
        annotations, splits = data, None
    else:
        raise InputError.at(path, "expected an annotation pickle ({'split', 'annotations'}), a "
                            'list of samples or one sample dict')
    candidates = select_split(annotations, splits, split, path)
    where = f' of split {split!r}' if split else ''
    if frame_dir is not None:
        matches = [s for s in candidates
                   if str(s.get('frame_dir', s.get('filename'))) == frame_dir]
        if not matches:
            some = ', '.join(repr(str(s.get('frame_dir'))) for s in candidates[:3])
            raise InputError.at(path, f'no sample {frame_dir!r} among the {len(candidates)} '
                                f'samples{where} (e.g. {some})', sample=frame_dir,
                                field='frame_dir')
        sample = matches[0]
    else:
        if not -len(candidates) <= index < len(candidates):
            raise InputError.at(path, f'--index {index} is out of range: {len(candidates)} '
                                f'samples{where}', field='index')
        sample = candidates[index]
    labelled = sample.get('label') is not None and sample['label'] >= 0
    # The label is optional here (a video to recognise has none).
    probe = sample if labelled else dict(sample, label=0)
    checked = validate_sample(probe, path, None, ValidationReport(), require_scores=False)
    if checked is None:
        raise InputError.at(path, 'the sample has no person or no frame',
                            sample=str(sample.get('frame_dir')), field='keypoint')
    if not labelled:
        checked.pop('label')
    return checked
