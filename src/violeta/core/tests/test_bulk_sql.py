"""``update_from_values``: many rows, one statement per chunk, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from violeta.core import bulk_sql
from violeta.people.models import Person, PersonKind

pytestmark = pytest.mark.django_db


def test_each_row_gets_its_own_values_and_the_condition_holds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bulk_sql, "CHUNK", 2)  # several statements, the last one short
    people = Person.objects.bulk_create([Person(kind=PersonKind.WOMAN) for _ in range(6)])
    a, b, c, d, e, f = (p.pk for p in people)
    Person.objects.filter(pk=d).update(merged_into=e)  # already merged: left alone below
    sent = bulk_sql.update_from_values(
        Person._meta.db_table,
        "id",
        [("merged_into_id", "bigint")],
        [(a, f), (b, f), (c, None), (d, f), (f, f)],
        where="t.merged_into_id IS NULL AND t.id <> v.c0",
    )
    assert sent == 5
    merged = dict(Person.objects.values_list("pk", "merged_into"))
    assert merged == {a: f, b: f, c: None, d: e, e: None, f: None}


def test_a_chunk_of_nulls_only_is_cast_to_the_columns_type() -> None:
    people = Person.objects.bulk_create([Person(kind=PersonKind.WOMAN) for _ in range(2)])
    Person.objects.filter(pk=people[0].pk).update(merged_into=people[1])
    bulk_sql.update_from_values(
        Person._meta.db_table, "id", [("merged_into_id", "bigint")], [(people[0].pk, None)]
    )
    assert Person.objects.get(pk=people[0].pk).merged_into_id is None
