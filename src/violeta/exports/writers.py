"""The national registry's rows as CSV or JSON text, a piece at a time (for streaming).

CSV: UTF-8 without a byte-order mark, comma-separated, CRLF line ends (RFC 4180), a header row
with the schema's column names; an empty cell is a missing value; booleans are ``true`` /
``false``; lists inside a cell are separated by ``;``. JSON: one object with the schema's name
and version, the period, ``generated_at`` and ``rows`` (the same columns; missing values are
``null``, booleans and integers typed).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.utils import timezone

from violeta.exports.banavim import columns, table_schema
from violeta.exports.period import Period

FORMATS = ("csv", "json")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def csv_chunks(rows: Iterable[dict[str, Any]], *, every: int = 500) -> Iterator[str]:
    names = columns()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(names)
    for n, row in enumerate(rows, start=1):
        writer.writerow([_cell(row[name]) for name in names])
        if n % every == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _json_value(value: Any) -> Any:
    return None if value == "" else value


def json_chunks(
    rows: Iterable[dict[str, Any]], *, period: Period, agency: str | None
) -> Iterator[str]:
    schema = table_schema()
    head = {
        "schema": schema["name"],
        "schema_version": schema["version"],
        "generated_at": timezone.localtime().isoformat(),
        "generated_by_agency": agency,
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
    }
    opening = json.dumps(head, ensure_ascii=False)[:-1]
    yield opening + ', "rows": ['
    names = columns()
    for n, row in enumerate(rows):
        item = {name: _json_value(row[name]) for name in names}
        yield ("," if n else "") + "\n" + json.dumps(item, ensure_ascii=False)
    yield "\n]}\n"


def chunks(
    fmt: str, rows: Iterable[dict[str, Any]], *, period: Period, agency: str | None
) -> Iterator[str]:
    if fmt == "csv":
        return csv_chunks(rows)
    return json_chunks(rows, period=period, agency=agency)
