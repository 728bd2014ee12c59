"""ARCO requests: rectification of her identity, the register of requests and its due dates."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from conftest import login_verified
from violeta.agencies.models import User
from violeta.audit.models import AuditEntry
from violeta.audit.selectors import audit_verify
from violeta.lifecycle.business_days import add_business_days, federal_rest_days
from violeta.lifecycle.models import (
    ArcoKind,
    ArcoRequest,
    ArcoStatus,
    IdentityVersion,
    NonWorkingDay,
)
from violeta.lifecycle.services import due_date
from violeta.lifecycle.tests.helpers import HER, leaks, register, snapshot
from violeta.linkage.models import ReviewPair
from violeta.people import identity as ident
from violeta.people.models import Person
from violeta.records.choices import PartyRole
from violeta.records.models import ReportedIdentity

pytestmark = pytest.mark.django_db
REQUEST = {
    "legal_basis": "Solicitud de rectificación ARCO de la titular",
    "folio": "UT-2026-0077",
    "received_on": "2026-03-02",
    "identity_verified": "on",
}
NEW_CURP = "ZAQE881124MDFPNF01"


def _form(person: Person, **changes: str) -> dict[str, str]:
    data = {n: HER[n] for n in ("given_names", "first_surname", "second_surname", "phone",
                                "address", "colonia", "alcaldia", "birth_date")}  # fmt: skip
    data["curp"] = ""
    return {**REQUEST, **data, "also_records": "on", **changes}


@pytest.fixture
def her(catalogs: None) -> Person:
    """Attended by the women's centre and by 911 (an agency that did not attend: SEDESA)."""
    person = register("S-1", "SEMUJERES", "service_session", victim=HER,
                      when="2025-03-04T10:30:00").victim  # fmt: skip
    assert register("C5-1", "C5", "emergency_call", victim=HER,
                    when="2025-03-04T09:58:00").victim.pk == person.pk  # fmt: skip
    return person


def _post(client: Client, person: Person, **changes: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("lifecycle:rectify", args=[person.pk]), _form(person, **changes))


def test_a_supervisor_rectifies_her_identity_and_the_old_values_are_kept_encrypted(
    make_user: Callable[..., User], her: Person
) -> None:
    client = login_verified(Client(), make_user("supervisor"))
    assert ident.curp_is_valid(NEW_CURP)

    page = client.get(reverse("lifecycle:rectify", args=[her.pk]))
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert "Rectificar sus datos" in page.content.decode()  # Spanish by default
    response = _post(client, her, given_names="Eufrosina María", curp=NEW_CURP,
                     birth_date="1988-11-24")  # fmt: skip

    assert response.status_code == 302
    her.refresh_from_db()
    assert her.given_names == "Eufrosina María" and her.curp == NEW_CURP
    assert her.birth_date == dt.date(1988, 11, 24) and her.curp_bidx == ident.curp_index(NEW_CURP)
    version = IdentityVersion.objects.get(person=her)
    assert sorted(version.fields) == ["birth_date", "curp", "given_names"]
    assert json.loads(version.snapshot) == {"given_names": "Eufrosina", "curp": "",
                                            "birth_date": "1988-11-23"}  # fmt: skip
    hits = {t for t, _c, _n in leaks(["1988-11-23"])}  # decrypted: where the old date is
    assert "lifecycle_identityversion" in hits and "people_person" not in hits
    assert "1988-11-23" not in " ".join(v for _t, _c, v in snapshot())  # never in clear
    # Her identity as the women's centre reported it follows; 911's stays as 911 typed it.
    mine = ReportedIdentity.objects.get(record__agency__code="SEMUJERES", role=PartyRole.VICTIM)
    theirs = ReportedIdentity.objects.get(record__agency__code="C5", role=PartyRole.VICTIM)
    assert mine.curp == NEW_CURP and mine.given_names == "Eufrosina María"
    assert "MARIA" in mine.link_features.upper()  # the next `violeta link` sees the correction
    assert theirs.curp == "" and theirs.given_names == "Eufrosina"
    arco = ArcoRequest.objects.get()
    assert arco.kind == ArcoKind.RECTIFICATION and arco.status == ArcoStatus.GRANTED
    assert arco.due_on == dt.date(2026, 3, 31) and version.request_id == arco.pk


def test_the_rectification_is_audited_with_field_names_not_values(
    make_user: Callable[..., User], her: Person
) -> None:
    client = login_verified(Client(), make_user("supervisor"))
    _post(client, her, phone="55 1111 2222")

    entry = AuditEntry.objects.get(subject_type="person", action="update")
    assert entry.details["scope"] == "rectification" and entry.details["fields"] == ["phone"]
    assert entry.details["records"] == 1 and entry.actor_label == "semujeres.supervisor"
    assert "UT-2026-0077" in entry.reason
    text = json.dumps(entry.details) + entry.reason
    assert "1111" not in text and "8765" not in text and "Eufrosina" not in text
    assert AuditEntry.objects.filter(subject_type="arco_request", action="create").count() == 1
    assert audit_verify().ok


