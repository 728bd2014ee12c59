"""Property-based fuzzing of the two forms people type into: the staff registration form
(records:register) and the public report form (/denuncia/), with hypothesis-generated POST data
(a valid submission with fields dropped, replaced by hostile or random text, lists where one
value is expected, and extra fields such as ``person`` and ``match``). Never a 5xx; a submission
that is not stored re-shows the form with its errors (or the candidates to choose from) and
stores nothing; one that is stored redirects and stores exactly one record."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from violeta.catalogs.models import Alcaldia, ViolenceType
from violeta.people.models import Person
from violeta.records.models import AgencyRecord, ReportedIdentity
from violeta.records.tests.test_views import _form
from violeta.reports.models import PublicReport

pytestmark = pytest.mark.django_db
EXAMPLES_REGISTER = 50
EXAMPLES_REPORT = 80
SEEN: Counter[str] = Counter()

HOSTILE = [
    "=cmd|' /C calc'!A0",
    "<script>alert(1)</script>",
    "'; DROP TABLE records_agencyrecord;--",
    "hola\x00",
    "\u202e",
    "²",  # a digit to str.isdigit(), not to int()
    "١٢",
    "12abc",
    "-1",
    "0",
    "9" * 30,
    "2099-01-01T00:00",
    "2025-02-30T10:00",
    "1899-12-31",
    "none",
    "x" * 10_000,
]
VALUE = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40), st.just(""))
EXTRA_KEYS = ["person", "match", "kind", "agency_record_id", "csrfmiddlewaretoken", "agency"]


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    print(f"\nform fuzz: {dict(sorted(SEEN.items()))}")


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, Any]) -> dict[str, Any]:
    """``base`` with some fields dropped or replaced (by text or by a list) and extra ones."""
    data = dict(base)
    for key in list(data):
        action = draw(st.integers(0, 9))
        if action == 0:
            del data[key]
        elif action in (1, 2):
            data[key] = draw(VALUE)
        elif action == 3:
            data[key] = draw(st.lists(VALUE, max_size=3))
    for key in draw(st.lists(st.sampled_from([*EXTRA_KEYS, "zz"]), max_size=3, unique=True)):
        data[key] = draw(VALUE)
    return data


def _not_stored(response: Any) -> None:
    assert response.status_code in {200, 400, 403, 404, 429}, response.status_code
    if response.status_code in {200, 400}:
        form = response.context["form"]
        assert form.errors or response.context.get("candidates"), "re-shown without errors"
        assert form.is_bound


@pytest.fixture
def operator(staff_client: Callable[..., Client]) -> Client:
    return staff_client("operator", "SEMUJERES")


@settings(
    max_examples=EXAMPLES_REGISTER,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=mutated(_form()))
@example(data=_form(person="²"))
@example(data=_form(match="²"))
def test_the_registration_form(operator: Client, data: dict[str, Any]) -> None:
    SEEN["register examples"] += 1
    records, people = AgencyRecord.objects.count(), Person.objects.count()
    identities = ReportedIdentity.objects.count()
    response = operator.post(reverse("records:register"), data)
    assert response.status_code < 500
    SEEN[f"register {response.status_code}"] += 1
    if response.status_code == 302:
        assert AgencyRecord.objects.count() == records + 1
        assert "/personas/" in response["Location"] or "/persona" in response["Location"]
        return
    _not_stored(response)
    assert AgencyRecord.objects.count() == records and Person.objects.count() == people
    assert ReportedIdentity.objects.count() == identities


def _report_base() -> dict[str, Any]:
    return {
        "reporter_role": "witness",
        "description": "Mi vecina grita pidiendo ayuda cada noche",
        "anonymous": "on",
        "alcaldia": "",
        "violence_types": [],
        "immediate_danger": "",
        "contact": "",
    }


@pytest.fixture
def report_base(catalogs: None) -> dict[str, Any]:
    base = _report_base()
    base["alcaldia"] = str(Alcaldia.objects.get(inegi_code="09007").pk)
    base["violence_types"] = [str(ViolenceType.objects.get(code="fisica").pk)]
    return base


@settings(
    max_examples=EXAMPLES_REPORT,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(changes=mutated(_report_base()))
def test_the_public_report_form(report_base: dict[str, Any], changes: dict[str, Any]) -> None:
    SEEN["report examples"] += 1
    cache.clear()  # the per-address rate limit: every example reaches the form
    data = {**report_base, **{k: v for k, v in changes.items() if v != _report_base().get(k)}}
    for key in set(report_base) - set(changes):
        data.pop(key, None)  # dropped by the strategy
    before = PublicReport.objects.count()
    response = Client().post("/denuncia/", data)
    assert response.status_code < 500
    SEEN[f"report {response.status_code}"] += 1
    if response.status_code == 302:
        assert PublicReport.objects.count() == before + 1
        return
    _not_stored(response)
    assert PublicReport.objects.count() == before
