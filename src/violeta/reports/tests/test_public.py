"""The public pages: no login, folio and secret shown once, follow-up without enumeration,
bad input shown as text or refused, no trace headers, quick exit."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from violeta.audit.models import AuditEntry
from violeta.catalogs.models import Alcaldia, ViolenceType
from violeta.reports.choices import DESCRIPTION_MAX
from violeta.reports.models import PublicReport, ReportMessage

pytestmark = pytest.mark.django_db
HOSTILE = "<script>alert('x')</script> '); DROP TABLE reports_publicreport; --"


def _submit(client: Client, **overrides: Any) -> Any:
    data = {
        "reporter_role": "witness",
        "description": "Mi vecina grita pidiendo ayuda cada noche",
        "anonymous": "on",
        "alcaldia": str(Alcaldia.objects.get(inegi_code="09007").pk),
        "violence_types": [str(ViolenceType.objects.get(code="fisica").pk)],
    }
    data.update(overrides)
    return client.post("/denuncia/", data)


def _created(client: Client) -> tuple[str, str]:
    response = client.get("/denuncia/enviada/")
    shown = response.context["shown"]
    return shown["folio"], shown["secret"]


def test_the_form_is_public_with_quick_exit_and_no_trace_headers(catalogs: None) -> None:
    response = Client().get("/denuncia/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="quick-exit"' in html and 'href="/salir/"' in html
    assert "quick-exit.js" in html and 'autocomplete="off"' in html
    assert "Denunciar la violencia" in html or "Reportar" in html  # Spanish by default
    assert response.headers["Cache-Control"].startswith("no-store")
    assert response.headers["Referrer-Policy"] == "same-origin"  # no-referrer breaks CSRF
    assert "csrfmiddlewaretoken" in html
    cookie = response.cookies["csrftoken"]
    assert cookie["max-age"] == "" and cookie["expires"] == ""  # gone when the browser closes


def test_a_report_gets_a_folio_and_a_secret_shown_once_and_never_in_the_url(
    catalogs: None,
) -> None:
    client = Client()
    response = _submit(client)
    assert response.status_code == 302 and response["Location"] == "/denuncia/enviada/"
    folio, secret = _created(client)
    report = PublicReport.objects.get()
    assert folio == report.folio and folio.startswith("VIO-2")
    assert folio.endswith(f"-{report.pk:06d}")
    assert secret not in report.secret_hash and len(secret) == 19
    assert report.agency.code == "LINEA"  # physical violence in Iztapalapa (example rule)
    assert report.status == "received" and report.history.count() == 1
    assert report.channels == ["web"] and report.contact == ""
    again = client.get("/denuncia/enviada/")  # reload: gone
    assert again.context["shown"] is None and folio not in again.content.decode()
    audit = AuditEntry.objects.get(subject_type="public_report", action="create")
    assert audit.details["agency"] == "LINEA" and audit.actor_label == "public:web"
    assert "grita" not in str(audit.details)


def test_html_and_sql_in_a_report_are_stored_and_shown_as_text(
    catalogs: None, staff_client: Any
) -> None:
    client = Client()
    _submit(client, description=HOSTILE)
    report = PublicReport.objects.get()
    assert report.description == HOSTILE
    staff = staff_client("caseworker", agency="LINEA")
    html = staff.get(f"/denuncias/{report.pk}/").content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


def test_an_oversized_description_is_refused_with_a_clear_message_and_nothing_stored(
    catalogs: None,
) -> None:
    response = _submit(Client(), description="a" * (DESCRIPTION_MAX + 1))
    assert response.status_code == 200
    assert "Qué pasó: a lo más 5000 caracteres (tiene 5001)." in response.content.decode()
    assert not PublicReport.objects.exists() and not AuditEntry.objects.exists()


def test_a_null_character_or_a_missing_role_is_refused_not_a_500(catalogs: None) -> None:
    assert _submit(Client(), description="hola\x00").status_code == 200
    assert _submit(Client(), reporter_role="").status_code == 200
    assert _submit(Client(), reporter_role="aggressor").status_code == 200
    assert _submit(Client(), alcaldia="99999").status_code == 200
    assert not PublicReport.objects.exists()


def test_a_named_report_needs_a_contact(catalogs: None) -> None:
    response = _submit(Client(), anonymous="", contact="")
    assert "Contacto: escribe cómo localizarte" in response.content.decode()
    assert _submit(Client(), anonymous="", contact="55 1234 5678").status_code == 302
    assert PublicReport.objects.get().contact == "55 1234 5678"


def test_submissions_are_limited_per_address(catalogs: None, settings: Any) -> None:
    settings.VIOLETA_REPORTS_RATE_LIMIT = 2
    client = Client()
    assert _submit(client).status_code == 302
    assert _submit(client).status_code == 302
    response = _submit(client)
    assert response.status_code == 429 and "Demasiados intentos" in response.content.decode()
    assert PublicReport.objects.count() == 2


def test_follow_up_with_the_right_secret_shows_status_and_adds_information(
    catalogs: None,
) -> None:
    client = Client()
    _submit(client)
    folio, secret = _created(client)
    other = Client()
    response = other.post(
        "/denuncia/seguimiento/",
        {"action": "open", "folio": folio.lower(), "secret": secret.replace("-", " ")},
    )
    assert response.status_code == 302 and folio not in response["Location"]
    page = other.get("/denuncia/seguimiento/")
    assert folio in page.content.decode() and "Recibido" in page.content.decode()
    assert page.headers["Cache-Control"].startswith("no-store")
    other.post("/denuncia/seguimiento/", {"action": "add", "text": "Hoy volvió a pasar <b>"})
    message = ReportMessage.objects.get()
    assert (message.author, message.channel) == ("reporter", "web")
    assert message.text == "Hoy volvió a pasar <b>"
    page = other.get("/denuncia/seguimiento/").content.decode()
    assert "Hoy volvió a pasar &lt;b&gt;" in page
    opened = AuditEntry.objects.filter(action="view", subject_id=str(PublicReport.objects.get().pk))
    assert [e.details for e in opened] == [{"view": "followup"}]
    other.post("/denuncia/seguimiento/", {"action": "leave"})
    assert folio not in other.get("/denuncia/seguimiento/").content.decode()


def test_a_wrong_secret_and_an_unknown_folio_get_the_same_answer(catalogs: None) -> None:
    client = Client()
    _submit(client)
    folio, _secret = _created(client)
    answers = []
    for given_folio, given_secret in [
        (folio, "AAAA-BBBB-CCCC-DDDD"),
        ("VIO-2026-999999", "AAAA-BBBB-CCCC-DDDD"),
        ("no-es-folio", "x"),
    ]:
        response = Client().post(
            "/denuncia/seguimiento/",
            {"action": "open", "folio": given_folio, "secret": given_secret},
        )
        assert response.status_code == 200
        answers.append(response.context["error"])
        assert folio not in response.content.decode()
    assert len(set(answers)) == 1 and "no es correcto" in answers[0]
    assert not ReportMessage.objects.exists()


def test_an_oversized_follow_up_message_is_refused_and_nothing_stored(catalogs: None) -> None:
    client = Client()
    _submit(client)
    folio, secret = _created(client)
    client.post("/denuncia/seguimiento/", {"action": "open", "folio": folio, "secret": secret})
    response = client.post("/denuncia/seguimiento/", {"action": "add", "text": "x" * 2001})
    assert "Mensaje: a lo más 2000 caracteres (tiene 2001)." in response.content.decode()
    assert not ReportMessage.objects.exists()


def test_quick_exit_clears_site_data_and_the_session_and_leaves(catalogs: None) -> None:
    client = Client()
    _submit(client)
    folio, secret = _created(client)
    client.post("/denuncia/seguimiento/", {"action": "open", "folio": folio, "secret": secret})
    response = client.get("/salir/")
    assert response.status_code == 302
    assert response["Location"] == "https://www.google.com/search?q=clima"
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert folio not in client.get("/denuncia/seguimiento/").content.decode()


def test_english_through_the_language_switch(catalogs: None) -> None:
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/denuncia/"})
    html = client.get("/denuncia/").content.decode()
    assert "Report violence against a woman" in html and "Quick exit" in html


def test_a_closed_report_takes_no_more_information(catalogs: None, make_user: Any) -> None:
    from violeta.reports.services import report_change_status

    client = Client()
    _submit(client)
    folio, secret = _created(client)
    report = PublicReport.objects.get()
    report_change_status(report=report, actor=make_user("caseworker", "LINEA"), status="closed")
    client.post("/denuncia/seguimiento/", {"action": "open", "folio": folio, "secret": secret})
    response = client.post("/denuncia/seguimiento/", {"action": "add", "text": "más"})
    assert response.status_code == 200
    assert f"El reporte {folio} está cerrado" in response.content.decode()
    assert not ReportMessage.objects.exists()


def test_an_oversized_folio_is_refused_with_a_clear_message(catalogs: None) -> None:
    response = Client().post(
        "/denuncia/seguimiento/", {"action": "open", "folio": "V" * 31, "secret": "x"}
    )
    assert "Folio: a lo más 30 caracteres (tiene 31)." in response.content.decode()


def test_the_login_page_links_to_the_public_form(catalogs: None) -> None:
    html = Client().get("/cuenta/entrar/").content.decode()
    assert 'href="/denuncia/"' in html
