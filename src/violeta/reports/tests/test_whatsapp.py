"""The WhatsApp webhook: handshake, signature, de-duplication, the conversation, replies sent
to a fake Graph API server on loopback, and a web report continued over WhatsApp."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from violeta.audit.models import AuditEntry
from violeta.reports.choices import Channel
from violeta.reports.models import Conversation, InboundMessage, PublicReport, ReportMessage
from violeta.reports.services import report_create
from violeta.reports.tests.conftest import (
    ACCESS_TOKEN,
    PHONE_ID,
    VERIFY_TOKEN,
    FakeGraph,
    sign,
    wa_payload,
)

pytestmark = pytest.mark.django_db
URL = "/denuncia/whatsapp/webhook"
SENDER = "5215512345678"


def _send(text: str, message_id: str, sender: str = SENDER, secret: str | None = None) -> Any:
    body = wa_payload(sender, text, message_id)
    signature = sign(body) if secret is None else sign(body, secret)
    return Client().post(
        URL, body, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=signature
    )


def test_the_verification_handshake(graph: FakeGraph) -> None:
    ok = Client().get(
        URL, {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "42"}
    )
    assert ok.status_code == 200 and ok.content == b"42"
    bad = Client().get(
        URL, {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "42"}
    )
    assert bad.status_code == 403


def test_a_bad_or_missing_signature_is_refused_audited_and_nothing_stored(
    catalogs: None, graph: FakeGraph
) -> None:
    assert _send("hola", "wamid.1", secret="another-secret").status_code == 403
    body = wa_payload(SENDER, "hola", "wamid.2")
    assert Client().post(URL, body, content_type="application/json").status_code == 403
    assert not Conversation.objects.exists() and not InboundMessage.objects.exists()
    refused = AuditEntry.objects.filter(subject_type="whatsapp_webhook")
    assert refused.count() == 2 and refused.first().details == {"refused": "signature"}
    assert graph.received == []


def test_without_an_app_secret_everything_is_refused(
    catalogs: None, graph: FakeGraph, settings: Any
) -> None:
    settings.VIOLETA_WHATSAPP_APP_SECRET = ""
    assert _send("hola", "wamid.1").status_code == 403


def test_a_conversation_creates_a_report_and_replies_with_folio_and_secret(
    catalogs: None, graph: FakeGraph
) -> None:
    for n, text in enumerate(["hola", "2", "6", "1", "Lo golpea en la calle <b>"]):
        assert _send(text, f"wamid.{n}").status_code == 200
    report = PublicReport.objects.get()
    assert report.reporter_role == "witness" and report.alcaldia.inegi_code == "09007"
    assert report.immediate_danger and report.agency.code == "SSC"
    assert report.channels == ["whatsapp"] and report.description == "Lo golpea en la calle <b>"
    replies = graph.texts_to(SENDER)
    assert len(replies) == 5 and "¿Quién reporta?" in replies[0]
    assert "6. Iztapalapa" in replies[1]
    assert report.folio in replies[4] and "llama al 911" in replies[4]
    secret = re.search(r"Clave secreta: ([A-Z0-9-]+)\.", replies[4]).group(1)
    request = graph.received[-1]
    assert request["path"] == f"/v21.0/{PHONE_ID}/messages"
    assert request["authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert request["content_type"] == "application/json"
    assert request["body"]["messaging_product"] == "whatsapp"
    assert request["body"]["type"] == "text"
    # The secret opens the web follow-up page: WhatsApp to web.
    web = Client()
    web.post("/denuncia/seguimiento/", {"action": "open", "folio": report.folio, "secret": secret})
    assert report.folio in web.get("/denuncia/seguimiento/").content.decode()
    conversation = Conversation.objects.get()
    assert SENDER not in conversation.phone_index
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM reports_conversation")
        raw = cursor.fetchone()[0]
    assert raw and SENDER not in raw  # stored encrypted


def test_a_retried_message_is_processed_once(catalogs: None, graph: FakeGraph) -> None:
    for n, text in enumerate(["hola", "1", "0", "2"]):
        _send(text, f"wamid.{n}")
    _send("Me amenaza", "wamid.same")
    _send("Me amenaza", "wamid.same")
    assert PublicReport.objects.count() == 1 and InboundMessage.objects.count() == 5
    assert len(graph.texts_to(SENDER)) == 5


def test_a_web_report_continues_over_whatsapp_and_the_agency_answers_there(
    catalogs: None, graph: FakeGraph, staff_client: Any
) -> None:
    created = report_create(reporter_role="woman", description="Empezó en la web", channel="web")
    report = created.report
    assert _send(f"FOLIO {report.folio} {created.secret.lower()}", "wamid.a").status_code == 200
    assert f"Ahora sigues el reporte {report.folio}" in graph.texts_to(SENDER)[0]
    _send("Hoy volvió a pasar", "wamid.b")
    report.refresh_from_db()
    assert report.channels == ["web", "whatsapp"] and report.last_channel == Channel.WHATSAPP
    message = ReportMessage.objects.get()
    assert (message.author, message.channel, message.text) == (
        "reporter",
        "whatsapp",
        "Hoy volvió a pasar",
    )
    staff = staff_client("caseworker", agency="SEMUJERES")
    staff.post(f"/denuncias/{report.pk}/responder/", {"text": "Te buscamos hoy"})
    answer = ReportMessage.objects.filter(author="staff").get()
    assert answer.channel == "whatsapp" and answer.delivery == "sent"
    assert (
        graph.texts_to(SENDER)[-1] == f"Respuesta sobre tu reporte {report.folio}: Te buscamos hoy"
    )


def test_a_wrong_secret_over_whatsapp_is_refused_then_limited(
    catalogs: None, graph: FakeGraph
) -> None:
    created = report_create(reporter_role="woman", description="x", channel="web")
    for n in range(6):
        _send(f"FOLIO {created.report.folio} AAAA-BBBB-CCCC-DDDD", f"wamid.{n}")
    replies = graph.texts_to(SENDER)
    assert replies[0] == "El folio o la clave secreta no es correcto. Revisa ambos."
    assert replies[5].startswith("Demasiados intentos")
    created.report.refresh_from_db()
    assert created.report.channels == ["web"]
    # Even the right secret waits once limited.
    _send(f"FOLIO {created.report.folio} {created.secret}", "wamid.ok")
    assert graph.texts_to(SENDER)[-1].startswith("Demasiados intentos")


def test_when_graph_fails_the_answer_is_kept_and_marked_failed(
    catalogs: None, graph: FakeGraph, staff_client: Any
) -> None:
    created = report_create(reporter_role="woman", description="x", channel="web")
    _send(f"FOLIO {created.report.folio} {created.secret}", "wamid.a")
    graph.status = 500
    staff = staff_client("caseworker", agency="SEMUJERES")
    response = staff.post(
        f"/denuncias/{created.report.pk}/responder/", {"text": "hola"}, follow=True
    )
    assert "WhatsApp no la aceptó" in response.content.decode()
    assert ReportMessage.objects.get(author="staff").delivery == "failed"


def test_malformed_payloads_do_not_break_the_webhook(catalogs: None, graph: FakeGraph) -> None:
    for body in [b"not json", b"[]", b'{"entry": [{"changes": [{"value": {"messages": [1]}}]}]}']:
        response = Client().post(
            URL, body, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=sign(body)
        )
        assert response.status_code in {200, 400}
    assert not Conversation.objects.exists()


def test_a_closed_report_takes_no_more_messages_and_a_new_one_can_start(
    catalogs: None, graph: FakeGraph, make_user: Any
) -> None:
    from violeta.reports.services import report_change_status

    created = report_create(reporter_role="woman", description="x", channel="web")
    _send(f"FOLIO {created.report.folio} {created.secret}", "wamid.a")
    report_change_status(report=created.report, actor=make_user("caseworker"), status="closed")
    _send("Pasó otra vez", "wamid.b")
    assert "está cerrado" in graph.texts_to(SENDER)[-1]
    assert "¿Quién reporta?" in graph.texts_to(SENDER)[-1]
    assert not ReportMessage.objects.exists()
    assert Conversation.objects.get().state == "ask_role"
