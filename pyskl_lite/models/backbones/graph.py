"""Skeleton graphs for graph convolution, built from a joint layout's ``limbs`` and ``center``.

The spatial partition of ST-GCN splits the neighbours of every joint into three subsets: the
joint itself, neighbours closer to the body centre (centripetal) and neighbours farther from it
(centrifugal). Each subset is one ``(V, V)`` matrix; a graph convolution aggregates every subset
with its own weights.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from pyskl_lite.datasets.layouts import JointLayout, get_layout


def hop_distances(num_joints: int, edges: list[tuple[int, int]] | tuple[tuple[int, int], ...],
                  source: int) -> np.ndarray:
    """Number of edges on the shortest path from ``source`` to every joint (undirected).

    Returns:
        ``(V,)`` float array; ``inf`` for joints not connected to ``source``.
    """
    neighbours: list[list[int]] = [[] for _ in range(num_joints)]
    for a, b in edges:
        neighbours[a].append(b)
        neighbours[b].append(a)
    distance = np.full(num_joints, np.inf)
    distance[source] = 0
    frontier = [source]
    while frontier:
        reached = []
        for v in frontier:
            for w in neighbours[v]:
                if np.isinf(distance[w]):
                    distance[w] = distance[v] + 1
                    reached.append(w)
        frontier = reached
    return distance


def normalize_incoming(adjacency: np.ndarray) -> np.ndarray:
    """Scale the column of every target joint so that its incoming weights sum to 1.

    ``adjacency[v, w]`` is the weight of source ``v`` for target ``w``; empty columns stay zero.
    """
    totals = adjacency.sum(axis=0, keepdims=True)
    return np.divide(adjacency, totals, out=np.zeros_like(adjacency), where=totals > 0)


def spatial_adjacency(joint_layout: str | dict[str, Any] | JointLayout) -> np.ndarray:
    """ST-GCN's spatial-partition adjacency of a joint layout.

    ``A[k, v, w]`` is how much source joint ``v`` contributes to target joint ``w`` in subset
    ``k``: ``k = 0`` self loops, ``k = 1`` centripetal (``v`` is farther from
    ``layout.center`` than ``w``, or as far: e.g. the bar between the hips), ``k = 2``
    centrifugal (``v`` is closer). Subsets 1 and 2 are normalised per target joint
    (mean aggregation over its neighbours of that subset).

    Returns:
        ``(3, V, V)`` float32 array.
    """
    layout = get_layout(joint_layout)
    num = layout.num_joints
    depth = hop_distances(num, layout.limbs, layout.center)
    inward = np.zeros((num, num))
    outward = np.zeros((num, num))
    for a, b in layout.limbs:
        if a == b:
            continue
        for source, target in ((a, b), (b, a)):
            if depth[source] >= depth[target]:
                inward[source, target] = 1
            else:
                outward[source, target] = 1
    stacked = np.stack([np.eye(num), normalize_incoming(inward), normalize_incoming(outward)])
    return stacked.astype(np.float32)