@pytest.mark.parametrize(
    ("role", "agency"),
    [("caseworker", "SEMUJERES"), ("operator", "C5"), ("supervisor", "SEDESA"),
     ("analyst", "SEMUJERES"), ("auditor", "SEMUJERES"), ("administrator", None)],
)  # fmt: skip
def test_only_a_supervisor_of_an_agency_that_attended_her_may_rectify(
    make_user: Callable[..., User], her: Person, role: str, agency: str | None
) -> None:
    client = login_verified(Client(), make_user(role, agency=agency))

    assert client.get(reverse("lifecycle:rectify", args=[her.pk])).status_code == 403
    assert _post(client, her, given_names="Otra").status_code == 403
    assert client.get(reverse("lifecycle:request_new", args=[her.pk])).status_code == 403
    her.refresh_from_db()
    assert her.given_names == "Eufrosina" and not IdentityVersion.objects.exists()
    assert not ArcoRequest.objects.exists()


def test_without_legal_basis_or_with_a_bad_curp_nothing_is_stored(
    make_user: Callable[..., User], her: Person
) -> None:
    client = login_verified(Client(), make_user("supervisor"))

    no_basis = _post(client, her, legal_basis="", given_names="Otra")
    bad_curp = _post(client, her, curp="ZAQE881124MDFPNF09")
    future = _post(client, her, received_on="2999-01-01", given_names="Otra")

    assert no_basis.status_code == bad_curp.status_code == future.status_code == 200
    assert "Este campo es obligatorio" in no_basis.content.decode()
    assert "Esta CURP no es válida" in bad_curp.content.decode()
    assert "no puede recibirse en el futuro" in future.content.decode()
    her.refresh_from_db()
    assert her.given_names == "Eufrosina" and not IdentityVersion.objects.exists()
    assert not ArcoRequest.objects.exists()
    assert not AuditEntry.objects.filter(subject_type__in=["person", "arco_request"]).exists()


def test_a_corrected_identity_that_matches_another_file_goes_to_review(
    make_user: Callable[..., User], her: Person
) -> None:
    """The same woman registered twice, once with her birth date mistyped: correcting it puts
    the pair in the supervisors' review queue (no automatic merge)."""
    twin = register("S-2", "SEMUJERES", "service_session",
                    victim={**HER, "birth_date": "1988-11-24", "phone": ""},
                    when="2025-05-04T10:30:00").victim  # fmt: skip
    assert twin.pk != her.pk
    client = login_verified(Client(), make_user("supervisor"))

    _post(client, her, birth_date="1988-11-24")

    pair = ReviewPair.objects.get()
    persons = {pair.identity_a.person_id, pair.identity_b.person_id}
    assert persons == {her.pk, twin.pk} and pair.status == "open"
    assert AuditEntry.objects.get(subject_type="person").details["review_pairs"] == 1
    twin.refresh_from_db()
    assert twin.merged_into_id is None


def test_nothing_changed_writes_nothing(make_user: Callable[..., User], her: Person) -> None:
    client = login_verified(Client(), make_user("supervisor"))
    assert _post(client, her).status_code == 302
    assert not IdentityVersion.objects.exists() and not ArcoRequest.objects.exists()


def test_twenty_business_days_skip_weekends_rest_days_and_the_units_calendar(
    catalogs: None,
) -> None:
    monday = dt.date(2026, 3, 2)
    assert dt.date(2026, 3, 16) in federal_rest_days(2026)  # third Monday of March
    assert add_business_days(monday, 20) == dt.date(2026, 3, 31)
    assert due_date(monday) == dt.date(2026, 3, 31)
    NonWorkingDay.objects.create(day=dt.date(2026, 3, 4), note="Día inhábil de la unidad")
    assert due_date(monday) == dt.date(2026, 4, 1)
    # Received on a Friday before Christmas: 25 December and the weekends are skipped.
    assert add_business_days(dt.date(2026, 12, 18), 20) == dt.date(2027, 1, 19)
    assert dt.date(2030, 10, 1) in federal_rest_days(2030)
    assert dt.date(2026, 10, 1) not in federal_rest_days(2026)


