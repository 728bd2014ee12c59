"""Her whole file for a request of access: content, formats, refusals and the audit trail."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from conftest import login_verified
from violeta.agencies.models import User
from violeta.audit.models import AuditEntry
from violeta.exports.tests.helpers import ORDER, OTHER_WOMAN, register
from violeta.linkage.services import persons_merge
from violeta.people.models import Person

pytestmark = pytest.mark.django_db
HER_NARRATIVE = "refiere golpes de su pareja"
OTHER_NARRATIVE = "Otra mujer relata amenazas del mismo hombre."
FORM = {"legal_basis": "Solicitud de acceso ARCO de la titular", "folio": "UT-2026-0042"}


@pytest.fixture
def women(catalogs: None) -> tuple[Person, Person]:
    """Her: a women's-centre session, a 911 call and a protection order (three agencies).
    Another woman named the same aggressor at the women's centre."""
    her = register("S-1", "SEMUJERES", "service_session").victim
    assert register("C5-1", "C5", "emergency_call").victim.pk == her.pk
    order = register("OP-1", "FGJ", "protection_order", details=ORDER, narrative="")
    assert order.victim.pk == her.pk
    other = register("S-2", "SEMUJERES", "service_session", victim=OTHER_WOMAN,
                     narrative=OTHER_NARRATIVE).victim  # fmt: skip
    assert other.pk != her.pk
    return her, other


def _export(client: Client, person: Person, fmt: str, **data: str):  # type: ignore[no-untyped-def]
    url = reverse("exports:person_file", args=[person.pk])
    return client.post(url, {**FORM, "identity_verified": "on", "fmt": fmt, **data})


def test_json_holds_her_records_of_every_agency_and_nothing_of_another_woman(
    make_user: Callable[..., User], women: tuple[Person, Person]
) -> None:
    her, _other = women
    client = login_verified(Client(), make_user("supervisor"))

    response = _export(client, her, "json")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    disposition = response["Content-Disposition"]
    assert re.fullmatch(rf'attachment; filename="expediente-{her.pk}-\d{{8}}\.json"', disposition)
    data = json.loads(response.content)
    assert data["schema_version"] == "1.0" and data["generated_by_agency"] == "SEMUJERES"
    assert data["generated_at"] and data["request_folio"] == "UT-2026-0042"
    assert data["person"]["identity"]["curp"] == "HELG900215MDFRPD07"
    assert sorted(r["agency"] for r in data["records"]) == ["C5", "FGJ", "SEMUJERES"]
    assert any(HER_NARRATIVE in r["narrative"] for r in data["records"])
    reported = {r["agency"]: r["her_identity_as_reported"] for r in data["records"]}
    assert reported["C5"]["given_names"] == "Guadalupe"
    assert data["protection_orders"] == [
        {
            "record_id": data["protection_orders"][0]["record_id"],
            "agency": "FGJ",
            "issued_at": data["protection_orders"][0]["issued_at"],
            "type": "administrativa",
            "measures": ["no_acercarse", "vigilancia_policial"],
            "valid_from": "2025-03-01",
            "valid_until": "2025-04-29",
        }
    ]
    assert "S-2" not in {r["agency_record_id"] for r in data["records"]}  # the other woman's
    text = response.content.decode()
    assert OTHER_NARRATIVE not in text and "Castañeda" not in text and "Rosario" not in text
    assert "Ramírez" not in text and "Juan Carlos" not in text  # the aggressor: a profile only
    assert {r["aggressor_profile"]["sex"] for r in data["records"]} == {"H"}
    for section in ("risk_assessments", "safety_plans", "referrals", "alerts", "certificates"):
        assert data[section] == []


