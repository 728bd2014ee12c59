"""The staff queue: only the routed agency's people with the capability; reads and writes
audited; status transitions; answers go through the reporter's last channel."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from violeta.audit.models import AuditEntry
from violeta.reports.choices import Channel
from violeta.reports.models import ReportMessage
from violeta.reports.services import report_create

pytestmark = pytest.mark.django_db


def _report(**kwargs: Any) -> Any:
    kwargs.setdefault("description", "Relato-secreto del reporte")
    return report_create(reporter_role="woman", channel=Channel.WEB, **kwargs).report


def test_the_routed_agency_sees_its_report_and_the_read_is_audited(
    catalogs: None, staff_client: Any
) -> None:
    report = _report()  # default: SEMUJERES
    client = staff_client("operator", agency="SEMUJERES")
    queue = client.get("/denuncias/")
    assert queue.status_code == 200 and report.folio in queue.content.decode()
    assert "Relato-secreto" not in queue.content.decode()  # no narrative in the list
    detail = client.get(f"/denuncias/{report.pk}/")
    assert "Relato-secreto del reporte" in detail.content.decode()
    views = AuditEntry.objects.filter(subject_type="public_report", action="view")
    assert {e.details["view"] for e in views} == {"queue", "detail"}
    assert all(e.agency_code == "SEMUJERES" for e in views)


def test_another_agency_cannot_see_or_touch_the_report(catalogs: None, staff_client: Any) -> None:
    report = _report()
    other = staff_client("supervisor", agency="FGJ")
    assert report.folio not in other.get("/denuncias/").content.decode()
    assert other.get(f"/denuncias/{report.pk}/").status_code == 404
    assert other.post(f"/denuncias/{report.pk}/estado/", {"status": "assigned"}).status_code == 404
    assert other.post(f"/denuncias/{report.pk}/responder/", {"text": "hola"}).status_code == 404
    report.refresh_from_db()
    assert report.status == "received" and not ReportMessage.objects.exists()


def test_roles_without_the_capability_are_refused(catalogs: None, staff_client: Any) -> None:
    _report()
    assert staff_client("analyst", agency="SEMUJERES").get("/denuncias/").status_code == 403
    assert staff_client("auditor", agency="SEMUJERES").get("/denuncias/").status_code == 403


def test_the_public_cannot_reach_the_queue(catalogs: None) -> None:
    report = _report()
    response = Client().get(f"/denuncias/{report.pk}/")
    assert response.status_code == 302 and "/cuenta/" in response["Location"]


def test_status_moves_forward_with_history_and_refuses_going_back(
    catalogs: None, staff_client: Any, make_user: Any
) -> None:
    report = _report()
    client = staff_client("caseworker", agency="SEMUJERES")
    client.post(f"/denuncias/{report.pk}/estado/", {"status": "assigned"})
    client.post(f"/denuncias/{report.pk}/estado/", {"status": "in_attention"})
    report.refresh_from_db()
    assert report.status == "in_attention" and report.assigned_to.username == "semujeres.caseworker"
    response = client.post(f"/denuncias/{report.pk}/estado/", {"status": "received"}, follow=True)
    assert "no puede pasar de «En atención» a «Recibido»" in response.content.decode()
    client.post(f"/denuncias/{report.pk}/estado/", {"status": "nonsense"})
    report.refresh_from_db()
    assert report.status == "in_attention"
    steps = [(h.from_status, h.to_status) for h in report.history.all()]
    assert steps == [("", "received"), ("received", "assigned"), ("assigned", "in_attention")]
    updates = AuditEntry.objects.filter(subject_type="public_report", action="update").order_by(
        "seq"
    )
    assert [e.details["to"] for e in updates] == ["assigned", "in_attention"]


def test_an_answer_on_the_web_channel_shows_on_the_follow_up_page(
    catalogs: None, staff_client: Any
) -> None:
    report = _report()
    client = staff_client("caseworker", agency="SEMUJERES")
    client.post(f"/denuncias/{report.pk}/responder/", {"text": "Te llamamos mañana <i>"})
    message = ReportMessage.objects.get()
    assert (message.author, message.channel, message.delivery) == ("staff", "web", "shown")
    response = client.post(f"/denuncias/{report.pk}/responder/", {"text": "x" * 2001}, follow=True)
    assert "Mensaje: a lo más 2000 caracteres (tiene 2001)." in response.content.decode()
    assert ReportMessage.objects.count() == 1


def test_the_queue_does_not_query_per_report(catalogs: None, staff_client: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = staff_client("operator", agency="SEMUJERES")
    _report()
    with CaptureQueriesContext(connection) as few:
        client.get("/denuncias/")
    for _ in range(12):
        _report()
    with CaptureQueriesContext(connection) as many:
        assert client.get("/denuncias/").content.decode().count('id="report-') == 13
    assert len(many.captured_queries) == len(few.captured_queries)
