"""``violeta worker`` SIGKILLed in the middle of a batch of alert emails, then started again.

Real processes, a real SMTP server on loopback (aiosmtpd, in this process) that is slow to
answer DATA, and a scratch database of their own: a SQLite file, or on PostgreSQL a database
``violeta_worker_kill_<pid>`` created and dropped here.

What a crash may and may not do:

* no delivery is lost or parked, and no ``Delivery`` row is duplicated;
* the in-app inbox is exactly once (the message and the "sent" mark commit together);
* email is at least once, and only that: an email the server accepted whose "sent" mark the
  dead worker never committed is sent again. Every email carries ``Message-ID:
  <idempotency key@violeta>``, so the copies of one delivery share one Message-ID (mail
  clients and servers fold them); the test checks that exactly the mails the server had
  accepted but the database had not marked sent at the kill arrive twice, nothing else;
* the deliveries the dead worker held are recovered when their lease expires
  (``VIOLETA_DELIVERY_LEASE_SECONDS``), by the next worker;
* the audit trail still verifies.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from email import message_from_string
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from violeta.core.tests import faults
from violeta.delivery.tests.receivers import Mailbox, free_port

LEASE_SECONDS = 3
SMTP_DELAY = 1.5  # seconds the server sits on each message before answering 250
USERS, ALERTS = 4, 5  # 20 alert emails and 20 inbox messages

SETUP = """
import json
from django.db import transaction
from violeta.agencies.models import Agency
from violeta.agencies.roles import Role
from violeta.agencies.services import agencies_load, user_create
from violeta.alerts.evaluation import FileContext, Finding
from violeta.alerts.ruleset import active_ruleset
from violeta.alerts.services import _raise
from violeta.catalogs.services import catalogs_load
from violeta.people.models import Person, PersonKind
from django.utils import timezone

catalogs_load()
agencies_load()
c5 = Agency.objects.get(code="C5")  # the agency on duty: every alert reaches its staff
for n in range({users}):
    user_create(username=f"c5.operator{{n}}", password="a-long-test-password-2026",
                role=Role.OPERATOR, agency=c5, email=f"operator{{n}}@example.org")
ruleset = active_ruleset()
rule = next(r for r in ruleset.rules if r["enabled"])
alerts = []
for n in range({alerts}):
    woman = Person.objects.create(kind=PersonKind.WOMAN, given_names="Prueba", first_surname="K")
    context = FileContext(person=woman, now=timezone.now(), record_ids=frozenset())
    with transaction.atomic():  # the change that raises it: alert, audit entry, outbox rows
        alerts.append(_raise(ruleset, rule, woman, Finding(cause_key=f"kill-{{n}}",
                                                          evidence=()), context).pk)
print(json.dumps(alerts))
"""
STATE = """
import json
from violeta.delivery.models import Delivery, InboxMessage
print(json.dumps({
    "deliveries": [
        {"pk": d.pk, "channel": d.channel, "key": str(d.idempotency_key), "state": d.state,
         "attempts": d.attempts, "locked": d.locked_until is not None, "user": d.user_id,
         "subject": d.subject_id}
        for d in Delivery.objects.order_by("pk")
    ],
    "inbox": [[m.delivery_id, m.user_id, m.url] for m in InboxMessage.objects.order_by("pk")],
}))
"""


class SlowMailbox(Mailbox):
    """Accepts the message (it is in the mailbox), then waits before answering 250: a worker
    killed meanwhile never learns that the server has it."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        answer = await super().handle_DATA(server, session, envelope)
        await asyncio.sleep(SMTP_DELAY)
        return answer


@pytest.fixture
def scratch_database(tmp_path: Path) -> Iterator[str]:
    with faults.scratch_database(tmp_path, "worker_kill") as url:
        yield url


def _violeta(env: dict[str, str], *args: str) -> str:
    command = [sys.executable, "-m", "violeta.cli", *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)  # noqa: S603
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _state(env: dict[str, str]) -> dict[str, Any]:
    return dict(json.loads(_violeta(env, "shell", "-v0", "-c", STATE)))


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "violeta.cli", "worker", "--sleep", "0.2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _message_ids(mailbox: Mailbox) -> list[str]:
    return [
        str(message_from_string(m["content"], policy=default)["Message-ID"])
        for m in mailbox.messages
    ]


