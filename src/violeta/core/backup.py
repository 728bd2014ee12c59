"""``violeta backup`` and ``violeta restore``: a consistent copy of the database and its manifest.

PostgreSQL: ``pg_dump --format=custom`` inside a snapshot exported by a repeatable-read
transaction, so the manifest's counts are those of the very rows in the dump; ``pg_restore
--clean --if-exists --no-owner --single-transaction`` back. SQLite: the online backup API
(``sqlite3.Connection.backup``), a consistent copy while the application writes (WAL).

The dump holds the encrypted columns as they are: **the keys are not in it**. Without
``VIOLETA_ENCRYPTION_KEYS``, ``VIOLETA_INDEX_KEY`` and ``VIOLETA_AUDIT_KEY`` the backup cannot
be read or verified; keep them apart from the backups.

Beside ``FILE`` goes ``FILE.manifest.json``: when, which engine, the applied migrations, the
row counts of records, people and audit entries, the audit trail's last entry and the dump's
SHA-256. ``restore`` checks the checksum before touching anything, then the migrations, the
counts, the audit chain (:func:`violeta.audit.chain.verify`), its last entry, and that the
configured keys decrypt the data. Database credentials reach ``pg_dump`` / ``pg_restore``
through the environment (``PGPASSWORD``…), never on their command line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.db import connections
from django.db.migrations.executor import MigrationExecutor

from violeta.audit import chain
from violeta.audit.models import AuditEntry
from violeta.core.crypto import InvalidToken
from violeta.people.models import Person
from violeta.records.models import AgencyRecord

FORMAT = "violeta-backup/1"
MANIFEST_SUFFIX = ".manifest.json"
COUNTED = (AgencyRecord, Person, AuditEntry)
KEYS_NOTE = (
    "The backup holds the personal data encrypted, as stored; the keys are NOT in it. Keep "
    "VIOLETA_ENCRYPTION_KEYS, VIOLETA_INDEX_KEY and VIOLETA_AUDIT_KEY (and VIOLETA_SECRET_KEY, "
    "VIOLETA_SIGNING_KEY) apart from the backups: without them it can be neither read nor "
    "verified."
)
RESTORE_ALIAS = "violeta_restore"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says what and where."""


@dataclass
class Restored:
    manifest: dict[str, Any]
    audit_entries: int
    pending_migrations: int
    problems: list[str] = field(default_factory=list)


def manifest_path(dump: Path) -> Path:
    return dump.with_name(dump.name + MANIFEST_SUFFIX)


def engine() -> str:
    name = str(settings.DATABASES["default"]["ENGINE"])
    if name.endswith("postgresql"):
        return "postgresql"
    if name.endswith("sqlite3"):
        return "sqlite"
    raise BackupError(f"backup supports PostgreSQL and SQLite, not {name}")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _state(cursor: Any) -> dict[str, Any]:
    """Migrations, counts and the audit trail's head as one cursor sees them (DB-API)."""
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    migrations: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        migrations.setdefault(app, []).append(name)
    counts = {}
    for model in COUNTED:
        cursor.execute(f"SELECT COUNT(*) FROM {model._meta.db_table}")  # noqa: S608 - our tables
        counts[model._meta.label] = int(cursor.fetchone()[0])
    cursor.execute(f"SELECT seq, hash FROM {AuditEntry._meta.db_table} ORDER BY seq DESC LIMIT 1")  # noqa: S608
    head = cursor.fetchone()
    return {
        "migrations": migrations,
        "counts": counts,
        "audit_head": {"seq": int(head[0]), "hash": head[1]} if head else None,
    }


def _pg_env() -> dict[str, str]:
    """libpq's environment for the configured database: nothing on a command line."""
    db: dict[str, Any] = dict(settings.DATABASES["default"])
    env = {**os.environ, "PGDATABASE": str(db["NAME"]), "PGCONNECT_TIMEOUT": "10"}
    for key, var in (("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD"), ("HOST", "PGHOST")):
        if db.get(key):
            env[var] = str(db[key])
    if db.get("PORT"):
        env["PGPORT"] = str(db["PORT"])
    if (db.get("OPTIONS") or {}).get("sslmode"):
        env["PGSSLMODE"] = str(db["OPTIONS"]["sslmode"])
    return env


