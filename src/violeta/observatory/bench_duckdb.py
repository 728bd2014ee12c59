# ruff: noqa: S608  (SQL built from this module's own constants and file names; no input)
"""The limit for the observatory bench: the same figures computed directly by DuckDB.

The facts the release counts (one row per woman's record in the published window, its types,
its modalities, the alerts) are exported once from the database to Parquet; then every
published table is one ``GROUP BY`` (with ``GROUPING SETS`` for its margins) over those files,
written independently of ``observatory.counting``. Its keys are the release's keys, so the two
can be compared figure by figure.
"""

from __future__ import annotations

import csv
import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
from django.db import connection
from django.db.models import QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import TruncMonth
from django.utils import timezone

from violeta.alerts.models import Alert
from violeta.observatory.counting import _base  # the same window and codes as the release
from violeta.observatory.models import Release
from violeta.observatory.tables import ALCALDIA_TABLES, MONTH_TABLES
from violeta.records.models import AgencyRecord

FACTS = ["record_id", "who", "month", "alcaldia", "agency", "age", "risk", "kind", "carpeta"]
SINGLE_COLUMNS = {"alcaldia": "alcaldia", "age": "age", "agency": "agency", "risk": "risk"}


def _querysets(release: Release) -> dict[str, tuple[QuerySet[Any], list[str]]]:
    start = dt.datetime(
        int(release.first_month[:4]), int(release.first_month[5:7]), 1,
        tzinfo=timezone.get_current_timezone(),
    )  # fmt: skip
    until = release.created_at
    facts = (
        _base(start, until)
        .annotate(carpeta=KeyTextTransform("carpeta", "record__details"))
        .values_list("record_id", "who", "month", "place", "agency_code", "age_group",
                     "risk_value", "record__kind__code", "carpeta")
    )  # fmt: skip
    types = AgencyRecord.violence_types.through.objects.values_list(
        "agencyrecord_id", "violencetype__code"
    )
    modalities = AgencyRecord.modalities.through.objects.values_list(
        "agencyrecord_id", "modality__code"
    )
    alerts = (
        Alert.objects.filter(created_at__gte=start, created_at__lte=until)
        .annotate(month=TruncMonth("created_at"))
        .order_by()
        .values_list("person_id", "month", "level")
    )
    return {
        "facts": (facts.order_by(), FACTS),
        "types": (types, ["record_id", "code"]),
        "modalities": (modalities, ["record_id", "code"]),
        "alerts": (alerts, ["who", "month", "level"]),
    }


def _write_csv(qs: QuerySet[Any], path: Path) -> None:
    """The query's rows as CSV: PostgreSQL's ``COPY … TO STDOUT``, else a cursor."""
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor, path.open("w", newline="", encoding="utf-8") as out:
        if connection.vendor == "postgresql":
            import psycopg

            raw = cursor.cursor
            text = psycopg.ClientCursor(raw.connection).mogrify(sql, params)
            with raw.copy(f"COPY ({text}) TO STDOUT WITH (FORMAT csv)") as copy:
                for block in copy:
                    out.write(bytes(block).decode("utf-8"))
            return
        cursor.execute(sql, params)
        writer = csv.writer(out)
        while rows := cursor.fetchmany(10_000):
            writer.writerows(rows)


def export(release: Release, folder: Path) -> dict[str, int]:
    """Every fact of the release's window to ``folder/<name>.parquet``; rows per file."""
    folder.mkdir(parents=True, exist_ok=True)
    db = duckdb.connect()
    rows = {}
    for name, (qs, columns) in _querysets(release).items():
        source = folder / f"{name}.csv"
        _write_csv(qs, source)
        types = {c: "VARCHAR" for c in columns}
        types.update({c: "BIGINT" for c in ("record_id", "who") if c in columns})
        month = "substr(month, 1, 7) AS month" if "month" in columns else ""
        select = ", ".join(month if c == "month" else c for c in columns)
        db.execute(
            f"COPY (SELECT {select} FROM read_csv(?, header = false, columns = {types!r})) "
            f"TO '{folder / name}.parquet' (FORMAT parquet)",
            [str(source)],
        )
        counted = db.execute(f"SELECT count(*) FROM '{folder / name}.parquet'").fetchone()
        rows[name] = int(counted[0]) if counted else 0
        source.unlink()
    db.close()
    return rows


