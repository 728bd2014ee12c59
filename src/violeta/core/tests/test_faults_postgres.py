"""Fault: PostgreSQL restarted in the middle of an import.

A private PostgreSQL cluster (initdb and pg_ctl of the machine's PostgreSQL 15, as the
``postgres`` OS user when the test runs as root, on a free port of 127.0.0.1, trust auth, its
data in a temporary folder) is made for this test alone; the machine's shared server is never
touched, so the test runs the same in the SQLite and the PostgreSQL pass. A real ``violeta
import`` of a generator file runs against it; after its first batch is committed the cluster
is restarted (``pg_ctl restart -m immediate``: every connection cut, crash recovery). The
import fails; run again, as the docs say, it stores every row of the file exactly once. Then:
nothing half-way (right after the fault only whole batches are there; every record has its
woman, its violence types and its audit entry) and ``violeta audit verify`` passes.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from violeta.core.tests import faults
from violeta.intake.loader import BATCH
from violeta.intake.mapping import load_mapping, read_rows, translate_row
from violeta.synth import generate

pytestmark = pytest.mark.faults


def _pg_bin() -> Path:
    """``VIOLETA_PG_BIN``, else the newest Debian PostgreSQL's (/usr/lib/postgresql/N/bin)."""
    if os.environ.get("VIOLETA_PG_BIN"):
        return Path(os.environ["VIOLETA_PG_BIN"])
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else Path("/usr/lib/postgresql/15/bin")


BIN = _pg_bin()
AGENCY = "FGJ"


class PrivateCluster:
    """A throw-away PostgreSQL cluster on 127.0.0.1:``port``, trust auth."""

    def __init__(self) -> None:
        if not (BIN / "initdb").is_file():
            pytest.fail(f"no PostgreSQL binaries in {BIN} (apt-get install postgresql)")
        self.root = Path(tempfile.mkdtemp(prefix="violeta-faults-pg-"))
        self.data = self.root / "data"
        self.port = faults.free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:  # initdb refuses root: the cluster belongs to the postgres OS user
            shutil.chown(self.root, "postgres", "postgres")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}"

    def run(self, *command: str, timeout: float = 120) -> None:
        argv = [str(BIN / command[0]), *command[1:]]
        if self.as_root:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        done = subprocess.run(  # noqa: S603 - the machine's PostgreSQL tools, no shell
            argv, capture_output=True, text=True, timeout=timeout, check=False, cwd=self.root
        )
        if done.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise AssertionError(f"{command[0]} failed: {done.stderr}\n{tail}")

    def start(self) -> None:
        self.run(
            "initdb",
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        )
        self.pg_ctl("start")

    def pg_ctl(self, action: str, *extra: str) -> None:
        # fsync=off: the fault is the server going away, not the machine losing power.
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off"
        log = str(self.root / "server.log")
        self.run("pg_ctl", "-D", str(self.data), "-l", log, "-w", "-o", options, action, *extra)

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self.pg_ctl("stop", "-m", "immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def cluster() -> Iterator[PrivateCluster]:
    private = PrivateCluster()
    try:
        private.start()
        yield private
    finally:
        private.stop()


def test_postgres_restarted_mid_import_then_rerun_stores_every_row_once(
    tmp_path: Path, cluster: PrivateCluster
) -> None:
    import psycopg

    generate(tmp_path, women=560, seed=7)
    path = tmp_path / f"{AGENCY}.csv"
    mapping = load_mapping(AGENCY)
    column = mapping["fields"]["agency_record_id"]["column"]
    id_of, types_of = {}, {}
    for number, row in read_rows(path, mapping):
        id_of[number] = row[column]
        canonical, _errors = translate_row(mapping, row, number)
        types_of[row[column]] = len(set((canonical or {}).get("violence_types") or []))
    assert len(id_of) > 2 * BATCH  # the restart falls with batches still to come

    with psycopg.connect(f"{cluster.url}/postgres", autocommit=True) as admin:
        admin.execute("CREATE DATABASE violeta_faults_import")
    url = f"{cluster.url}/violeta_faults_import"
    env = faults.production_env(url, tmp_path / "data")
    faults.prepare(env)

    command = [sys.executable, "-m", "violeta.cli", "import", "--agency", AGENCY, str(path)]
    log = (tmp_path / "first.log").open("w")
    first = subprocess.Popen([*command, "--no-progress"], env=env, stdout=log, stderr=log)  # noqa: S603
    deadline = time.monotonic() + 300
    while first.poll() is None and time.monotonic() < deadline:
        if faults.rows(url, "SELECT count(*) FROM records_agencyrecord")[0][0] > 0:
            break
        time.sleep(0.05)
    assert first.poll() is None, "the import ended before the restart"
    cluster.pg_ctl("restart", "-m", "immediate")  # every connection cut mid-batch
    first.wait(timeout=120)
    log.close()
    failure = (tmp_path / "first.log").read_text()
    after_fault = faults.stored_ids(url)
    assert first.returncode != 0, failure  # it could not finish: the server went away
    assert "Traceback" not in failure, failure  # a message saying what to do, not a traceback
    assert "vuelva a ejecutar" in failure, failure
    assert 0 < len(after_fault) < len(id_of)

    rejected = tmp_path / "rechazos.csv"
    again = [*command, "--no-progress", "--rejected", str(rejected)]
    subprocess.run(again, env=env, check=True, timeout=600, capture_output=True)  # noqa: S603
    bad_rows = {int(r["fila"]) for r in csv.DictReader(rejected.open(encoding="utf-8"))}
    expected = {i for n, i in id_of.items() if n not in bad_rows}
    stored = faults.stored_ids(url)
    assert len(stored) == len(set(stored))  # none twice
    assert set(stored) == expected  # none lost

    # Right after the fault only whole batches were there: the first k batches' valid rows.
    numbers = sorted(id_of)
    whole = [
        {id_of[n] for n in numbers[: k * BATCH] if n not in bad_rows}
        for k in range(1, len(numbers) // BATCH + 2)
    ]
    assert sorted(after_fault) == sorted(set(after_fault))
    assert set(after_fault) in whole, len(after_fault)
    assert faults.half_stored(url, violence_types=False) == {}  # some rows name no type
    linked = faults.rows(
        url,
        "SELECT r.agency_record_id, count(t.id) FROM records_agencyrecord r LEFT JOIN "
        "records_agencyrecord_violence_types t ON t.agencyrecord_id = r.id "
        "GROUP BY r.agency_record_id",
    )
    assert dict(linked) == {i: types_of[i] for i in expected}  # each its row's types, whole
    verified = faults.audit_verify(env)
    assert verified.returncode == 0, verified.stdout + verified.stderr