def _pg_connect() -> psycopg.Connection[Any]:
    db = settings.DATABASES["default"]
    return psycopg.connect(
        dbname=db["NAME"],
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        sslmode=(db.get("OPTIONS") or {}).get("sslmode"),
    )


def _run(argv: list[str], env: dict[str, str], what: str) -> None:
    tool = shutil.which(argv[0])
    if tool is None:
        raise BackupError(f"{argv[0]} is not installed (Debian: apt-get install postgresql-client)")
    done = subprocess.run(  # noqa: S603 - fixed tool, arguments from our settings, no shell
        [tool, *argv[1:]], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{what} failed ({argv[0]} exit {done.returncode}): {done.stderr[-800:]}")


def _dump_postgres(out: Path) -> dict[str, Any]:
    with _pg_connect() as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]  # type: ignore[index]
            # pg_dump reads the same snapshot as the counts below, while this transaction lives.
            argv = ["pg_dump", "--format=custom", "--no-password", f"--snapshot={snapshot}"]
            _run([*argv, f"--file={out}"], _pg_env(), "pg_dump")
            state = _state(cursor)
        conn.rollback()
    return state


def _dump_sqlite(out: Path) -> dict[str, Any]:
    source = Path(str(settings.DATABASES["default"]["NAME"]))
    if not source.is_file():
        raise BackupError(f"the SQLite database {source} does not exist")
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(out)
    try:
        src.backup(dst)  # one step: a consistent snapshot, writers go on (WAL)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        return _state(dst.cursor())
    finally:
        dst.close()
        src.close()


def backup_create(*, out: Path) -> dict[str, Any]:
    """Write the dump to ``out`` and its manifest beside it; return the manifest."""
    kind = engine()
    if out.exists() or manifest_path(out).exists():
        raise BackupError(f"{out} already exists: choose another file name")
    if not out.parent.is_dir():
        raise BackupError(f"the folder {out.parent} does not exist")
    created = dt.datetime.now(dt.UTC)
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        state = _dump_postgres(partial) if kind == "postgresql" else _dump_sqlite(partial)
        partial.chmod(0o600)
        manifest = {
            "format": FORMAT,
            "created_at": created.isoformat(timespec="seconds"),
            "engine": kind,
            "violeta_version": version("violeta"),
            **state,
            "dump": {"file": out.name, "bytes": partial.stat().st_size},
            "keys_included": False,
            "keys_note": KEYS_NOTE,
        }
        manifest["dump"]["sha256"] = sha256_of(partial)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    target = manifest_path(out)
    target.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    target.chmod(0o600)
    return manifest


def manifest_read(dump: Path) -> dict[str, Any]:
    if not dump.is_file():
        raise BackupError(f"{dump} does not exist")
    path = manifest_path(dump)
    if not path.is_file():
        raise BackupError(f"no manifest beside the backup: {path} is missing")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise BackupError(f"{path} is not a Violeta backup manifest ({error})") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a Violeta backup manifest ({FORMAT})")
    return manifest


def _has_tables(cursor: Any, kind: str) -> bool:
    if kind == "postgresql":
        cursor.execute("SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema()")
    else:
        cursor.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'")
    return int(cursor.fetchone()[0]) > 0


def _target_is_empty(kind: str) -> bool:
    if kind == "postgresql":
        with _pg_connect() as conn, conn.cursor() as cursor:
            return not _has_tables(cursor, kind)
    path = Path(str(settings.DATABASES["default"]["NAME"]))
    if not path.exists() or path.stat().st_size == 0:
        return True
    with sqlite3.connect(path) as db:
        empty = not _has_tables(db.cursor(), kind)
    db.close()
    return empty


