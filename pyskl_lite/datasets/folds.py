"""Cross-validation folds of an annotation pickle (``tools/cross_validate.py``).

Small real datasets (100-1,500 sequences) are reported in the literature as the mean ± std
over K folds rather than on one split. The folds are built in one of three ways:

- ``'splits'``: the pickle already defines them, as split pairs ``fold1_train`` /
  ``fold1_val``, ``fold2_train`` / ``fold2_val``, ... (used as they are);
- ``'subject'``: stratified K folds in which all samples of one subject fall into the same
  fold, so no subject is seen in training and validation at once. The subject is the
  annotations' ``subject`` field, or a regular expression on ``frame_dir`` whose first group is
  the subject (defaults: NTU RGB+D ``P(\\d+)`` as in ``S001C001P001R001A001``, UTKinect
  ``s(\\d+)`` between underscores as in ``a01_s03_e02``). With K equal to the number of
  subjects this is leave-one-subject-out;
- ``'none'``: stratified K folds over samples.

``'auto'`` takes the first that applies in that order. Stratified means that every fold holds
about the same share of every class (each class is dealt round the folds; with subjects, each
subject goes, largest first, to the fold whose class shares stay most even). Constructed folds
partition the pooled samples: each sample is in exactly one validation fold.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from mmengine.logging import print_log

from pyskl_lite.utils import InputError
from pyskl_lite.utils.cli import GROUP_BY

from .annotations import read_annotation_file, sample_id_key, select_split

SUBJECT_PATTERNS = (r'P(\d+)', r'(?:^|_)s(\d+)(?:_|$)')
FOLD_SPLIT = re.compile(r'^fold(\d+)_(train|val)$')


@dataclass
class Fold:
    """One fold: 1-based ``index`` and the sample ids (``frame_dir``) of both sides."""

    index: int
    train: list[str]
    val: list[str]


@dataclass
class FoldPlan:
    """The folds of a cross-validation and how they were made.

    Attributes:
        folds: the folds, in order.
        group_by: ``'splits'``, ``'subject'`` or ``'none'`` (what ``'auto'`` resolved to).
        description: what the folds are grouped by, for people, e.g. ``"subject (frame_dir
            pattern ...): 10 subjects"``.
        pooled: the pickle's splits the folds were built from (for ``'splits'``: the fold
            splits used).
        groups: the subject of every pooled sample (``frame_dir`` -> subject), or None.
    """

    folds: list[Fold]
    group_by: str
    description: str
    pooled: list[str]
    groups: dict[str, str] | None = None

    def to_dict(self) -> dict:
        """JSON-ready form (``folds.json`` of a cross-validation work dir)."""
        return dict(group_by=self.group_by, description=self.description, pooled=self.pooled,
                    folds=[dict(fold=f.index, train=f.train, val=f.val) for f in self.folds])


def stratified_folds(labels: np.ndarray, num_folds: int, groups: np.ndarray | None = None,
                     seed: int = 0) -> np.ndarray:
    """Assign every sample to one of ``num_folds`` folds, stratified by label.

    Args:
        labels: ``(N,)`` int class of each sample.
        num_folds: K >= 2.
        groups: ``(N,)`` group (subject) of each sample, or None. All samples of a group get
            the same fold; K must not exceed the number of groups, and with K equal to it every
            group is a fold of its own (leave-one-group-out).
        seed: shuffles the order in which samples (or groups of equal size) are dealt.

    Returns:
        ``(N,)`` int64 fold index in ``[0, K)``; every fold is non-empty.
    """
    labels = np.asarray(labels).reshape(-1)
    rng = np.random.default_rng(seed)
    if num_folds < 2:
        raise ValueError(f'need at least 2 folds, got {num_folds}')
    if groups is None:
        if num_folds > len(labels):
            raise ValueError(f'{num_folds} folds for {len(labels)} samples')
        # Deal the classes one after another round the folds, continuing where the previous
        # class stopped: per-class shares and fold sizes both differ by at most one sample.
        order = rng.permutation(len(labels))
        order = order[np.argsort(labels[order], kind='stable')]
        fold = np.empty(len(labels), dtype=np.int64)
        fold[order] = np.arange(len(labels)) % num_folds
        return fold
    group_ids, group_of = np.unique(np.asarray(groups).reshape(-1), return_inverse=True)
    if num_folds > len(group_ids):
        raise ValueError(f'{num_folds} folds but only {len(group_ids)} groups')
    _, label_of = np.unique(labels, return_inverse=True)
    counts = np.zeros((len(group_ids), label_of.max() + 1))
    np.add.at(counts, (group_of, label_of), 1)
    totals = counts.sum(axis=0)
    # Largest groups first (ties in random order), each to the fold that keeps the per-class
    # shares most even (mean over classes of the std over folds), ties to the smaller fold;
    # the last groups fill folds that would otherwise stay empty.
    order = rng.permutation(len(group_ids))
    order = order[np.argsort(-counts[order].sum(axis=1), kind='stable')]
    fold_counts = np.zeros((num_folds, counts.shape[1]))
    fold_of_group = np.empty(len(group_ids), dtype=np.int64)
    for remaining, group in zip(range(len(order), 0, -1), order, strict=True):
        candidates = fold_counts[None] + np.eye(num_folds)[:, :, None] * counts[group]
        imbalance = (candidates / totals).std(axis=1).mean(axis=1)
        empty = fold_counts.sum(axis=1) == 0
        if empty.sum() >= remaining:
            imbalance[~empty] = np.inf
        best = np.lexsort((fold_counts.sum(axis=1), np.round(imbalance, 12)))[0]
        fold_counts[best] += counts[group]
        fold_of_group[group] = best
    return fold_of_group[group_of]


def subject_of(annotations: Sequence[dict], pattern: str | None, source: str,
               required: bool) -> tuple[np.ndarray | None, str]:
    """The subject of every sample and how it was found.

    The ``subject`` field when every sample has one (and no ``pattern`` is given), else the
    first group of ``pattern`` (or of the first of :data:`SUBJECT_PATTERNS` that matches every
    ``frame_dir``).

    Returns:
        ``(subjects (N,) str, description)``, or ``(None, reason)`` when no subject is found
        and ``required`` is False.

    Raises:
        InputError: when ``required`` and no subject is found, or ``pattern`` is invalid or
            misses a sample.
    """
    key = sample_id_key(annotations)
    ids = [str(sample.get(key)) for sample in annotations]
    if pattern is None and all('subject' in sample for sample in annotations):
        return np.array([str(s['subject']) for s in annotations]), "the 'subject' field"
    patterns = [pattern] if pattern is not None else list(SUBJECT_PATTERNS)
    for candidate in patterns:
        try:
            regex = re.compile(candidate)
        except re.error as err:
            raise InputError(f"--group-pattern '{candidate}': not a regular expression "
                             f'({err})') from None
        matches = [regex.search(name) for name in ids]
        missed = next((name for name, m in zip(ids, matches, strict=True) if m is None), None)
        if missed is None:
            subjects = [m.group(1) if regex.groups else m.group(0) for m in matches]
            return np.array(subjects), f"frame_dir pattern '{candidate}'"
        if pattern is not None:
            raise InputError.at(source, f"does not match --group-pattern '{pattern}'; give a "
                                'pattern that matches every frame_dir (its first group is the '
                                'subject) or --group-by none', sample=missed, field=key)
    reason = (f"no 'subject' field and frame_dir {ids[0]!r} matches none of the subject "
              f'patterns {list(SUBJECT_PATTERNS)}')
    if required:
        raise InputError.at(source, f'{reason}; pass --group-pattern REGEX (first group = '
                            'subject) or --group-by none', field='subject')
    return None, reason


def fold_splits(split: dict[str, list] | None, source: str) -> list[Fold]:
    """The folds the pickle defines as ``fold<i>_train`` / ``fold<i>_val`` splits, by ``i``;
    an empty list when it defines none.

    Raises:
        InputError: when a fold lacks one of its two splits.
    """
    found: dict[int, dict[str, list[str]]] = {}
    for name, ids in (split or {}).items():
        match = FOLD_SPLIT.match(str(name))
        if match:
            found.setdefault(int(match.group(1)), {})[match.group(2)] = [str(i) for i in ids]
    folds = []
    for index in sorted(found):
        sides = found[index]
        for side in ('train', 'val'):
            if side not in sides:
                raise InputError.at(source, f'fold{index}_{side} is missing (fold{index} '
                                    f'has only fold{index}_{next(iter(sides))})', field='split')
        folds.append(Fold(index=index, train=sides['train'], val=sides['val']))
    return folds


def plan_folds(ann_file: str, pooled_splits: Sequence[str | None], num_folds: int | None,
               group_by: str = 'auto', group_pattern: str | None = None,
               seed: int = 0) -> FoldPlan:
    """The folds of ``ann_file`` for a cross-validation (see the module doc).

    Args:
        ann_file: the annotation pickle.
        pooled_splits: the splits whose samples are pooled and divided into folds (the
            config's train and val splits; duplicates count once; None means every sample).
            Not used with ``'splits'``.
        num_folds: K; None only with fold splits in the pickle (then all of them).
        group_by: ``'auto'``, ``'subject'``, ``'none'`` or ``'splits'``.
        group_pattern: regular expression on ``frame_dir`` whose first group is the subject
            (implies subject grouping under ``'auto'``).
        seed: shuffling of the fold construction.

    Raises:
        InputError: for a grouping that the data does not allow, or a K that does not fit it.
    """
    if group_by not in GROUP_BY:
        raise ValueError(f'group_by must be one of {GROUP_BY}, got {group_by!r}')
    annotations, split = read_annotation_file(ann_file)
    predefined = fold_splits(split, ann_file)
    if group_by == 'splits' or (group_by == 'auto' and predefined and group_pattern is None):
        if not predefined:
            raise InputError.at(ann_file, 'no fold splits (fold1_train / fold1_val, ...) in '
                                f'the pickle; present: {sorted(map(str, split or {}))}; use '
                                '--group-by auto|subject|none', field='split')
        if num_folds not in (None, len(predefined)):
            raise InputError.at(ann_file, f'the pickle defines {len(predefined)} folds '
                                f'(fold{predefined[0].index}..fold{predefined[-1].index}), not '
                                f'{num_folds}; pass --folds {len(predefined)}, or --group-by '
                                'subject|none to build folds', field='split')
        for fold in predefined:  # every id must exist (one clear error before any training)
            for side in ('train', 'val'):
                select_split(annotations, split, f'fold{fold.index}_{side}', ann_file)
        names = [f'fold{f.index}_{side}' for f in predefined for side in ('train', 'val')]
        return FoldPlan(folds=predefined, group_by='splits', pooled=names,
                        description=f"the pickle's fold splits (fold{predefined[0].index}.."
                                    f'fold{predefined[-1].index})')
    if num_folds is None:
        raise InputError.at(ann_file, 'the pickle defines no fold splits; give --folds K',
                            field='split')
    pooled, names = [], []
    seen: set[str] = set()
    for name in dict.fromkeys(pooled_splits):
        names.append('all samples' if name is None else str(name))
        for sample in select_split(annotations, split, name, ann_file):
            sample_id = str(sample.get(sample_id_key(annotations)))
            if sample_id not in seen:
                seen.add(sample_id)
                pooled.append(sample)
    key = sample_id_key(pooled)
    ids = [str(sample[key]) for sample in pooled]
    labels = np.array([int(sample['label']) for sample in pooled])
    subjects, found = None, '--group-by none'
    if group_by in ('auto', 'subject'):
        subjects, found = subject_of(pooled, group_pattern, ann_file,
                                     required=group_by == 'subject' or group_pattern is not None)
    if subjects is not None:
        count = len(set(subjects.tolist()))
        if num_folds > count:
            raise InputError.at(ann_file, f'{count} subjects (from {found}) cannot fill '
                                f'{num_folds} folds; use --folds {count} (leave-one-subject-'
                                'out) or fewer, or --group-by none', field='subject')
        description = (f'subject ({found}): {count} subjects'
                       + (', leave-one-subject-out' if num_folds == count else ''))
    else:
        if num_folds > len(ids):
            raise InputError.at(ann_file, f'{len(ids)} samples cannot fill {num_folds} folds',
                                field='split')
        description = f'sample ({found})'
    smallest = int(np.unique(labels, return_counts=True)[1].min())
    if smallest < num_folds:
        print_log(f'{ann_file}: the smallest class has {smallest} samples, fewer than '
                  f'{num_folds} folds: some validation folds lack it', logger='current',
                  level=logging.WARNING)
    fold_of = stratified_folds(labels, num_folds, subjects, seed)
    folds = [Fold(index=k + 1, train=[i for i, f in zip(ids, fold_of, strict=True) if f != k],
                  val=[i for i, f in zip(ids, fold_of, strict=True) if f == k])
             for k in range(num_folds)]
    groups = None if subjects is None else dict(zip(ids, subjects.tolist(), strict=True))
    return FoldPlan(folds=folds, group_by='subject' if subjects is not None else 'none',
                    description=description, pooled=names, groups=groups)
