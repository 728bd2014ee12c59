"""``violeta bench link`` runs both linkers on the same records and reports their quality."""

from __future__ import annotations

import re

from violeta.linkage.bench import bench_link


def test_bench_link_reports_both_linkers_with_sane_quality() -> None:
    line = bench_link(600, seed=3)
    ours, plain = line.split("plain splink")
    figures = re.findall(
        r"(woman|aggressor) P ([\d.]+) R ([\d.]+) F1 [\d.]+ \(R linkable ([\d.]+)\)", ours
    )
    assert [f[0] for f in figures] == ["woman", "aggressor"]
    for _role, precision, recall, linkable in figures:
        assert 0.95 <= float(precision) <= 1.0
        assert 0.8 <= float(recall) <= float(linkable) <= 1.0
    assert re.search(r"woman P [\d.]+ R [\d.]+", plain)
