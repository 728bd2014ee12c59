"""``violeta backup`` taken while records are being registered, restored into a fresh database.

Everything runs as real processes on real databases: two writer processes register records
through ``record_register`` without pause, ``violeta backup`` runs meanwhile, the writers are
stopped, ``violeta restore`` loads the backup into another database, and the restored database
is checked whole. On SQLite the databases are files under ``tmp_path``; when the test run is on
PostgreSQL (``DATABASE_URL``), scratch databases ``violeta_backup_src_<pid>`` and
``violeta_backup_dst_<pid>`` on the same server, dropped afterwards.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings

from violeta.core.tests.faults import scratch_database

ENGINE = (
    "postgresql" if settings.DATABASES["default"]["ENGINE"].endswith("postgresql") else "sqlite"
)

PREPARE = """
from django.core.management import call_command
call_command("migrate", verbosity=0)
from violeta.catalogs.services import catalogs_load; catalogs_load()
from violeta.agencies.services import agencies_load; agencies_load()
"""

# A writer: registers records until the stop file appears (at most 180 s), one per transaction.
WRITER = """
import sys, time
from pathlib import Path
import django; django.setup()
from violeta.agencies.models import Agency
from violeta.records.choices import RecordSource
from violeta.records.services import record_register
from violeta.records.tests.factories import canonical_record
from violeta.records.validation import Catalogs, validate_record
name, stop = sys.argv[1], Path(sys.argv[2])
agency, cats = Agency.objects.get(code="SEMUJERES"), Catalogs.load()
names = ["Rosa", "Julia", "Irma", "Sofía", "Alma", "Elena", "Nora"]
written, deadline = 0, time.monotonic() + 180
while not stop.exists() and time.monotonic() < deadline:
    raw = canonical_record(
        agency_record_id=f"{name}-{written}",
        victim={"given_names": names[written % 7], "first_surname": f"Prueba{name}{written}",
                "phone": f"55{written:08d}"},
    )
    data = validate_record(raw, agency=agency, cats=cats)
    record_register(actor=None, data=data, source=RecordSource.IMPORT)
    written += 1
print(written)
"""

# What the restored database holds, read through the ORM.
INSPECT = """
import json
from violeta.audit.models import AuditEntry
from violeta.audit.selectors import audit_verify
from violeta.people.models import Person
from violeta.records.models import AgencyRecord, ReportedIdentity
records = set(AgencyRecord.objects.values_list("pk", flat=True))
victims = list(ReportedIdentity.objects.filter(role="victim").values_list("record_id", "person_id"))
created = list(AuditEntry.objects.filter(subject_type="record", action="create")
               .values_list("subject_id", flat=True))