@contextmanager
def _alias_for(path: Path) -> Iterator[str]:
    """A temporary Django connection to the SQLite file ``path``."""
    connections.settings[RESTORE_ALIAS] = {**connections.settings["default"], "NAME": str(path)}
    try:
        yield RESTORE_ALIAS
    finally:
        connections[RESTORE_ALIAS].close()
        del connections[RESTORE_ALIAS]
        del connections.settings[RESTORE_ALIAS]


def verify(manifest: dict[str, Any], alias: str) -> tuple[list[str], int]:
    """What in the database ``alias`` disagrees with ``manifest`` (empty: nothing)."""
    problems: list[str] = []
    with connections[alias].cursor() as cursor:
        state = _state(cursor)
    if state["migrations"] != manifest.get("migrations"):
        problems.append("the applied migrations differ from the manifest's")
    for label, expected in (manifest.get("counts") or {}).items():
        found = state["counts"].get(label)
        if found != expected:
            problems.append(f"{label}: {found} rows, the manifest says {expected}")
    if state["audit_head"] != manifest.get("audit_head"):
        problems.append(
            f"the audit trail ends at {state['audit_head']}, the manifest says "
            f"{manifest.get('audit_head')}"
        )
    fields = (*chain.HASHED_FIELDS, "prev_hash", "hash")
    rows = AuditEntry.objects.using(alias).order_by("seq").values(*fields).iterator(2000)
    result = chain.verify(rows, settings.AUDIT_KEY)
    if not result.ok:
        problems.append(f"audit chain {result} (is VIOLETA_AUDIT_KEY the one of this backup?)")
    try:
        sample = Person.objects.using(alias).exclude(given_names="").order_by("-pk")
        sample.values_list("given_names").first()
    except (InvalidToken, ValueError):
        problems.append("the configured VIOLETA_ENCRYPTION_KEYS do not decrypt this backup's data")
    return problems, result.count


def _pending(alias: str) -> int:
    executor = MigrationExecutor(connections[alias])
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def backup_restore(*, dump: Path, force: bool = False) -> Restored:
    """Restore ``dump`` into the configured database, then verify it against its manifest.

    Refuses a dump whose checksum differs, a dump of another engine, and a target database
    that has tables (unless ``force``). SQLite: restored into a file beside the target and
    verified there first; the target is replaced only if everything agrees. PostgreSQL: one
    transaction (nothing half-way if it fails), verified after it commits.
    """
    manifest = manifest_read(dump)
    kind = engine()
    if manifest.get("engine") != kind:
        raise BackupError(
            f"{dump} is a {manifest.get('engine')} backup; the configured database is {kind}"
        )
    if sha256_of(dump) != manifest["dump"]["sha256"]:
        raise BackupError(f"{dump} does not match its manifest's SHA-256: damaged or altered")
    for conn in connections.all():
        conn.close()
    if not force and not _target_is_empty(kind):
        raise BackupError(
            "the configured database is not empty: restore replaces it, add --force to do so"
        )
    if kind == "postgresql":
        env = _pg_env()
        argv = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction"]
        argv += ["--exit-on-error", "--no-password", f"--dbname={env['PGDATABASE']}", str(dump)]
        _run(argv, env, "pg_restore")
        problems, entries = verify(manifest, "default")
        return Restored(manifest, entries, _pending("default"), problems)
    target = Path(str(settings.DATABASES["default"]["NAME"]))
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(target.name + ".restoring")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{staging}{suffix}").unlink(missing_ok=True)
    try:
        _sqlite_copy(dump, staging)
        with _alias_for(staging) as alias:
            problems, entries = verify(manifest, alias)
            pending = _pending(alias)
        if problems:
            return Restored(manifest, entries, pending, problems)  # the target is untouched
        _sqlite_copy(staging, target)
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{staging}{suffix}").unlink(missing_ok=True)
    return Restored(manifest, entries, pending, [])


def _sqlite_copy(source: Path, target: Path) -> None:
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