def _source(dim: str) -> str:
    """Rows (who, month, place, value) of a dimension: one per record and value."""
    if dim in SINGLE_COLUMNS:
        return f"SELECT who, month, alcaldia AS place, {SINGLE_COLUMNS[dim]} AS value FROM facts"
    if dim in ("type", "modality"):
        table = "types" if dim == "type" else "modalities"
        return (
            f"SELECT f.who, f.month, f.alcaldia AS place, t.code AS value "
            f"FROM facts f JOIN {table} t USING (record_id)"
        )
    return " UNION ALL ".join(
        f"SELECT who, month, alcaldia AS place, '{stage}' AS value FROM facts WHERE {cond}"
        for stage, cond in (
            ("report", "kind = 'complaint'"),
            ("investigation", "kind = 'complaint' AND coalesce(carpeta, '') <> ''"),
            ("protection_order", "kind = 'protection_order'"),
        )
    )


def queries() -> dict[str, str]:
    """One query per published table; each row: key, records, women."""
    found = {
        "month": "SELECT CASE WHEN grouping(month) = 1 THEN 'total' ELSE 'month|' || month END, "
        "count(*), count(DISTINCT who) FROM facts GROUP BY GROUPING SETS ((month), ())",
        "alert_level": "SELECT CASE WHEN grouping(month) = 1 AND grouping(level) = 1 THEN 'alerts' "
        "WHEN grouping(level) = 1 THEN 'alerts_month|' || month "
        "WHEN grouping(month) = 1 THEN 'alert_level|' || level "
        "ELSE 'cell|month|alert_level|' || month || '|' || level END, "
        "count(*), count(DISTINCT who) FROM alerts "
        "GROUP BY GROUPING SETS ((month, level), (month), (level), ())",
    }
    for dim in MONTH_TABLES:
        found[f"month-{dim}"] = (
            f"SELECT CASE WHEN grouping(month) = 1 THEN '{dim}|' || value "
            f"ELSE 'cell|month|{dim}|' || month || '|' || value END, count(*), "
            f"count(DISTINCT who) FROM ({_source(dim)}) "
            "GROUP BY GROUPING SETS ((month, value), (value))"
        )
    for dim in ALCALDIA_TABLES:
        found[f"alcaldia-{dim}"] = (
            f"SELECT 'cell|alcaldia|{dim}|' || place || '|' || value, count(*), "
            f"count(DISTINCT who) FROM ({_source(dim)}) GROUP BY place, value"
        )
    return found


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p * len(ordered) + 0.5) - 1))]


def aggregate(folder: Path, runs: int) -> tuple[dict[str, int | float], dict[str, tuple[int, int]]]:
    """Run every table's query ``runs`` times over the Parquet files: the seconds of each
    (p95 per table, the worst table, all tables) and the figures (key → records, women)."""
    db = duckdb.connect()
    for name in ("facts", "types", "modalities", "alerts"):
        db.execute(f"CREATE VIEW {name} AS SELECT * FROM '{folder / name}.parquet'")
    figures: dict[str, tuple[int, int]] = {}
    p95s: dict[str, float] = {}
    total = 0.0
    for table, sql in queries().items():
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            rows = db.execute(sql).fetchall()
            times.append(time.perf_counter() - started)
        for key, records, women in rows:
            figures[key] = (int(records), int(women))
        p95s[table] = _percentile(times, 0.95)
        total += sorted(times)[len(times) // 2]
    db.close()
    worst = max(p95s, key=lambda t: p95s[t])
    stats: dict[str, int | float] = {
        "p95_max": p95s[worst], "p95_median": _percentile(list(p95s.values()), 0.5),
        "all_tables": total, "tables": len(p95s),
    }  # fmt: skip
    return stats, figures


def compare(
    release_figures: dict[str, tuple[int | None, int | None]],
    duck: dict[str, tuple[int, int]],
) -> Iterator[tuple[str, tuple[int | None, int | None], tuple[int, int] | None]]:
    """Every published (unsuppressed, nonzero) figure whose records or women differ from
    DuckDB's, with both values."""
    for key, (records, women) in release_figures.items():
        if records is None:
            continue
        other = duck.get(key)
        if other is None and records == 0:
            continue
        if other != (records, women):
            yield key, (records, women), other