def _wait(condition: Any, seconds: float, what: str) -> None:
    ends = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < ends, what
        time.sleep(0.05)


def test_worker_killed_mid_delivery(tmp_path: Path, scratch_database: str) -> None:
    mailbox = SlowMailbox()
    port = free_port()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=port)
    smtp.start()
    env = {
        **os.environ,
        "VIOLETA_MODE": "test",
        "DJANGO_SETTINGS_MODULE": "violeta.settings",
        "VIOLETA_DATA_DIR": str(tmp_path),
        "DATABASE_URL": scratch_database,
        "VIOLETA_DELIVERY_LEASE_SECONDS": str(LEASE_SECONDS),
        "VIOLETA_EMAIL_HOST": "127.0.0.1",
        "VIOLETA_EMAIL_PORT": str(port),
        "VIOLETA_EMAIL_TIMEOUT": "30",
    }
    try:
        _violeta(env, "migrate", "-v0")
        alerts = json.loads(
            _violeta(env, "shell", "-v0", "-c", SETUP.format(users=USERS, alerts=ALERTS))
        )
        before = _state(env)
        emails = {d["key"] for d in before["deliveries"] if d["channel"] == "email"}
        inbox = [d["pk"] for d in before["deliveries"] if d["channel"] == "inbox"]
        assert (len(alerts), len(emails), len(inbox)) == (ALERTS, USERS * ALERTS, USERS * ALERTS)

        worker = _worker(env)
        try:  # the first 8 emails answered, the next ones held by the server: kill now
            _wait(lambda: len(mailbox.messages) >= 9, 120, "the worker never got that far")
        finally:
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(10)
        accepted_at_kill = set(_message_ids(mailbox))
        at_kill = _state(env)
        held = [d for d in at_kill["deliveries"] if d["state"] == "in_flight"]
        sent_at_kill = {
            f"<{d['key']}@violeta>" for d in at_kill["deliveries"] if d["state"] == "sent"
        }
        unconfirmed = accepted_at_kill - sent_at_kill  # the server has them, the database not
        assert held and all(d["locked"] and d["channel"] == "email" for d in held)
        assert unconfirmed, "the kill did not land mid-delivery"
        assert unconfirmed <= {f"<{d['key']}@violeta>" for d in held}

        worker = _worker(env)  # started again: takes the held deliveries once their lease ends
        try:
            _wait(
                lambda: all(d["state"] == "sent" for d in _state(env)["deliveries"]),
                120,
                "deliveries were not recovered after the kill",
            )
        finally:
            worker.terminate()
            worker.wait(30)
        time.sleep(SMTP_DELAY)  # nothing more may arrive
        received = _message_ids(mailbox)
        _violeta(env, "audit", "verify")
    finally:
        smtp.stop()

    after = _state(env)
    assert [(d["pk"], d["key"]) for d in after["deliveries"]] == [
        (d["pk"], d["key"]) for d in before["deliveries"]
    ]  # no row lost, none added
    assert {d["state"] for d in after["deliveries"]} == {"sent"}  # none parked, none failed
    counts = Counter(received)
    assert set(counts) == {f"<{key}@violeta>" for key in emails}  # one Message-ID per delivery
    twice = {message_id for message_id, n in counts.items() if n > 1}
    assert twice == unconfirmed and max(counts.values()) == 2
    assert len(received) == len(emails) + len(unconfirmed) <= len(emails) + len(held)
    retried = {f"<{d['key']}@violeta>" for d in after["deliveries"] if d["attempts"] == 2}
    assert retried == {f"<{d['key']}@violeta>" for d in held}  # the held ones, once more each
    assert sorted(row[0] for row in after["inbox"]) == sorted(inbox)  # inbox: exactly once
    assert Counter((row[1], row[2]) for row in after["inbox"]) == Counter(
        (d["user"], f"/alertas/{d['subject']}/")
        for d in before["deliveries"]
        if d["channel"] == "inbox"
    )
