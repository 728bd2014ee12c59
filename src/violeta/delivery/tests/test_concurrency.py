"""Four ``violeta worker`` processes draining one outbox: every delivery sent exactly once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from violeta.delivery.tests.receivers import webhook_receiver
from violeta.delivery.tests.test_kill import _environment, _violeta

SETUP = """
from django.db import transaction
from violeta.delivery.models import WebhookEndpoint
from violeta.delivery.services import deliveries_enqueue
for n in range(40):
    WebhookEndpoint.objects.create(name=f"e{{n}}", url={url!r}, secret="s3cret", levels=["aviso"])
with transaction.atomic():
    deliveries_enqueue(kind="alert", subject_id=1, level="aviso", title="Regla R5 · alerta 1",
                       url="/alertas/1/", user_ids=[])
"""
SENT = """
from violeta.delivery.models import Delivery
print(Delivery.objects.filter(state="sent", attempts=1).count(), Delivery.objects.count(),
      len({d.locked_by.split(":")[1] for d in Delivery.objects.all()}))
"""


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_never_deliver_twice(tmp_path: Path) -> None:
    env = _environment(tmp_path)
    if connection.vendor == "sqlite":
        _violeta(env, "migrate", "-v0")
    with webhook_receiver("s3cret", mode="slow") as receiver:
        _violeta(env, "shell", "-v0", "-c", SETUP.format(url=receiver.url))
        workers = [
            subprocess.Popen(
                [sys.executable, "-m", "violeta.cli", "worker", "--once", "--batch", "2"], env=env
            )
            for _ in range(4)
        ]
        assert [worker.wait(120) for worker in workers] == [0, 0, 0, 0]
    keys = [r["key"] for r in receiver.requests]
    assert len(keys) == len(set(keys)) == 40  # each delivery reached the receiver once
    assert receiver.bad_signatures == 0
    sent, total, workers_involved = _violeta(env, "shell", "-v0", "-c", SENT).split()
    assert (sent, total) == ("40", "40")
    assert int(workers_involved) >= 2  # the workers really competed for the same rows
