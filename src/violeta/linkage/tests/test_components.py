"""The clustering's fast path gives exactly what the greedy loop gives, only sooner."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from violeta.linkage import cluster as clustering
from violeta.linkage.components import components


def _union_find_labels(n: int, left: list[int], right: list[int]) -> list[int]:
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    for a, b in zip(left, right, strict=True):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    smallest: dict[int, int] = {}
    for i in range(n):
        smallest.setdefault(find(i), i)
    return [smallest[find(i)] for i in range(n)]


def test_components_label_each_node_with_the_smallest_of_its_component() -> None:
    rng = random.Random(7)
    for _ in range(300):
        n, m = rng.randint(1, 80), rng.randint(0, 120)
        left = [rng.randrange(n) for _ in range(m)]
        right = [rng.randrange(n) for _ in range(m)]
        found = components(n, np.array(left, dtype=np.int64), np.array(right, dtype=np.int64))
        assert found.tolist() == _union_find_labels(n, left, right)


def _world(rng: random.Random, n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Records of a few women, each record missing some of her attributes and now and then
    carrying another woman's (a CURP, a date, surnames, an age that clash), and pairs: most
    between records of one woman, some between women."""
    women = [
        {
            "curp": f"CURP{w}",
            "birth_year": 1980.0 + rng.randrange(15),
            "surnames": (rng.choice(["GOMEZ", "LOPEZ", "RUIZ"]), rng.choice(["OCASIO", "DIAZ"])),
            "dob": f"198{rng.randrange(10)}-0{rng.randrange(1, 10)}-1{rng.randrange(10)}",
        }
        for w in range(max(1, n // 5))
    ]
    rows, woman_of = [], []
    for i in range(n):
        w = rng.randrange(len(women))
        woman_of.append(w)
        own = women[w] if rng.random() > 0.1 else rng.choice(women)

        def maybe(value: object) -> object:
            return value if rng.random() < 0.6 else None

        surnames = maybe(own["surnames"])
        rows.append(
            {
                "unique_id": f"r{i:04d}",
                "curp": maybe(own["curp"]),
                "evidence": rng.choice([1, 2, 3, 3, 5]),
                "birth_year": maybe(own["birth_year"]),
                "surname1": surnames[0] if surnames else None,  # type: ignore[index]
                "surname2": surnames[1] if surnames else None,  # type: ignore[index]
                "dob": maybe(own["dob"]),
            }
        )
    feats = pd.DataFrame(rows)
    feats["curp_consistent"] = feats["curp"].notna() & np.array([rng.random() < 0.9 for _ in rows])
    pairs = {}
    for _ in range(n * 3):
        a, b = sorted(rng.sample(range(n), 2))
        same = woman_of[a] == woman_of[b]
        if same or rng.random() < 0.1:
            pairs[(a, b)] = rng.choice([0.97, 0.99, 1.0] if same else [0.6, 0.96, 0.99])
    return feats, pd.DataFrame(
        [(f"r{a:04d}", f"r{b:04d}", p) for (a, b), p in pairs.items()],
        columns=["unique_id_l", "unique_id_r", "match_probability"],
    )


@pytest.mark.parametrize("seed", range(25))
def test_the_fast_path_clusters_exactly_as_the_loop(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed)
    feats, pairs = _world(rng, rng.randint(5, 120))
    ids = feats["unique_id"].tolist()
    different = [tuple(rng.sample(ids, 2)) for _ in range(rng.randint(0, 3))]
    same = [tuple(rng.sample(ids, 2)) for _ in range(rng.randint(0, 2))]

    def run() -> clustering.Clusters:
        return clustering.cluster(
            feats, pairs, threshold=0.95, review_from=0.5, same=same, different=different
        )

    fast = run()
    monkeypatch.setattr(
        clustering, "merge_safe", lambda uf, left, right, scores, **_: np.zeros(len(scores), bool)
    )
    loop = run()
    assert fast.members().keys() == loop.members().keys()
    assert sorted(map(sorted, fast.members().values())) == sorted(
        map(sorted, loop.members().values())
    )
    assert fast.method == loop.method
    assert fast.probability == loop.probability
    assert sorted(fast.review) == sorted(loop.review)


def test_only_components_no_rule_could_split_take_the_fast_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    handled: list[int] = []
    real = clustering.merge_safe

    def spy(*args: object, **kwargs: object) -> np.ndarray:
        mask = real(*args, **kwargs)  # type: ignore[arg-type]
        handled.append(int(mask.sum()))
        return mask

    monkeypatch.setattr(clustering, "merge_safe", spy)
    feats = pd.DataFrame(
        {
            "unique_id": ["a", "b", "c", "d", "e"],
            "curp": ["C1", None, "C1", "C2", None],
            "curp_consistent": [True, False, True, True, False],
            "evidence": [5, 3, 5, 5, 3],
            "dob": ["1981-01-20", None, "1981-01-21", None, None],
        }
    )
    pairs = pd.DataFrame(
        [("a", "b", 0.99), ("b", "c", 0.99), ("d", "e", 0.99)],
        columns=["unique_id_l", "unique_id_r", "match_probability"],
    )
    result = clustering.cluster(feats, pairs, threshold=0.95, review_from=0.5)
    assert handled == [3]  # {a, b, c}: one CURP, dates one slip apart; {d, e}: one CURP
    assert result.cluster_of["a"] == result.cluster_of["b"] == result.cluster_of["c"]
    feats.loc[1, ["curp", "curp_consistent"]] = ["C2", True]  # b now holds d's CURP
    result = clustering.cluster(feats, pairs, threshold=0.95, review_from=0.5)
    assert handled[-1] == 0  # one component holding two CURPs: the loop decides every merge
    assert result.cluster_of["a"] == result.cluster_of["c"] != result.cluster_of["b"]
    assert result.cluster_of["b"] == result.cluster_of["d"] == result.cluster_of["e"]
