"""Many rows updated with one statement per chunk: ``UPDATE … FROM (VALUES …)``.

Django's ``bulk_update`` writes a ``CASE WHEN id = … THEN …`` per row and column, and
``executemany`` of one ``UPDATE`` per row is a round trip each on PostgreSQL: at a million
identities either takes minutes. A common table expression of ``VALUES`` joined in the
``UPDATE`` is one statement per few thousand rows on both engines (SQLite since 3.33); on
PostgreSQL, more rows than one such statement holds are copied into a temporary table and
joined in one ``UPDATE``.
"""

# ruff: noqa: S608  (table and column names come from the callers' models, never from input)

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection

CHUNK = 4000  # rows per statement: SQLite allows 32,766 parameters


def update_from_values(
    table: str,
    key: str,
    columns: Sequence[tuple[str, str]],
    rows: Sequence[Sequence[Any]],
    *,
    where: str = "",
) -> int:
    """For each row (key value, then one value per column), set the columns of the ``table``
    row whose ``key`` matches. ``columns`` pairs each column with its SQL type (values are cast
    to it: a chunk whose values are all NULL has no type of its own on PostgreSQL). ``where``
    adds a condition on the table (``t``) and the values (``v``). Returns the rows sent."""
    if connection.vendor == "postgresql" and len(rows) > CHUNK:
        return _update_from_copy(table, key, columns, rows, where=where)
    names = ["k", *(f"c{i}" for i in range(len(columns)))]
    sets = ", ".join(
        f"{connection.ops.quote_name(column)} = CAST(v.c{i} AS {kind})"
        for i, (column, kind) in enumerate(columns)
    )
    quoted = connection.ops.quote_name(table)
    condition = f" AND ({where})" if where else ""
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            values = ", ".join(["(" + ", ".join(["%s"] * len(names)) + ")"] * len(chunk))
            sql = (
                f"WITH v ({', '.join(names)}) AS (VALUES {values}) "
                f"UPDATE {quoted} AS t SET {sets} FROM v "
                f"WHERE t.{connection.ops.quote_name(key)} = v.k{condition}"
            )
            cursor.execute(sql, [value for row in chunk for value in row])
    return len(rows)


COPY_TABLE = "violeta_bulk_values"  # a temporary table: private to the session


def _update_from_copy(
    table: str,
    key: str,
    columns: Sequence[tuple[str, str]],
    rows: Sequence[Sequence[Any]],
    *,
    where: str,
) -> int:
    """``update_from_values`` for many rows on PostgreSQL: the rows are copied (``COPY``) into
    a temporary table, then one ``UPDATE … FROM`` joins it. Measured on 63,000 of 166,789
    identities: 4.4 s against 9.4 s for the chunks of ``VALUES`` (one index probe per row in
    random order; the join reads the table once)."""
    quote = connection.ops.quote_name
    definition = ", ".join(
        ["k bigint", *(f"c{i} {kind}" for i, (_column, kind) in enumerate(columns))]
    )
    sets = ", ".join(f"{quote(column)} = v.c{i}" for i, (column, _kind) in enumerate(columns))
    names = ", ".join(["k", *(f"c{i}" for i in range(len(columns)))])
    condition = f" AND ({where})" if where else ""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {COPY_TABLE}")
        # Dropped after use, and before in case a failed call left it (a failed transaction
        # cannot run the DROP: the error is what the caller must see).
        cursor.execute(f"CREATE TEMPORARY TABLE {COPY_TABLE} ({definition})")
        with cursor.cursor.copy(f"COPY {COPY_TABLE} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(f"ANALYZE {COPY_TABLE}")  # the planner then joins it by hash
        cursor.execute(
            f"UPDATE {quote(table)} AS t SET {sets} FROM {COPY_TABLE} AS v "
            f"WHERE t.{quote(key)} = v.k{condition}"
        )
        cursor.execute(f"DROP TABLE {COPY_TABLE}")
    return len(rows)


@contextmanager
def indexes_rebuilt(table: str, foreign_keys: Sequence[str] = ()) -> Iterator[int]:
    """Inside a transaction, on PostgreSQL: drop the ``table``'s indexes that no constraint
    needs, run the block, then build them again from their own definitions (``pg_indexes``).
    Yields how many were set aside (none on other engines: the block runs as it is).

    Updating a large share of a table maintains every index row by row (a person's row has
    eleven): the PostgreSQL manual's advice for bulk loads is to drop the indexes and build
    them after, one sort each. The drop locks the table (ACCESS EXCLUSIVE) until the
    transaction ends, so callers use it only for a write that rewrites much of the table;
    primary keys and unique constraints stay and keep being enforced.

    ``foreign_keys``: columns of ``table`` the block writes whose foreign-key constraints are
    set aside too and added again after it, as the same manual advises. Added again, each is
    checked against every row in one query; kept, each written row is checked on its own at
    commit, a look-up and a row lock each. ``violeta link`` at 1,000,000 generator records:
    the part of the write that ends with the commit took 27.6 s, 3.8 s with the keys set
    aside (docs/benchmarks.md)."""
    if connection.vendor != "postgresql":
        yield 0
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i "
            "WHERE i.schemaname = current_schema() AND i.tablename = %s "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
            "WHERE c.conindid = to_regclass(quote_ident(i.indexname))) "
            "ORDER BY i.indexname",
            [table],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        keys = _foreign_keys(cursor, table, foreign_keys)
        if keys:  # a table with checks pending cannot be altered: run them first
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for name, _definition in keys:
            cursor.execute(f"ALTER TABLE {_quoted(table)} DROP CONSTRAINT {_quoted(name)}")
    yield len(indexes)
    with connection.cursor() as cursor:
        # An index is not built over rows with foreign-key checks pending: run them now (they
        # would run at commit), then defer again as Django's constraints are declared.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute("SET LOCAL work_mem = '256MB'")  # the foreign keys' one check each
        for _name, definition in indexes:
            cursor.execute(definition)
        for name, definition in keys:
            cursor.execute(
                f"ALTER TABLE {_quoted(table)} ADD CONSTRAINT {_quoted(name)} {definition}"
            )
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _quoted(name: str) -> str:
    return connection.ops.quote_name(name)


def _foreign_keys(cursor: Any, table: str, columns: Sequence[str]) -> list[tuple[str, str]]:
    """The foreign-key constraints of ``table`` on any of ``columns``: name and definition."""
    if not columns:
        return []
    cursor.execute(
        "SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
        "WHERE c.contype = 'f' AND c.conrelid = to_regclass(quote_ident(%s)) "
        "AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.conrelid "
        "AND a.attnum = ANY(c.conkey) AND a.attname = ANY(%s)) ORDER BY c.conname",
        [table, list(columns)],
    )
    return [(str(name), str(definition)) for name, definition in cursor.fetchall()]
