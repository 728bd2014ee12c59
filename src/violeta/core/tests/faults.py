"""Helpers of the fault tests (test_faults_*.py): real processes against databases of their own.

Each fault test runs Violeta's own commands in subprocesses (``violeta migrate``, ``violeta
serve``, ``violeta import``, ``violeta audit verify``) against a database made for it, under
production settings with throw-away keys, and then reads that database directly with SQL to
check that nothing was lost, nothing is there twice and nothing is stored half-way.
"""

from __future__ import annotations

import base64
import os
import secrets
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

LOAD = (
    "import django; django.setup(); "
    "from violeta.catalogs.services import catalogs_load; catalogs_load(); "
    "from violeta.agencies.services import agencies_load; agencies_load()"
)


def _server_url() -> str:
    """The test run's PostgreSQL server (from settings), without a database name."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    user, password = db.get("USER") or "", db.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if user else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"


@contextmanager
def scratch_database(folder: Path, label: str) -> Iterator[str]:
    """An empty database of a test's own, as a URL for subprocesses: a SQLite file in ``folder``
    on SQLite runs; on PostgreSQL runs ``violeta_<label>_<pid>`` on the same server, dropped
    afterwards (also when the test fails)."""
    from django.conf import settings

    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        yield f"sqlite:///{folder / f'{label}.sqlite3'}"
        return
    import psycopg

    name = f"violeta_{label}_{os.getpid()}"
    server = _server_url()
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def production_env(url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a production Violeta on ``url`` with fresh keys (HTTP on loopback)."""
    signing = Ed25519PrivateKey.generate().private_bytes(
        Encoding.Raw, PrivateFormat.Raw, NoEncryption()
    )
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("VIOLETA_", "DJANGO_", "PYTEST"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="violeta.settings",
        VIOLETA_MODE="production",
        DATABASE_URL=url,
        VIOLETA_DATA_DIR=str(data_dir),
        VIOLETA_SECRET_KEY=secrets.token_urlsafe(50),
        VIOLETA_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        VIOLETA_INDEX_KEY=secrets.token_urlsafe(32),
        VIOLETA_AUDIT_KEY=secrets.token_urlsafe(32),
        VIOLETA_SIGNING_KEY=base64.b64encode(signing).decode(),
        VIOLETA_SSL_REDIRECT="0",
        VIOLETA_ALLOWED_HOSTS="127.0.0.1,localhost",
        **extra,
    )
    return env


def violeta(*args: str, env: dict[str, str], timeout: float = 300) -> str:
    """Run ``violeta ARGS`` to the end; its output (fails the test with stderr if it fails)."""
    done = subprocess.run(  # noqa: S603 - our own command, no shell
        [sys.executable, "-m", "violeta.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"violeta {' '.join(args)} exited {done.returncode}:\n{done.stderr}")
    return done.stdout


def prepare(env: dict[str, str]) -> None:
    """``violeta migrate``, then the catalogs and the agencies as the demo loads them."""
    violeta("migrate", "--verbosity", "0", env=env)
    subprocess.run([sys.executable, "-c", LOAD], env=env, check=True, timeout=300)  # noqa: S603


def audit_verify(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "violeta.cli", "audit", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@contextmanager
def connect(url: str) -> Iterator[Any]:
    """A DB-API connection to ``url`` (SQLite file or PostgreSQL), closed after the block."""
    if url.startswith("sqlite:///"):
        db = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30)
        try:
            yield db
        finally:
            db.close()
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        yield db


def rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    with connect(url) as db:
        return [tuple(r) for r in db.execute(sql).fetchall()]


def stored_ids(url: str) -> list[str]:
    """Every stored record's agency folio, one per row (a duplicate would show twice)."""
    return [r[0] for r in rows(url, "SELECT agency_record_id FROM records_agencyrecord")]


def half_stored(url: str, *, violence_types: bool = True) -> dict[str, list[Any]]:
    """Records stored half-way: without their woman (victim party), without their violence
    types (when every record sent had some), without their audit entry of creation; and people
    with no record at all."""
    no_victim = rows(
        url,
        "SELECT r.id FROM records_agencyrecord r WHERE NOT EXISTS (SELECT 1 FROM "
        "records_reportedidentity p WHERE p.record_id = r.id AND p.role = 'victim' "
        "AND p.person_id IS NOT NULL)",
    )
    no_types = rows(
        url,
        "SELECT r.id FROM records_agencyrecord r WHERE NOT EXISTS (SELECT 1 FROM "
        "records_agencyrecord_violence_types t WHERE t.agencyrecord_id = r.id)",
    )
    no_audit = rows(
        url,
        "SELECT r.id FROM records_agencyrecord r WHERE NOT EXISTS (SELECT 1 FROM "
        "audit_auditentry a WHERE a.subject_type = 'record' AND a.action = 'create' "
        "AND a.subject_id = CAST(r.id AS TEXT))",
    )
    lonely = rows(  # a person left by a registration that did not finish
        url,
        "SELECT p.id FROM people_person p WHERE NOT EXISTS (SELECT 1 FROM "
        "records_reportedidentity i WHERE i.person_id = p.id)",
    )
    found = {"no victim": no_victim, "no audit entry": no_audit, "person without record": lonely}
    if violence_types:
        found["no violence types"] = no_types
    return {what: ids for what, ids in found.items() if ids}
