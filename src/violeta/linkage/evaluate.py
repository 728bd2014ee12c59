"""Pairwise precision, recall and F1 of a clustering against ground truth.

A pair of records is a true positive when both the clustering and the truth put them with the
same person. Counted from the contingency table (cluster × true person), never pair by pair,
so a million records evaluate in a second.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Quality:
    records: int
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def line(self) -> str:
        return (
            f"precision {self.precision:.4f}, recall {self.recall:.4f}, F1 {self.f1:.4f} "
            f"({self.records} records, {self.true_pairs} true pairs, "
            f"{self.predicted_pairs} linked pairs, {self.correct_pairs} correct)"
        )


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pairwise_quality(predicted: Mapping[str, str], truth: Mapping[str, str]) -> Quality:
    """Compare ``predicted`` (record → cluster) with ``truth`` (record → person) on the
    records both know."""
    common = [uid for uid in predicted if uid in truth]
    cells = Counter((predicted[u], truth[u]) for u in common)
    clusters = Counter(predicted[u] for u in common)
    people = Counter(truth[u] for u in common)
    return Quality(
        records=len(common),
        true_pairs=sum(_pairs(n) for n in people.values()),
        predicted_pairs=sum(_pairs(n) for n in clusters.values()),
        correct_pairs=sum(_pairs(n) for n in cells.values()),
    )
