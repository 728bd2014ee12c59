"""Two staff of the routed agency move the same public report from pages loaded at once:
the first change stands, the second is told in Spanish what the report became meanwhile and
changes nothing (the status change is locked and checked against the status she saw)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client

from conftest import login_verified
from violeta.agencies.models import User
from violeta.reports.choices import Channel
from violeta.reports.models import StatusChange
from violeta.reports.services import report_create

pytestmark = pytest.mark.django_db


def _report() -> Any:
    return report_create(
        reporter_role="woman", channel=Channel.WEB, description="Relato de prueba"
    ).report


def test_the_second_status_change_from_a_stale_page_is_refused(
    make_user: Callable[..., User],
) -> None:
    report = _report()
    ana = login_verified(Client(), make_user("operator", username="semujeres.op.ana"))
    bea = login_verified(Client(), make_user("operator", username="semujeres.op.bea"))
    url = f"/denuncias/{report.pk}/"
    for client in (ana, bea):
        page = client.get(url).content.decode()
        assert 'name="seen" value="received"' in page

    first = ana.post(f"{url}estado/", {"status": "assigned", "seen": "received"})
    assert first.status_code == 302
    second = bea.post(f"{url}estado/", {"status": "closed", "seen": "received"}, follow=True)
    text = second.content.decode()
    assert "Otra persona cambió esta denuncia a «" in text and "no se cambió nada" in text
    report.refresh_from_db()
    assert (report.status, report.assigned_to.username) == ("assigned", "semujeres.op.ana")
    changes = StatusChange.objects.filter(report=report).order_by("pk")
    assert [(c.from_status, c.to_status) for c in changes] == [
        ("", "received"),
        ("received", "assigned"),
    ]

    # From the page as it is now, her change goes through.
    again = bea.post(f"{url}estado/", {"status": "closed", "seen": "assigned"})
    assert again.status_code == 302
    report.refresh_from_db()
    assert report.status == "closed"


@pytest.mark.django_db(transaction=True)
def test_two_changes_at_the_same_instant_one_stands(make_user: Callable[..., User]) -> None:
    """Threads with a connection each (PostgreSQL; in turn on SQLite): the row is locked and
    the transition checked on it, so exactly one change from "received" is recorded."""
    report = _report()
    clients = [
        login_verified(Client(), make_user("operator", username=f"semujeres.op.{n}"))
        for n in ("ana", "bea")
    ]
    url = f"/denuncias/{report.pk}/estado/"
    bodies = [{"status": "assigned", "seen": "received"}, {"status": "closed", "seen": "received"}]
    results: dict[int, int] = {}
    start = threading.Barrier(2)

    def change(n: int) -> None:
        try:
            start.wait(10)
            results[n] = clients[n].post(url, bodies[n]).status_code
        finally:
            connections.close_all()

    if connection.vendor == "sqlite":
        for n in (0, 1):
            results[n] = clients[n].post(url, bodies[n]).status_code
    else:
        threads = [threading.Thread(target=change, args=(n,)) for n in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert results == {0: 302, 1: 302}  # both answered with the page again (and a message)
    moves = StatusChange.objects.filter(report=report, from_status="received")
    assert moves.count() == 1
    report.refresh_from_db()
    assert report.status == moves.get().to_status
    # A second close of a closed report: the clear message, nothing recorded.
    closer = clients[0]
    closer.post(url, {"status": "closed"})
    text = closer.post(url, {"status": "closed"}, follow=True).content.decode()
    assert "Un reporte no puede pasar de «Cerrado» a «Cerrado»." in text
    assert StatusChange.objects.filter(report=report, to_status="closed").count() == 1
