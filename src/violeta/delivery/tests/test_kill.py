"""``violeta worker`` killed mid-delivery: the lease expires, another worker delivers, once.

Both workers are real processes on a real database (the test's PostgreSQL database, or a
SQLite file: the in-memory SQLite of the test run is not reachable from another process).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils.dateparse import parse_datetime

from violeta.delivery.tests.receivers import webhook_receiver

LEASE_SECONDS = 10

SETUP = """
from django.db import transaction
from violeta.delivery.models import WebhookEndpoint
from violeta.delivery.services import deliveries_enqueue
WebhookEndpoint.objects.create(name="c5", url={url!r}, secret="s3cret", levels=["alarma"])
with transaction.atomic():
    deliveries_enqueue(kind="alert", subject_id=1, level="alarma", title="Regla R1 · alerta 1",
                       url="/alertas/1/", user_ids=[])
"""
STATE = """
import json
from violeta.delivery.models import Delivery
print(json.dumps([{"key": str(d.idempotency_key), "state": d.state, "attempts": d.attempts,
                   "locked_until": d.locked_until.isoformat() if d.locked_until else None}
                  for d in Delivery.objects.all()]))
"""


def _environment(tmp_path: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "VIOLETA_MODE": "test",
        "DJANGO_SETTINGS_MODULE": "violeta.settings",
        "VIOLETA_DATA_DIR": str(tmp_path),
        "VIOLETA_DELIVERY_LEASE_SECONDS": str(LEASE_SECONDS),
        "VIOLETA_WEBHOOK_TIMEOUT_SECONDS": "60",  # the worker really hangs on the receiver
    }
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'worker.sqlite3'}"
    else:
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        )
    return env


def _violeta(env: dict[str, str], *args: str) -> str:
    command = [sys.executable, "-m", "violeta.cli", *args]
    done = subprocess.run(command, env=env, check=True, capture_output=True, text=True, timeout=120)  # noqa: S603
    return done.stdout


def _state(env: dict[str, str]) -> dict[str, Any]:
    (row,) = json.loads(_violeta(env, "shell", "-v0", "-c", STATE))
    return dict(row)


@pytest.mark.django_db(transaction=True)
def test_killed_worker_leaves_a_lease_the_next_worker_takes_over(tmp_path: Path) -> None:
    env = _environment(tmp_path)
    if connection.vendor == "sqlite":
        _violeta(env, "migrate", "-v0")
    with webhook_receiver("s3cret", mode="hold_first") as receiver:
        _violeta(env, "shell", "-v0", "-c", SETUP.format(url=receiver.url))
        worker = subprocess.Popen(
            [sys.executable, "-m", "violeta.cli", "worker", "--sleep", "0.1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            assert receiver.got_request.wait(60), "the worker never reached the receiver"
        finally:
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(10)
        receiver.release.set()  # the held request ends; its worker is gone

        held = _state(env)
        assert (held["state"], held["attempts"]) == ("in_flight", 1)
        lease_ends = parse_datetime(held["locked_until"])
        assert lease_ends is not None

        _violeta(env, "worker", "--once")  # during the lease: nobody else takes it
        if time.time() < lease_ends.timestamp():
            assert len(receiver.requests) == 1
            assert _state(env)["state"] == "in_flight"

        time.sleep(max(0.0, lease_ends.timestamp() - time.time()) + 0.5)
        _violeta(env, "worker", "--once")

    final = _state(env)
    assert (final["state"], final["attempts"]) == ("sent", 2)
    assert [r["key"] for r in receiver.requests] == [final["key"], final["key"]]
    assert receiver.processed == [final["key"]]  # the receiver acted on it exactly once
    assert receiver.bad_signatures == 0