people = set(Person.objects.values_list("pk", flat=True))
print(json.dumps({
    "records": sorted(records),
    "victim_records": sorted(r for r, _ in victims),
    "victims_without_person": sorted(p for _, p in victims if p not in people),
    "audit_created": sorted(int(s) for s in created),
    "counts": {"records.AgencyRecord": len(records), "people.Person": len(people),
               "audit.AuditEntry": AuditEntry.objects.count()},
    "verify": str(audit_verify()),
    "names": sorted(Person.objects.exclude(given_names="").values_list("given_names", flat=True)
                    .distinct()),
}))
"""


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """The source database, migrated, with the catalogs and agencies (shared by the tests)."""
    folder = tmp_path_factory.mktemp("backup-source")
    with scratch_database(folder, "backup_src") as url:
        env = _env(folder, url)
        _violeta(env, "shell", "-v0", "-c", PREPARE)
        yield url, env


@pytest.fixture
def destination(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """An empty destination database."""
    with scratch_database(tmp_path, "backup_dst") as url:
        yield url, _env(tmp_path, url)


def _env(tmp_path: Path, url: str) -> dict[str, str]:
    return {
        **os.environ,
        "VIOLETA_MODE": "test",
        "DJANGO_SETTINGS_MODULE": "violeta.settings",
        "VIOLETA_DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": url,
    }


def _violeta(
    env: dict[str, str], *args: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - this interpreter, our own command
        [sys.executable, "-m", "violeta.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=check,
    )


def _records(url: str) -> int:
    sql = "SELECT COUNT(*) FROM records_agencyrecord"
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30) as db:
            return int(db.execute(sql).fetchone()[0])
    with psycopg.connect(url) as db:
        return int(db.execute(sql).fetchone()[0])  # type: ignore[index]


def _inspect(env: dict[str, str]) -> dict[str, Any]:
    out = _violeta(env, "shell", "-v0", "-c", INSPECT).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def test_backup_under_write_load_restores_whole(
    tmp_path: Path,
    source: tuple[str, dict[str, str]],
    destination: tuple[str, dict[str, str]],
) -> None:
    (src_url, src), (_dst_url, dst) = source, destination
    stop = tmp_path / "stop"
    writers = [
        subprocess.Popen(  # noqa: S603 - this interpreter, fixed code
            [sys.executable, "-c", WRITER, name, str(stop)],
            env=src,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("A", "B")
    ]
    try:
        deadline = time.monotonic() + 120
        while _records(src_url) < 20 and time.monotonic() < deadline:
            assert all(w.poll() is None for w in writers), "a writer died"
            time.sleep(0.2)
        before = _records(src_url)
        dump = tmp_path / "backups" / "violeta.dump"
        dump.parent.mkdir()
        made = _violeta(src, "backup", "--out", str(dump))
        after = _records(src_url)
        while _records(src_url) <= after and time.monotonic() < deadline + 60:
            time.sleep(0.2)  # the writers go on after the snapshot
        assert all(w.poll() is None for w in writers), "a writer died"
    finally:
        stop.touch()
        outputs = [w.communicate(timeout=120) for w in writers]
    assert all(w.returncode == 0 for w in writers), [err[-2000:] for _, err in outputs]
    written = sum(int(out.strip()) for out, _ in outputs)
    final = _records(src_url)
    assert final == written  # every registration the writers made committed

    manifest = json.loads((tmp_path / "backups" / "violeta.dump.manifest.json").read_text())
    snapshot = manifest["counts"]["records.AgencyRecord"]
    assert before < after  # the writers wrote while the backup ran
    assert before <= snapshot <= after < final
    assert manifest["engine"] == ENGINE and manifest["keys_included"] is False
    for written_file in (dump, dump.with_name(dump.name + ".manifest.json")):
        assert stat.S_IMODE(written_file.stat().st_mode) == 0o600  # the owner's only
    assert "keys are NOT in it" in made.stdout and manifest["dump"]["sha256"] in made.stdout
    if ENGINE == "sqlite":  # a plain database file: what it holds can be searched
        content = dump.read_bytes()
        # Whole surnames as the writers typed them ("PruebaA17"): a short string such as
        # "Rosa" turns up by chance in megabytes of base64 ciphertext (about once in 16 MB).
        assert re.search(rb"Prueba[AB]\d+", content) is None
        assert settings.ENCRYPTION_KEYS[0].encode() not in content

    restored = _violeta(dst, "restore", str(dump))
    assert "verified" in restored.stdout and "keys are NOT in it" in restored.stdout
    state = _inspect(dst)
    # Internally whole: every record has its woman, and its 'create' audit entry, and no
    # 'create' entry of a record is without its record.
    assert state["victim_records"] == state["records"]
    assert state["victims_without_person"] == []
    assert state["audit_created"] == state["records"]
    assert state["verify"].startswith("OK:")
    assert state["counts"] == manifest["counts"]
    assert len(state["records"]) == snapshot and snapshot < final
    assert {"Rosa", "Julia"} <= set(state["names"])  # the test keys decrypt what was restored

    # The same backup again over the restored database: refused without --force.
    again = _violeta(dst, "restore", str(dump), check=False)
    assert again.returncode != 0 and "not empty" in again.stderr and "--force" in again.stderr
    forced = _violeta(dst, "restore", "--force", str(dump))
    assert "verified" in forced.stdout
    assert _inspect(dst)["counts"] == manifest["counts"]


def test_restore_refuses_a_damaged_dump_or_a_manifest_that_disagrees(
    tmp_path: Path,
    source: tuple[str, dict[str, str]],
    destination: tuple[str, dict[str, str]],
) -> None:
    (_src_url, src), (dst_url, dst) = source, destination
    dump = tmp_path / "violeta.dump"
    _violeta(src, "backup", "--out", str(dump))
    manifest_file = tmp_path / "violeta.dump.manifest.json"
    manifest = json.loads(manifest_file.read_text())
    original = dump.read_bytes()

    taken = _violeta(src, "backup", "--out", str(dump), check=False)
    assert taken.returncode != 0 and "already exists" in taken.stderr

    damaged = bytearray(original)
    damaged[len(damaged) // 2] ^= 0xFF
    dump.write_bytes(bytes(damaged))
    refused = _violeta(dst, "restore", str(dump), check=False)
    assert refused.returncode != 0 and "SHA-256" in refused.stderr
    assert _records_or_none(dst_url) is None  # nothing was restored

    dump.write_bytes(original)
    wrong = {**manifest, "counts": {**manifest["counts"], "audit.AuditEntry": 999}}
    manifest_file.write_text(json.dumps(wrong))
    disagrees = _violeta(dst, "restore", str(dump), check=False)
    assert disagrees.returncode != 0
    assert "audit.AuditEntry" in disagrees.stderr and "manifest says 999" in disagrees.stderr

    manifest_file.unlink()
    missing = _violeta(dst, "restore", "--force", str(dump), check=False)
    assert missing.returncode != 0 and "no manifest" in missing.stderr


def _records_or_none(url: str) -> int | None:
    try:
        return _records(url)
    except (sqlite3.OperationalError, psycopg.errors.UndefinedTable):
        return None


def test_database_credentials_reach_pg_tools_through_the_environment_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:

    from violeta.core import backup

    calls: list[tuple[list[str], dict[str, str]]] = []

    def fake_run(argv: list[str], env: dict[str, str], **kwargs: Any) -> Any:
        calls.append((argv, env))
        return subprocess.CompletedProcess(argv, 0, "", "")

    monkeypatch.setattr(backup.subprocess, "run", fake_run)
    database = {
        **settings.DATABASES["default"],
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "violeta_prod",
        "USER": "violeta_backup",
        "PASSWORD": "s3cr3t-pw-Zq9",
        "HOST": "db.internal",
        "PORT": 6543,
    }
    monkeypatch.setitem(settings.DATABASES, "default", database)  # what the tools are given
    env = backup._pg_env()
    backup._run(["pg_dump", "--format=custom", "--file=/tmp/x.dump"], env, "pg_dump")
    ((argv, passed),) = calls
    assert not any("s3cr3t" in a or "violeta_backup" in a or "db.internal" in a for a in argv)
    assert passed["PGPASSWORD"] == "s3cr3t-pw-Zq9" and passed["PGUSER"] == "violeta_backup"
    assert (passed["PGHOST"], passed["PGPORT"], passed["PGDATABASE"]) == (
        "db.internal",
        "6543",
        "violeta_prod",
    )
