"""Could two forms typed by agencies be one woman's? The tests the clustering's rules apply
file to file (:mod:`violeta.linkage.cluster`), its fast path to whole components
(:mod:`violeta.linkage.components`) and the incident rule to a thin record
(:mod:`violeta.linkage.incident`)."""

from __future__ import annotations

from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

SURNAME_SLIP = 0.85  # Jaro–Winkler: one typing slip in a surname, even a short one


def surname_alike(x: str, y: str) -> bool:
    return x == y or JaroWinkler.similarity(x, y) >= SURNAME_SLIP


def same_family(x: tuple[str, str], y: tuple[str, str]) -> bool:
    """Could these two pairs of surnames be one woman's, typed twice? Her second surname (her
    mother's first) is the same, with a slip at most, or the two were swapped (both of them:
    "Cano Torres" is not "Sánchez Cano" typed the other way round)."""
    return surname_alike(x[1], y[1]) or (surname_alike(x[0], y[1]) and surname_alike(x[1], y[0]))


def same_birth(x: str, y: str) -> bool:
    """Could these two dates of birth be one woman's, typed twice: equal, one digit off or
    transposed, or day and month swapped."""
    return (
        x == y
        or DamerauLevenshtein.distance(x, y) <= 1
        or (x[:4] == y[:4] and x[5:7] == y[8:10] and x[8:10] == y[5:7])
    )
