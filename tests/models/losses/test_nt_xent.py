import math

import pytest
import torch

from pyskl_lite.models.losses import NTXentLoss
from pyskl_lite.utils import InputError


def hand_nt_xent(rows, tau, excluded=frozenset()):
    """NT-Xent written out with math: pairs (0, 1), (2, 3), ...; ``excluded`` (i, j) pairs are
    left out of row i's denominator."""
    unit = [[v / math.sqrt(sum(x * x for x in row)) for v in row] for row in rows]
    total = 0.0
    for i, zi in enumerate(unit):
        sims = {j: sum(a * b for a, b in zip(zi, zj, strict=True)) / tau
                for j, zj in enumerate(unit) if j != i and (i, j) not in excluded}
        total += -math.log(math.exp(sims[i ^ 1]) / sum(math.exp(s) for s in sims.values()))
    return total / len(rows)


def test_matches_a_hand_computation_on_a_tiny_batch():
    rows = [[1.0, 0.0], [0.8, 0.6], [0.0, 2.0], [-1.0, 1.0]]
    for tau in (0.5, 0.1):
        loss = NTXentLoss(temperature=tau)(torch.tensor(rows))
        assert loss.item() == pytest.approx(hand_nt_xent(rows, tau), rel=1e-5)
    # a number worked out on paper for tau = 1: row 0 has cos 0.8 to its partner, 0 and
    # -1/sqrt(2) to the negatives
    row0 = -math.log(math.exp(0.8) / (math.exp(0.8) + 1 + math.exp(-1 / math.sqrt(2))))
    single = NTXentLoss(temperature=1.0).logits(torch.tensor(rows))[0]
    assert -torch.log_softmax(single, 0)[1].item() == pytest.approx(row0, rel=1e-6)
    assert NTXentLoss(temperature=0.5, loss_weight=3.0)(torch.tensor(rows)).item() == \
        pytest.approx(3 * hand_nt_xent(rows, 0.5), rel=1e-5)


def test_views_of_one_sequence_in_two_pairs_are_not_negatives():
    rows = [[1.0, 0.2], [0.9, 0.1], [1.0, 0.3], [0.1, 1.0], [-1.0, 0.5], [0.3, -1.0]]
    ids = torch.tensor([7, 7, 3])  # pairs 0 and 1 are the same sequence
    excluded = {(i, j) for i in range(4) for j in range(4) if i // 2 != j // 2}
    expected = hand_nt_xent(rows, 0.2, excluded)
    assert NTXentLoss(temperature=0.2)(torch.tensor(rows), ids).item() == \
        pytest.approx(expected, rel=1e-5)
    assert NTXentLoss(temperature=0.2)(torch.tensor(rows)).item() != pytest.approx(expected)


def test_a_perfect_embedding_has_a_low_loss_and_bad_input_is_refused():
    pairs = torch.eye(4).repeat_interleave(2, dim=0)
    assert NTXentLoss(temperature=0.05)(pairs).item() < 1e-3
    with pytest.raises(InputError, match='view pairs'):
        NTXentLoss()(torch.ones(3, 4))
    with pytest.raises(InputError, match='temperature'):
        NTXentLoss(temperature=0)
