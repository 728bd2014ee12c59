"""Need-to-know: the matrix role × agency × page, and what each sees in a woman's file."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from conftest import login_verified
from violeta.agencies.models import Agency, User
from violeta.records.choices import RecordSource
from violeta.records.services import record_register
from violeta.records.tests.factories import canonical_record
from violeta.records.validation import Catalogs, validate_record

pytestmark = pytest.mark.django_db

ROLES = ["operator", "caseworker", "supervisor", "analyst", "auditor", "administrator"]
AGENCIES = ["SEMUJERES", "C5"]
# Written out, not derived from the capability table, so that a change there breaks a test.
ALLOWED = {
    "home": set(ROLES),
    "search": {"operator", "caseworker", "supervisor"},
    "file": {"operator", "caseworker", "supervisor"},
    "register": {"operator", "caseworker", "supervisor"},
    "statistics": {"analyst", "supervisor"},
    "audit": {"auditor"},
    "admin": {"administrator"},
    "review": {"supervisor"},
}


@pytest.fixture
def woman(catalogs: None) -> int:
    cats = Catalogs.load()
    sem = validate_record(
        canonical_record(narrative="NARRATIVA-SEMUJERES", violence_types=["vicaria"]),
        agency=Agency.objects.get(code="SEMUJERES"),
        cats=cats,
    )
    outcome = record_register(actor=None, data=sem, source=RecordSource.IMPORT)
    c5 = validate_record(
        canonical_record(
            agency_record_id="C5-77",
            kind="emergency_call",
            narrative="NARRATIVA-C5",
            violence_types=["sexual"],
            risk_level="alto",
        ),
        agency=Agency.objects.get(code="C5"),
        cats=cats,
    )
    record_register(actor=None, data=c5, source=RecordSource.IMPORT, victim_person=outcome.victim)
    return outcome.victim.pk


def _url(page: str, person_id: int) -> str:
    return {
        "home": reverse("records:home"),
        "search": reverse("records:search"),
        "file": reverse("records:person_file", args=[person_id]),
        "register": reverse("records:register"),
        "statistics": reverse("records:statistics"),
        "audit": reverse("audit:search"),
        "admin": reverse("admin:index"),
        "review": reverse("linkage:queue"),
    }[page]


@pytest.mark.parametrize("agency", AGENCIES)
@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(make_user: Callable[..., User], woman: int, role: str, agency: str) -> None:
    client = login_verified(Client(), make_user(role, agency))
    for page, allowed in ALLOWED.items():
        response = client.get(_url(page, woman))
        if role in allowed:
            assert response.status_code == 200, (role, agency, page, response.status_code)
        else:
            assert response.status_code in (302, 403), (role, agency, page, response.status_code)
            assert "Hernández" not in response.content.decode()


def test_own_agency_full_detail_other_agency_minimal(
    make_user: Callable[..., User], woman: int
) -> None:
    sem = login_verified(Client(), make_user("caseworker", "SEMUJERES"))
    page = sem.get(_url("file", woman)).content.decode()
    assert "NARRATIVA-SEMUJERES" in page
    assert "NARRATIVA-C5" not in page
    assert "Sexual" not in page  # the C5 record's type is not shown to another agency
    assert "Llamada de emergencia" in page and "Alto" in page  # kind and risk level are

    c5 = login_verified(Client(), make_user("operator", "C5"))
    page = c5.get(_url("file", woman)).content.decode()
    assert "NARRATIVA-C5" in page and "NARRATIVA-SEMUJERES" not in page
    assert "Vicaria" not in page


def test_supervisor_sees_other_agencies_summary_never_narrative(
    make_user: Callable[..., User], woman: int
) -> None:
    client = login_verified(Client(), make_user("supervisor", "SEMUJERES"))
    page = client.get(_url("file", woman)).content.decode()
    assert "Sexual" in page
    assert "NARRATIVA-C5" not in page


def test_analyst_statistics_show_counts_not_identities(
    make_user: Callable[..., User], woman: int
) -> None:
    client = login_verified(Client(), make_user("analyst", "SEMUJERES"))
    page = client.get(_url("statistics", woman)).content.decode()
    assert "Iztapalapa" in page
    for secret in ("Guadalupe", "Hernández", "NARRATIVA", "Santa Cruz"):
        assert secret not in page


def test_reading_a_file_and_searching_are_audited(
    make_user: Callable[..., User], woman: int
) -> None:
    from violeta.audit.models import AuditEntry

    user = make_user("caseworker", "SEMUJERES")
    client = login_verified(Client(), user)
    client.get(_url("file", woman))
    client.post(reverse("records:search"), {"first_surname": "Hernández"})
    views = AuditEntry.objects.filter(actor=user, action="view", subject_type="person")
    assert views.filter(subject_id=str(woman)).count() == 1
    search = AuditEntry.objects.get(actor=user, action="search")
    assert "Hernández" not in str(search.details)
    assert search.details["fields"] == ["first_surname"]