def test_a_cancellation_request_is_logged_listed_and_answered(
    make_user: Callable[..., User], her: Person
) -> None:
    supervisor = make_user("supervisor")
    client = login_verified(Client(), supervisor)
    url = reverse("lifecycle:request_new", args=[her.pk])
    response = client.post(url, {"kind": "cancellation", "folio": "UT-2026-0100",
                                 "received_on": "2026-03-02",
                                 "summary": "Pide cancelar su teléfono"})  # fmt: skip
    assert response.status_code == 302
    arco = ArcoRequest.objects.get()
    assert arco.kind == "cancellation" and arco.status == "pending"
    assert arco.due_on == dt.date(2026, 3, 31) and arco.agency.code == "SEMUJERES"
    assert "Pide cancelar" not in " ".join(v for _t, _c, v in snapshot())  # encrypted
    assert "Pide cancelar" in arco.request_summary

    page = client.get(reverse("lifecycle:register")).content.decode()
    assert "UT-2026-0100" in page and "Cancelación" in page and "31/03/2026" in page
    assert "vencida" in page  # pending past its due date
    other = login_verified(Client(), make_user("supervisor", agency="SEDESA"))
    assert "UT-2026-0100" not in other.get(reverse("lifecycle:register")).content.decode()
    worker = login_verified(Client(), make_user("caseworker"))
    assert worker.get(reverse("lifecycle:register")).status_code == 403
    # Another agency cannot answer it; her agency's supervisor can, once.
    answer = reverse("lifecycle:answer", args=[arco.pk])
    assert other.post(answer, {"status": "denied", "answer": "x"}).status_code == 404
    client.post(answer, {"status": "partial", "answer": "Se cancela el teléfono; lo demás no."})
    arco.refresh_from_db()
    assert arco.status == "partial" and arco.answered_by == supervisor
    client.post(answer, {"status": "denied", "answer": "otra vez"})
    arco.refresh_from_db()
    assert arco.status == "partial"
    entry = AuditEntry.objects.get(subject_type="arco_request", action="update")
    assert entry.details == {"person": her.pk, "kind": "cancellation", "status": "partial",
                             "late": True}  # fmt: skip


def test_the_pages_read_in_english(make_user: Callable[..., User], her: Person) -> None:
    client = login_verified(Client(), make_user("supervisor"))
    client.cookies["django_language"] = "en"
    page = client.get(reverse("lifecycle:rectify", args=[her.pk]), HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert "Rectify her data" in text and "Legal basis of the request" in text
    register_page = client.get(reverse("lifecycle:register"), HTTP_ACCEPT_LANGUAGE="en")
    assert "ARCO requests" in register_page.content.decode()


HOSTILE = [
    "x" * 5000, "\x00", "'; DROP TABLE people_person; --", "<script>alert(1)</script>",
    "{{ 7*7 }}", "😀" * 40, "\u202eNAME", "2026-02-30", "-1", "9" * 40, "", " ",
]  # fmt: skip
FIELDS = ["legal_basis", "folio", "received_on", "given_names", "curp", "birth_date", "phone",
          "alcaldia", "address"]  # fmt: skip


def test_hostile_input_is_refused_in_words_or_stored_whole_never_a_500(
    make_user: Callable[..., User], her: Person
) -> None:
    client = login_verified(Client(), make_user("supervisor"))
    url = reverse("lifecycle:rectify", args=[her.pk])
    seen: set[int] = set()
    for name in FIELDS:
        for value in HOSTILE:
            before = IdentityVersion.objects.count()
            response = client.post(url, _form(her, **{name: value}))
            seen.add(response.status_code)
            assert response.status_code in (200, 302), (name, value[:20])
            if response.status_code == 200:  # refused: nothing stored
                assert IdentityVersion.objects.count() == before
                assert "errorlist" in response.content.decode(), (name, value[:20])
    assert seen == {200, 302}
    answer = reverse("lifecycle:answer", args=[999999])
    assert client.post(answer, {"status": "granted", "answer": "x"}).status_code == 404
    assert client.post(reverse("lifecycle:request_new", args=[her.pk]),
                       {"kind": "erase_everything", "folio": "x", "received_on": "2026-01-01",
                        "summary": "x"}).status_code == 200  # fmt: skip
    assert not ArcoRequest.objects.filter(kind="erase_everything").exists()


def test_no_aggressor_file_and_no_anonymised_file_is_rectified(
    make_user: Callable[..., User], her: Person
) -> None:
    from violeta.lifecycle.anonymise import file_anonymise

    client = login_verified(Client(), make_user("supervisor"))
    aggressor = ReportedIdentity.objects.get(role=PartyRole.AGGRESSOR, record__agency__code="C5")
    assert client.get(reverse("lifecycle:rectify", args=[aggressor.person_id])).status_code == 404
    assert client.get(reverse("lifecycle:rectify", args=[987654])).status_code == 404
    file_anonymise(person_id=her.pk)
    assert client.get(reverse("lifecycle:rectify", args=[her.pk])).status_code == 403


def test_supervisors_find_the_register_in_the_menu(make_user: Callable[..., User]) -> None:
    link = f'href="{reverse("lifecycle:register")}"'
    supervisor = login_verified(Client(), make_user("supervisor"))
    assert link in supervisor.get(reverse("records:home")).content.decode()
    worker = login_verified(Client(), make_user("caseworker"))
    assert link not in worker.get(reverse("records:home")).content.decode()
