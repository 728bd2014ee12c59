"""``violeta bench link-batch``: the store an import leaves, and runs that start from it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings

from violeta.linkage.bench_batch import bench_batch, compact_store
from violeta.linkage.models import LinkMethod
from violeta.people.models import Person, PersonKind
from violeta.records.models import AgencyRecord, ReportedIdentity

pytestmark = pytest.mark.django_db


def _figures(line: str) -> tuple[str, ...]:
    """Everything but the seconds: the persons, the moves and the quality."""
    return tuple(re.findall(r"\d+ → \d+ persons, \d+ moved|P [\d.]+ R [\d.]+", line))


def test_the_store_is_an_import_and_every_run_starts_from_it(
    catalogs: None, tmp_path: Path
) -> None:
    with override_settings(DATA_DIR=tmp_path):
        line = bench_batch(600, seed=3)
        records = AgencyRecord.objects.count()
        identities = ReportedIdentity.objects.count()
        assert "built in" in line and f"{identities} identities" in line
        # Identities decrypt to their names and carry their stored features.
        some = ReportedIdentity.objects.exclude(first_surname="").first()
        assert some is not None and some.first_surname and some.link_features
        assert records >= 400 and identities > records
        # The runs linked: fewer persons in use than identities, quality measured.
        used = ReportedIdentity.objects.values("person").distinct().count()
        assert used < identities
        woman_p, woman_r = map(float, re.findall(r"woman P ([\d.]+) R ([\d.]+)", line)[0])
        assert woman_p > 0.98 and woman_r > 0.9
        assert ReportedIdentity.objects.exclude(link_method=LinkMethod.SINGLE).exists()

        again = bench_batch(600, seed=3)
        only = bench_batch(600, seed=3, runs=["saved"])

    assert "reused" in again
    # From the import, trained or with the saved models, the indexes rebuilt or not: the same
    # persons; a re-link moves none.
    moved = re.findall(r"(\d+) → (\d+) persons, (\d+) moved", line)
    assert len(moved) == 8 and moved[0:2] == moved[2:4] == moved[4:6]
    assert {m[2] for m in moved[6:]} == {"0"}
    assert _figures(again) == _figures(line)  # the same start, the same links
    # One run alone (--runs saved): that run, from the import's state.
    assert "saved models" in only and "re-link" not in only and "training" not in only
    assert re.findall(r"(\d+) → (\d+) persons, (\d+) moved", only) == moved[2:4]
    assert AgencyRecord.objects.count() == records
    assert Person.objects.filter(merged_into__isnull=True).count() >= used


@pytest.mark.django_db(transaction=True)
def test_the_store_is_compacted_before_a_run_as_autovacuum_would() -> None:
    """The bench's resets leave dead rows behind; a run must not be timed on them."""
    Person.objects.bulk_create([Person(kind=PersonKind.WOMAN) for _ in range(2000)])
    for _ in range(3):  # three rewrites: four row versions of each person
        Person.objects.update(kind=PersonKind.WOMAN)

    def pages() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_relation_size(%s)", [Person._meta.db_table])
            return int(cursor.fetchone()[0])

    if connection.vendor != "postgresql":  # SQLite: nothing to compact, nothing done
        compact_store()
        assert Person.objects.count() == 2000
        return
    before = pages()
    compact_store()
    assert Person.objects.count() == 2000
    assert pages() * 3 < before