def test_the_export_is_audited_with_the_reason_and_the_format_and_no_name(
    make_user: Callable[..., User], women: tuple[Person, Person]
) -> None:
    her, _other = women
    client = login_verified(Client(), make_user("supervisor"))
    _export(client, her, "json")

    entry = AuditEntry.objects.get(action="export", subject_type="person")
    assert entry.subject_id == str(her.pk) and entry.actor_label == "semujeres.supervisor"
    assert "UT-2026-0042" in entry.reason and "ARCO" in entry.reason
    assert entry.details["format"] == "json" and entry.details["records"] == 3
    assert "Guadalupe" not in json.dumps(entry.details) + entry.reason


def test_pdf_lists_her_records_in_spanish(
    make_user: Callable[..., User], women: tuple[Person, Person]
) -> None:
    her, _other = women
    client = login_verified(Client(), make_user("supervisor"))

    response = _export(client, her, "pdf")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"].endswith('.pdf"')
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert "Sus datos personales en Violeta" in text
    assert "Guadalupe Hernández López" in text and "UT-2026-0042" in text
    assert HER_NARRATIVE in text and "no_acercarse" in text
    assert "Rosario" not in text and "Ramírez" not in text
    assert AuditEntry.objects.get(action="export", subject_type="person").details["format"] == "pdf"


@pytest.mark.parametrize(
    ("role", "agency"),
    [("operator", "SEMUJERES"), ("caseworker", "SEMUJERES"), ("analyst", None),
     ("administrator", None), ("auditor", None), ("supervisor", "SSC")],
)  # fmt: skip
def test_only_a_supervisor_of_an_agency_that_attended_her_may_export(
    make_user: Callable[..., User], women: tuple[Person, Person], role: str, agency: str | None
) -> None:
    her, _other = women
    client = login_verified(Client(), make_user(role, agency))

    assert client.get(reverse("exports:person_file", args=[her.pk])).status_code == 403
    assert _export(client, her, "json").status_code == 403
    assert not AuditEntry.objects.filter(action="export").exists()
    unknown = reverse("exports:person_file", args=[her.pk + 1000])
    assert client.get(unknown).status_code == (404 if role == "supervisor" else 403)
    page = client.get(reverse("records:person_file", args=[her.pk]))
    assert reverse("exports:person_file", args=[her.pk]) not in page.content.decode()


def test_the_button_is_on_her_file_for_a_supervisor(
    make_user: Callable[..., User], women: tuple[Person, Person]
) -> None:
    her, _other = women
    client = login_verified(Client(), make_user("supervisor"))
    page = client.get(reverse("records:person_file", args=[her.pk])).content.decode()
    assert reverse("exports:person_file", args=[her.pk]) in page
    form = client.get(reverse("exports:person_file", args=[her.pk]))
    assert form.status_code == 200 and "Fundamento legal" in form.content.decode()


def test_without_reason_folio_or_identity_check_nothing_is_exported(
    make_user: Callable[..., User], women: tuple[Person, Person]
) -> None:
    her, _other = women
    client = login_verified(Client(), make_user("supervisor"))
    url = reverse("exports:person_file", args=[her.pk])

    response = client.post(url, {"legal_basis": "", "folio": "", "fmt": "json"})

    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Este campo es obligatorio" in page
    assert "Su identidad debe verificarse" in page
    assert not AuditEntry.objects.filter(action="export").exists()


def test_a_file_merged_into_hers_is_exported_as_part_of_hers(
    make_user: Callable[..., User], women: tuple[Person, Person]
) -> None:
    her, _other = women
    supervisor = make_user("supervisor")
    lupita = register(
        "C5-9", "C5", "emergency_call", victim={"curp": "", "given_names": "Lupe", "birth_date": ""}
    ).victim
    assert lupita.pk != her.pk
    persons_merge(keep=her, absorb=lupita, actor=supervisor, reason="misma mujer")
    client = login_verified(Client(), supervisor)

    response = _export(client, lupita, "json")  # the old file's id leads to hers

    data = json.loads(response.content)
    assert data["person"]["id"] == her.pk and data["person"]["merged_files"] == [lupita.pk]
    assert len(data["records"]) == 4
    assert {r["her_identity_as_reported"]["given_names"] for r in data["records"]} == {
        "Guadalupe",
        "Lupe",
    }
