"""``/healthz`` (alive) and ``/readyz`` (can serve): each readiness check on its real condition."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client, override_settings

from violeta.agencies.models import Agency
from violeta.audit.models import AuditEntry
from violeta.records.choices import RecordSource
from violeta.records.services import record_register
from violeta.records.tests.factories import VALID_CURP, canonical_record
from violeta.records.validation import Catalogs, validate_record

pytestmark = pytest.mark.django_db

SYNTHETIC = {"given_names": "Zenaida Ofelia", "curp": VALID_CURP, "phone": "55 1234 9876"}


def _register_one() -> None:
    raw = canonical_record(victim=SYNTHETIC)
    data = validate_record(raw, agency=Agency.objects.get(code="SEMUJERES"), cats=Catalogs.load())
    record_register(actor=None, data=data, source=RecordSource.IMPORT)


def _ready(client: Client) -> tuple[int, dict[str, object]]:
    response = client.get("/readyz")
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    return response.status_code, json.loads(response.content)


def test_healthz_answers_without_login_and_without_the_database() -> None:
    with connection.execute_wrapper(_refuse_queries):
        response = Client().get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"


def _refuse_queries(*args: object) -> None:
    raise AssertionError("liveness must not touch the database")


def test_ready_when_database_migrations_and_keys_are_fine(catalogs: None) -> None:
    _register_one()  # a stored identity: the keys must decrypt it
    before = AuditEntry.objects.count()
    status, body = _ready(Client())
    assert status == 200
    assert body == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "keys": "ok"},
    }
    assert AuditEntry.objects.count() == before  # not audited per call


def test_not_ready_while_a_migration_is_unapplied() -> None:
    recorder = MigrationRecorder(connection)
    app, name = max(k for k in recorder.applied_migrations() if k[0] == "records")
    recorder.record_unapplied(app, name)  # the database says the newest records migration is not in
    try:
        status, body = _ready(Client())
    finally:
        recorder.record_applied(app, name)
    assert status == 503
    assert body == {
        "status": "not ready",
        "checks": {"database": "ok", "migrations": "failed", "keys": "ok"},
    }
    assert _ready(Client())[0] == 200  # and ready again once it is applied


def test_not_ready_when_the_keys_do_not_decrypt_what_is_stored(catalogs: None) -> None:
    _register_one()
    other_key = Fernet.generate_key().decode()
    with override_settings(ENCRYPTION_KEYS=[other_key]):  # a valid key, but not the data's
        status, body = _ready(Client())
    assert status == 503
    assert body["checks"] == {"database": "ok", "migrations": "ok", "keys": "failed"}
    with override_settings(ENCRYPTION_KEYS=["not-a-fernet-key"]):  # a key that is no key
        assert _ready(Client())[1]["checks"] == {
            "database": "ok",
            "migrations": "ok",
            "keys": "failed",
        }
    with override_settings(ENCRYPTION_KEYS=[other_key, *_current_keys()]):  # old key kept
        assert _ready(Client())[0] == 200


def _current_keys() -> list[str]:
    from django.conf import settings

    return list(settings.ENCRYPTION_KEYS)


def test_readyz_needs_no_login_and_leaks_nothing(catalogs: None) -> None:
    _register_one()
    with override_settings(ENCRYPTION_KEYS=[Fernet.generate_key().decode()]):
        response = Client().get("/readyz")
    text = response.content.decode()
    assert response.status_code == 503
    for secret in ("Zenaida", VALID_CURP, "9876", "InvalidToken", "Traceback"):
        assert secret not in text
    assert Client().post("/readyz").status_code == 405


CHILD = """
import json
from django.test import Client
response = Client().get("/readyz", HTTP_HOST="127.0.0.1")
print(json.dumps({"status": response.status_code, "body": json.loads(response.content)}))
"""


def test_not_ready_when_the_database_does_not_answer(tmp_path: Path) -> None:
    """A real process configured for a PostgreSQL server that is not there (a closed port)."""
    env = {
        **os.environ,
        "VIOLETA_MODE": "test",
        "DJANGO_SETTINGS_MODULE": "violeta.settings",
        "VIOLETA_DATA_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://violeta:secret-password@127.0.0.1:9/violeta",
    }
    done = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-m", "violeta.cli", "shell", "-v0", "-c", CHILD],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer == {
        "status": 503,
        "body": {
            "status": "not ready",
            "checks": {"database": "failed", "migrations": "skipped", "keys": "skipped"},
        },
    }
    assert "secret-password" not in done.stdout + done.stderr
    assert "readiness check database failed: OperationalError" in done.stderr


PROBE = """
import json
from django.test import Client
client = Client()
print(json.dumps([client.get(path, HTTP_HOST="127.0.0.1").status_code
                  for path in ("/healthz", "/readyz", "/cuenta/entrar/")]))
"""


def test_probes_over_plain_http_are_not_redirected_in_production(tmp_path: Path) -> None:
    """Production redirects HTTP to HTTPS, but a load balancer probes the backend directly."""
    env = {
        **os.environ,
        "VIOLETA_MODE": "production",
        "DJANGO_SETTINGS_MODULE": "violeta.settings",
        "VIOLETA_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",  # nothing migrated
        "VIOLETA_SECRET_KEY": "a-production-like-secret-key-for-this-test-only-0123456789",
        "VIOLETA_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "VIOLETA_INDEX_KEY": "index",
        "VIOLETA_AUDIT_KEY": "audit",
        "VIOLETA_SIGNING_KEY": "7S8wYQ5Oz8YQm0qkq2u0B0m8eD2cN1k2m3n4b5v6c7A=",
    }
    done = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-m", "violeta.cli", "shell", "-v0", "-c", PROBE],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    healthz, readyz, login = json.loads(done.stdout.strip().splitlines()[-1])
    assert (healthz, readyz) == (200, 503)  # answered over HTTP (not ready: not migrated)
    assert login == 301  # every other page goes to HTTPS
