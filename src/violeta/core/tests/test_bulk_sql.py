"""``update_from_values``: many rows, one statement per chunk, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from violeta.core import bulk_sql
from violeta.people.models import Person, PersonKind

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("chunk", [2, 100])
def test_each_row_gets_its_own_values_and_the_condition_holds(
    monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    # 2: more rows than a statement holds (several statements, the last one short; on
    # PostgreSQL, the copy into a temporary table); 100: one statement of VALUES.
    monkeypatch.setattr(bulk_sql, "CHUNK", chunk)
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


def _indexes(table: str) -> dict[str, str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
        return dict(cursor.fetchall())


def test_indexes_set_aside_come_back_the_same_and_constraints_hold_meanwhile() -> None:
    from django.db import IntegrityError, connection, transaction

    table = Person._meta.db_table
    people = Person.objects.bulk_create([Person(kind=PersonKind.WOMAN) for _ in range(3)])
    if connection.vendor != "postgresql":
        with transaction.atomic(), bulk_sql.indexes_rebuilt(table) as dropped:
            assert dropped == 0  # other engines: the block runs as it is
        return
    before = _indexes(table)
    with transaction.atomic(), bulk_sql.indexes_rebuilt(table) as dropped:
        during = _indexes(table)
        bulk_sql.update_from_values(
            table, "id", [("merged_into_id", "bigint")], [(people[0].pk, people[1].pk)]
        )
    assert dropped == len(before) - len(during) and dropped >= 5
    assert set(during) == {f"{table}_pkey"}  # the primary key stays
    assert _indexes(table) == before
    assert Person.objects.get(pk=people[0].pk).merged_into_id == people[1].pk
    # the unique constraint of a table is never set aside
    from violeta.records.models import ReportedIdentity

    identities = ReportedIdentity._meta.db_table
    with transaction.atomic(), bulk_sql.indexes_rebuilt(identities):
        assert "one_party_per_role" in _indexes(identities)
    with pytest.raises(IntegrityError), transaction.atomic(), bulk_sql.indexes_rebuilt(table):
        Person.objects.filter(pk=people[2].pk).update(merged_into=10**9)  # no such person
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert _indexes(table) == before  # rolled back: nothing dropped for good


def _foreign_keys(table: str) -> dict[str, str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid = to_regclass(%s)",
            [table],
        )
        return dict(cursor.fetchall())


def test_foreign_keys_set_aside_come_back_the_same_and_are_checked_when_they_do() -> None:
    from django.db import IntegrityError, connection, transaction

    table = Person._meta.db_table
    people = Person.objects.bulk_create([Person(kind=PersonKind.WOMAN) for _ in range(3)])
    if connection.vendor != "postgresql":
        with transaction.atomic(), bulk_sql.indexes_rebuilt(table, ["merged_into_id"]) as dropped:
            assert dropped == 0
        return
    before = _foreign_keys(table)
    merged_into = {n: d for n, d in before.items() if "(merged_into_id)" in d}
    assert len(merged_into) == 1 and "DEFERRABLE INITIALLY DEFERRED" in next(
        iter(merged_into.values())
    )
    with transaction.atomic(), bulk_sql.indexes_rebuilt(table, ["merged_into_id"]):
        during = _foreign_keys(table)
        bulk_sql.update_from_values(
            table, "id", [("merged_into_id", "bigint")], [(people[0].pk, people[1].pk)]
        )
    assert during == {n: d for n, d in before.items() if n not in merged_into}  # only that one
    assert _foreign_keys(table) == before
    assert Person.objects.get(pk=people[0].pk).merged_into_id == people[1].pk
    # A row written meanwhile that breaks the key fails when the key comes back: nothing stays.
    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
        bulk_sql.indexes_rebuilt(table, ["merged_into_id"]),
    ):
        Person.objects.filter(pk=people[2].pk).update(merged_into=10**9)  # no such person
    assert _foreign_keys(table) == before
    assert Person.objects.get(pk=people[2].pk).merged_into_id is None
