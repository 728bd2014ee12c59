"""``violeta bench observatory`` at a tiny size: its figures hang together."""

from __future__ import annotations

import re

import pytest

from violeta.observatory import bench_duckdb
from violeta.observatory.bench import public_urls, run
from violeta.observatory.bench_fill import fill
from violeta.observatory.selectors import figures
from violeta.people.models import Person, PersonKind
from violeta.records.choices import PartyRole
from violeta.records.models import AgencyRecord, ReportedIdentity

LINE = re.compile(
    r"^observatory: 2,000 records, refresh [\d.]+ s \(after 100 new records [\d.]+ s\), "
    r"public queries p95 max [\d.]+ ms "
    r"\(/observatorio/\S*\), DuckDB aggregate p95 [\d.]+ ms per table / [\d.]+ s all tables$"
)


@pytest.mark.django_db
def test_bench_at_2000_records() -> None:
    said: list[str] = []
    line, got = run(2000, repeat=2, runs=2, seed=3, template_women=60, say=said.append)
    # the fill: exactly N records, each with its woman, copies with women of their own
    assert AgencyRecord.objects.count() == 2000
    victims = ReportedIdentity.objects.filter(role=PartyRole.VICTIM)
    assert victims.count() == 2000
    pairs = victims.values_list("person_id", "person__merged_into_id")
    women = len({merged or person for person, merged in pairs})
    assert Person.objects.filter(kind=PersonKind.WOMAN, merged_into=None).count() >= women
    assert 60 * 2 <= women < 2000  # several copies of 60 women, linked: records per woman > 1
    assert fill(2000, seed=3, template_women=60) == 0.0  # built once, then reused
    # DuckDB's aggregates equal every published figure of the release
    release = got["release"]
    data = figures(release)
    assert got["differ"] == []
    assert got["compared"] > 100
    assert data["total"] == (2000, women) or data["total"] == (None, None)
    duck = got["duck"]
    assert duck["total"] == (2000, women)
    published = [k for k, (r, _) in data.items() if r]
    assert all(duck[k] == data[k] for k in published)
    assert {k.split("|")[0] for k in published} >= {"month", "cell", "alcaldia", "type"}
    # … and a wrong count would be caught
    key = published[0]
    records, who = data[key]
    assert records is not None and who is not None
    wrong = {**duck, key: (records + 1, who)}
    assert [k for k, _, _ in bench_duckdb.compare(data, wrong)] == [key]
    # every public URL was timed, and the line is printed last
    assert set(got["urls"]) == set(public_urls(release))
    assert len(got["urls"]) >= 25
    assert all(0 < p50 <= p95 <= top for p50, p95, top in got["urls"].values())
    assert got["duck_stats"]["tables"] == 15
    assert LINE.match(line), line
    # the refresh after new records counted only them, and the bench left none behind
    assert any(s.startswith("refresh after 100 new records") and "(delta:" in s for s in said)
    assert any(s.startswith("refresh: ") and "counting" in s for s in said)
    assert any(s.startswith("check: ") and ", 0 differ" in s for s in said)
