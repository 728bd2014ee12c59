"""A real ``violeta import`` killed half-way (SIGKILL), then run again: every valid row is
there once. And the reader streams: memory does not grow with the file."""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
from django.conf import settings

from violeta.intake.bench import fresh_database
from violeta.intake.files import iter_rows, open_file
from violeta.intake.mapping import compile_mapping, load_mapping, read_rows
from violeta.intake.tests.test_loader import HEADER, _row
from violeta.synth import generate

PREPARE = (
    "import django; django.setup(); from django.core.management import call_command; "
    "call_command('migrate', verbosity=0); "
    "from violeta.catalogs.services import catalogs_load; catalogs_load(); "
    "from violeta.agencies.services import agencies_load; agencies_load()"
)


def _engine() -> str:
    return (
        "postgres" if settings.DATABASES["default"]["ENGINE"].endswith("postgresql") else "sqlite"
    )


def _ids(url: str) -> list[str]:
    """The agency record ids stored, one per row of the table (duplicates would show)."""
    sql = "SELECT agency_record_id FROM records_agencyrecord"
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30) as db:
            return [r[0] for r in db.execute(sql)]
    import psycopg

    with psycopg.connect(url) as db:
        return [r[0] for r in db.execute(sql)]


@pytest.mark.django_db(transaction=True)
def test_killed_half_way_then_rerun_gives_every_valid_row_once(tmp_path: Path) -> None:
    generate(tmp_path, women=800, seed=7)
    path = tmp_path / "SEMUJERES.csv"
    mapping = load_mapping("SEMUJERES")
    column = mapping["fields"]["agency_record_id"]["column"]
    id_of = {number: row[column] for number, row in read_rows(path, mapping)}
    assert len(id_of) > 1100  # three batches of 500

    engine = _engine()  # on PostgreSQL, a database named after this run's test database
    name = f"{settings.DATABASES['default']['NAME']}_resume" if engine == "postgres" else "resume"
    url = fresh_database(engine, name)
    env = {**os.environ, "DATABASE_URL": url, "VIOLETA_DATA_DIR": str(tmp_path / "data")}
    subprocess.run([sys.executable, "-c", PREPARE], env=env, check=True, timeout=300)  # noqa: S603
    command = [sys.executable, "-m", "violeta.cli", "import", "--agency", "SEMUJERES", str(path)]
    first = subprocess.Popen([*command, "--no-progress"], env=env)  # noqa: S603
    deadline = time.monotonic() + 300
    while len(_ids(url)) < 500 and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    assert first.returncode == -signal.SIGKILL, "killed before it finished"
    half = len(_ids(url))
    assert 500 <= half < len(id_of)  # some batches committed, not all

    rejected = tmp_path / "rechazos.csv"
    again = [*command, "--no-progress", "--rejected", str(rejected)]
    subprocess.run(again, env=env, check=True, timeout=600)  # noqa: S603
    bad_rows = {int(r["fila"]) for r in csv.DictReader(rejected.open(encoding="utf-8"))}
    expected = {i for n, i in id_of.items() if n not in bad_rows}
    stored = _ids(url)
    assert len(stored) == len(set(stored))  # none twice
    assert set(stored) == expected  # none lost
    assert len(stored) > half


def _peak_reading(path: Path) -> int:
    mapping = load_mapping("SEMUJERES")
    compiled = compile_mapping(mapping)
    tracemalloc.start()
    source = open_file(path, mapping, [compiled.kind, *compiled.fields])
    for _row_number, _cells in iter_rows(source):
        pass
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_reading_streams_memory_does_not_grow_with_the_file(tmp_path: Path) -> None:
    small, large = tmp_path / "small.csv", tmp_path / "large.csv"
    line = _row("A-1")
    small.write_text(HEADER + "\n" + "\n".join([line] * 20_000) + "\n", encoding="utf-8")
    large.write_text(HEADER + "\n" + "\n".join([line] * 100_000) + "\n", encoding="utf-8")
    peak_small, peak_large = _peak_reading(small), _peak_reading(large)
    assert large.stat().st_size > 4 * small.stat().st_size
    assert peak_large < 1.5 * peak_small + 256 * 1024, (peak_small, peak_large)
    assert peak_large < 8 * 1024 * 1024  # a 30 MB file read with a few MB
