"""A follow-up is never closed by time alone: supervised first, then closed by a person."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import login_verified
from violeta.agencies.models import Agency, User
from violeta.audit.models import AuditEntry
from violeta.cases.models import CaseFollowUp, CaseState
from violeta.cases.services import activity_touch, case_close, cases_sweep
from violeta.linkage.tests.test_services import _register
from violeta.people.models import Person
from violeta.records.choices import RecordSource
from violeta.records.services import record_register
from violeta.records.tests.factories import canonical_record
from violeta.records.validation import Catalogs, validate_record
from violeta.risk.tests.factories import completed, shipped

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def _register_at(record_id: str, when: dt.datetime, **victim: str) -> Person:
    raw = canonical_record(
        agency_record_id=record_id,
        occurred_at=timezone.localtime(when).strftime("%Y-%m-%dT%H:%M"),
        victim=victim,
    )
    data = validate_record(raw, agency=Agency.objects.get(code="SEMUJERES"), cats=Catalogs.load())
    return record_register(actor=None, data=data, source=RecordSource.IMPORT).victim


def _case(person: Person, agency: str = "SEMUJERES") -> CaseFollowUp:
    return CaseFollowUp.objects.get(person=person, agency__code=agency)


def _supervised(person: Person, days_ago: int) -> CaseFollowUp:
    """Her follow-up, moved to supervised ``days_ago`` days ago by the sweep."""
    cases_sweep(now=timezone.now() - days_ago * DAY)
    case = _case(person)
    assert case.state == CaseState.SUPERVISED
    return case


def test_a_new_record_opens_her_follow_up_at_that_agency(catalogs: None) -> None:
    outcome = _register("S-1")
    woman = outcome.victim
    case = _case(woman)
    assert case.state == CaseState.ACTIVE
    assert case.last_activity_at == outcome.record.occurred_at
    assert AuditEntry.objects.filter(subject_type="followup", action="create").count() == 1
    _register("S-2")  # another record: the same follow-up
    assert CaseFollowUp.objects.filter(person=woman).count() == 1


def test_the_sweep_supervises_silent_follow_ups_and_is_idempotent(catalogs: None) -> None:
    old = _register_at("S-OLD", timezone.now() - 120 * DAY)
    recent = _register_at("S-NEW", timezone.now() - 10 * DAY, given_names="Rosa", curp="")
    assert old.pk != recent.pk

    first = cases_sweep()
    entries = AuditEntry.objects.count()
    states = {c.pk: (c.state, c.supervised_since) for c in CaseFollowUp.objects.all()}
    second = cases_sweep()

    assert first.supervised == 1 and second.supervised == 0
    assert second.opened == 0 and second.refreshed == 0
    assert {c.pk: (c.state, c.supervised_since) for c in CaseFollowUp.objects.all()} == states
    assert AuditEntry.objects.count() == entries
    assert AuditEntry.objects.filter(details__operation="supervise").count() == 1


def test_the_inactive_period_is_configurable(catalogs: None, settings: object) -> None:
    woman = _register_at("S-1", timezone.now() - 40 * DAY)
    assert cases_sweep().supervised == 0
    settings.CASE_INACTIVE_DAYS = 30  # type: ignore[attr-defined]
    assert cases_sweep().supervised == 1
    assert _case(woman).state == CaseState.SUPERVISED


def test_the_sweep_opens_follow_ups_for_records_that_entered_without_one(
    catalogs: None,
) -> None:
    woman = _register("S-1").victim
    CaseFollowUp.objects.all().delete()  # as after a bulk import

    result = cases_sweep()

    assert result.opened == 1
    assert CaseFollowUp.objects.count() == 1  # hers only: never the aggressor's
    assert _case(woman).state == CaseState.SUPERVISED  # its record is from 2025
    assert cases_sweep().opened == 0


def test_time_alone_never_closes_a_follow_up(catalogs: None) -> None:
    woman = _register("S-1").victim
    for years in range(5):
        cases_sweep(now=timezone.now() + years * 365 * DAY)
    assert _case(woman).state == CaseState.SUPERVISED


def test_a_newer_record_keeps_her_follow_up_active(catalogs: None) -> None:
    woman = _register_at("S-1", timezone.now() - 10 * DAY)
    older = _register_at("S-2", timezone.now() - 200 * DAY)  # registered late
    assert older.pk == woman.pk
    assert cases_sweep().supervised == 0
    assert _case(woman).state == CaseState.ACTIVE


def test_close_rules(make_user: Callable[..., User]) -> None:
    supervisor = make_user("supervisor")
    woman = _register("S-1").victim  # record from 2025: long silent
    recent = _supervised(woman, days_ago=30)
    with pytest.raises(ValidationError) as too_soon:
        case_close(case=recent, actor=supervisor, reason="sin contacto")
    assert "a partir del" in " ".join(too_soon.value.messages)
    CaseFollowUp.objects.filter(pk=recent.pk).update(supervised_since=timezone.now() - 91 * DAY)
    case = _case(woman)
    with pytest.raises(PermissionDenied):
        case_close(case=case, actor=make_user("caseworker"), reason="x")
    with pytest.raises(PermissionDenied):
        case_close(case=case, actor=make_user("supervisor", agency="SEDESA"), reason="x")
    with pytest.raises(ValidationError) as no_reason:
        case_close(case=case, actor=supervisor, reason="  ")
    assert "reason" in no_reason.value.message_dict

    closed = case_close(case=case, actor=supervisor, reason="Cambió de ciudad, sin riesgo")

    assert closed.state == CaseState.CLOSED and closed.closed_by == supervisor
    assert closed.closed_reason == "Cambió de ciudad, sin riesgo"
    entry = AuditEntry.objects.get(details__operation="close")
    assert entry.reason == "Cambió de ciudad, sin riesgo"
    with pytest.raises(ValidationError):  # closed is closed
        case_close(case=closed, actor=supervisor, reason="otra vez")


def test_the_supervised_period_is_configurable(
    make_user: Callable[..., User], settings: object
) -> None:
    settings.CASE_SUPERVISED_DAYS = 10  # type: ignore[attr-defined]
    woman = _register("S-1").victim
    case = _supervised(woman, days_ago=11)
    closed = case_close(case=case, actor=make_user("supervisor"), reason="sin contacto")
    assert closed.state == CaseState.CLOSED


def test_new_activity_reopens_a_supervised_or_closed_follow_up(
    make_user: Callable[..., User],
) -> None:
    supervisor = make_user("supervisor")
    woman = _register("S-1").victim
    case = _supervised(woman, days_ago=100)
    agency = case.agency_id

    activity_touch(woman.pk, agency, timezone.now() - DAY)
    case.refresh_from_db()
    assert case.state == CaseState.ACTIVE and case.supervised_since is None

    cases_sweep(now=timezone.now() + 100 * DAY)
    CaseFollowUp.objects.filter(pk=case.pk).update(supervised_since=timezone.now() - 100 * DAY)
    case_close(case=_case(woman), actor=supervisor, reason="sin contacto")
    closed_at = _case(woman).closed_at
    assert closed_at is not None

    # An old record surfacing (a late import from years ago) does not reopen it...
    activity_touch(woman.pk, agency, closed_at - 400 * DAY)
    assert _case(woman).state == CaseState.CLOSED
    # ...a new attention does, and the closure is cleared.
    _register_at("S-2", timezone.now())
    case = _case(woman)
    assert case.state == CaseState.ACTIVE and case.closed_at is None and case.closed_reason == ""
    assert case.reopened_at is not None
    reopened = AuditEntry.objects.filter(details__operation="reopen")
    assert [e.details["from"] for e in reopened.order_by("seq")] == ["supervised", "closed"]


def test_activity_needs_an_aware_datetime(catalogs: None) -> None:
    woman = _register("S-1").victim
    with pytest.raises(ValueError, match="timezone-aware"):
        activity_touch(woman.pk, _case(woman).agency_id, dt.datetime(2026, 1, 1))  # noqa: DTZ001


def test_activity_for_a_merged_file_counts_for_the_file_it_was_merged_into(
    make_user: Callable[..., User],
) -> None:
    from violeta.linkage.services import persons_merge

    a = _register("S-1").victim
    b = _register("C5-1", agency="C5", given_names="Lupita", birth_date="").victim
    kept = persons_merge(keep=a, absorb=b, actor=make_user("supervisor"), reason="misma")
    sedesa = Agency.objects.get(code="SEDESA")
    activity_touch(b.pk, sedesa.pk, timezone.now())
    assert _case(kept, "SEDESA").person_id == kept.pk


def test_the_command_reports_what_it_did(catalogs: None) -> None:
    _register("S-1")
    out = StringIO()
    call_command("cases_sweep", stdout=out)
    assert "moved to supervised 1" in out.getvalue()
    out = StringIO()
    call_command("cases_sweep", stdout=out)
    assert "opened 0, refreshed 0, moved to supervised 0" in out.getvalue()


def test_supervisors_see_supervised_follow_ups_and_close_the_eligible_ones(
    make_user: Callable[..., User],
) -> None:
    woman = _register("S-1").victim
    case = _supervised(woman, days_ago=95)
    client = login_verified(Client(), make_user("supervisor"))

    page = client.get(reverse("cases:supervised")).content.decode()
    assert "Guadalupe Hernández López" in page
    assert reverse("cases:close", args=[case.pk]) in page

    refused = client.post(reverse("cases:close", args=[case.pk]), {"reason": ""})
    assert refused.status_code == 302 and _case(woman).state == CaseState.SUPERVISED
    client.post(reverse("cases:close", args=[case.pk]), {"reason": "Sin contacto un año"})
    assert _case(woman).state == CaseState.CLOSED
    assert AuditEntry.objects.filter(subject_type="followup", action="view").exists()

    caseworker = login_verified(Client(), make_user("caseworker"))
    assert caseworker.get(reverse("cases:supervised")).status_code == 403
    police = login_verified(Client(), make_user("supervisor", agency="SSC"))
    assert police.post(reverse("cases:close", args=[case.pk]), {"reason": "x"}).status_code == 404


def test_her_file_shows_the_state_of_her_follow_ups(make_user: Callable[..., User]) -> None:
    woman = _register("S-1").victim
    _supervised(woman, days_ago=1)
    client = login_verified(Client(), make_user("caseworker", agency="C5"))
    page = client.get(reverse("records:person_file", args=[woman.pk])).content.decode()
    assert 'id="followups"' in page and "SEMUJERES" in page and "Supervisado" in page


def test_a_follow_up_opened_meanwhile_by_another_transaction_is_refreshed_not_duplicated(
    catalogs: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from violeta.cases import services

    woman = _register_at("S-1", timezone.now() - 200 * DAY)
    agency = _case(woman).agency_id
    monkeypatch.setattr(services, "_locked", lambda person_id, agency_id: None)  # not seen yet
    when = timezone.now() - DAY

    case = activity_touch(woman.pk, agency, when)

    assert CaseFollowUp.objects.filter(person=woman).count() == 1
    assert case.last_activity_at == when and _case(woman).last_activity_at == when


def test_the_supervised_list_shows_each_womans_current_risk_level(
    make_user: Callable[..., User],
) -> None:
    woman = _register("S-1").victim
    supervisor = make_user("supervisor")
    vpr = shipped()["vpr"]
    completed(woman, supervisor, vpr, {"h3", "h4", "h5", "h6", "a1", "a3", "v5", "g1", "g3"})
    CaseFollowUp.objects.filter(person=woman).update(
        state=CaseState.SUPERVISED, supervised_since=timezone.now() - 10 * DAY
    )
    page = login_verified(Client(), supervisor).get(reverse("cases:supervised"))
    row = page.content.decode().split('id="case-')[1]
    assert 'class="risk risk-extremo"' in row


def test_her_file_shows_the_follow_ups_of_a_file_merged_into_hers(
    make_user: Callable[..., User],
) -> None:
    from violeta.cases.selectors import cases_on_file
    from violeta.linkage.services import persons_merge

    a = _register("S-1").victim
    b = _register("C5-1", agency="C5", given_names="Lupita", birth_date="").victim
    assert {c.agency.code for c in CaseFollowUp.objects.filter(person=b)} == {"C5"}
    kept = persons_merge(keep=a, absorb=b, actor=make_user("supervisor"), reason="misma")
    activity_touch(a.pk, Agency.objects.get(code="C5").pk, timezone.now() - 400 * DAY)
    shown = cases_on_file(user=make_user("caseworker"), person=kept)
    assert [(c.agency.code, c.person_id) for c in shown] == [("SEMUJERES", a.pk), ("C5", a.pk)]
    CaseFollowUp.objects.filter(person=a, agency__code="C5").delete()
    shown = cases_on_file(user=make_user("caseworker", agency="C5"), person=kept)
    assert [(c.agency.code, c.person_id) for c in shown] == [("C5", b.pk), ("SEMUJERES", a.pk)]
