"""Many rows updated with one statement per chunk: ``UPDATE … FROM (VALUES …)``.

Django's ``bulk_update`` writes a ``CASE WHEN id = … THEN …`` per row and column, and
``executemany`` of one ``UPDATE`` per row is a round trip each on PostgreSQL: at a million
identities either takes minutes. A common table expression of ``VALUES`` joined in the
``UPDATE`` is one statement per few thousand rows on both engines (SQLite since 3.33).
"""

# ruff: noqa: S608  (table and column names come from the callers' models, never from input)

from __future__ import annotations

from collections.abc import Sequence
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
