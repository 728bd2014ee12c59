"""Instrument versions, drafts, completion, professional judgement and the schedule."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from violeta.agencies.models import User
from violeta.audit.models import AuditEntry
from violeta.cases.models import CaseFollowUp, CaseState
from violeta.linkage.services import persons_merge
from violeta.risk import selectors
from violeta.risk.choices import Status
from violeta.risk.definition import InstrumentError
from violeta.risk.models import InstrumentVersion, RiskAssessment
from violeta.risk.scoring import AnswerError
from violeta.risk.services import (
    assessment_save,
    assessment_start,
    level_override,
    override_decide,
)
from violeta.risk.tests.factories import a_woman, all_answers, completed, shipped
from violeta.risk.versions import SHIPPED, instrument_load, instrument_retire

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
EXTREME = {"h3", "h4", "h5", "h6", "a1", "a3", "v5", "g1", "g3"}  # 3+3+3+4+3+3+3+3+3 = 28


def _vpr_text(**changes: object) -> str:
    data = json.loads((SHIPPED / "vpr.json").read_text(encoding="utf-8"))
    data.update(changes)
    return json.dumps(data, ensure_ascii=False)


def test_a_version_in_use_is_immutable_and_a_changed_file_needs_a_new_version(
    make_user: Callable[..., User],
) -> None:
    vpr = shipped()["vpr"]
    assert instrument_load(text=_vpr_text(), actor=None).status == "unchanged"
    renamed = _vpr_text(notes="changed before anyone used it")
    assert instrument_load(text=renamed, actor=None).status == "replaced"
    completed(a_woman(), make_user("caseworker"), vpr, set())

    with pytest.raises(InstrumentError, match="in use"):
        instrument_load(text=_vpr_text(notes="changed after use"), actor=None)
    vpr.refresh_from_db()
    assert vpr.definition["notes"] == "changed before anyone used it"
    new = instrument_load(text=_vpr_text(version="2", notes="v2"), actor=None)
    assert new.status == "created" and str(new.instrument) == "vpr v2"
    assert AuditEntry.objects.filter(subject_type="risk_instrument").count() >= 5


def test_a_retired_version_cannot_start_an_assessment(make_user: Callable[..., User]) -> None:
    danger = shipped()["danger"]
    instrument_retire(instrument=danger, actor=None)
    assert danger not in selectors.instruments_available()
    with pytest.raises(ValidationError, match="retired"):
        assessment_start(person=a_woman(), instrument=danger, actor=make_user("caseworker"))


def test_completing_with_unanswered_required_items_keeps_a_draft_listing_them(
    make_user: Callable[..., User],
) -> None:
    vpr = shipped()["vpr"]
    user = make_user("caseworker")
    assessment = assessment_start(person=a_woman(), instrument=vpr, actor=user)
    answers = all_answers(vpr, {"h6"})
    del answers["m2"], answers["g5"]
    outcome = assessment_save(assessment=assessment, answers=answers, complete=True, actor=user)
    assert not outcome.completed and [i.id for i in outcome.missing] == ["m2", "g5"]
    assessment.refresh_from_db()
    assert assessment.status == Status.DRAFT and assessment.final_level == ""
    assert assessment.answer_dict()["h6"] == "yes"  # the draft keeps what was answered
    with connection.cursor() as cursor:
        cursor.execute("SELECT answers FROM risk_riskassessment")
        stored = cursor.fetchone()[0]
    assert stored.startswith("gAAAA") and '"h6"' not in stored  # a Fernet token, not JSON


def test_an_invalid_answer_stores_nothing_and_names_the_item(
    make_user: Callable[..., User],
) -> None:
    vpr = shipped()["vpr"]
    user = make_user("caseworker")
    assessment = assessment_start(person=a_woman(), instrument=vpr, actor=user)
    with pytest.raises(AnswerError) as caught:
        assessment_save(
            assessment=assessment, answers={"h1": "yes", "a1": "si"}, complete=False, actor=user
        )
    assert list(caught.value.errors) == ["a1"]
    assessment.refresh_from_db()
    assert assessment.answer_dict() == {}


def test_completion_computes_the_level_and_the_reassessment_date(
    make_user: Callable[..., User],
) -> None:
    vpr = shipped()["vpr"]
    done = completed(a_woman(), make_user("caseworker"), vpr, EXTREME)
    assert (done.score, done.computed_level, done.final_level) == (28, "extremo", "extremo")
    assert done.completed_at and done.next_reassessment_due
    assert done.next_reassessment_due - done.completed_at == dt.timedelta(hours=72)
    with pytest.raises(ValidationError):
        assessment_save(assessment=done, answers={}, complete=True, actor=done.assessed_by)
    with override_settings(RISK_REASSESS_HOURS={"medio": 24 * 10}):
        medio = completed(a_woman("S-2"), done.assessed_by, vpr, {"h6", "a1", "g1"})
    assert medio.next_reassessment_due - medio.completed_at == dt.timedelta(days=10)
    danger = completed(a_woman("S-3"), done.assessed_by, shipped()["danger"], {"d2", "d6"})
    assert danger.final_level == "variable" and danger.final_equivalent == "bajo"
    assert danger.next_reassessment_due - danger.completed_at == dt.timedelta(days=60)


def test_raising_needs_a_reason_and_takes_effect(make_user: Callable[..., User]) -> None:
    user = make_user("caseworker")
    done = completed(a_woman(), user, shipped()["vpr"], {"h1"})
    assert done.final_level == "bajo"
    with pytest.raises(ValidationError, match="why"):
        level_override(assessment=done, level="alto", reason="  ", actor=user)
    done = level_override(assessment=done, level="alto", reason="Lo vi armado", actor=user)
    assert (done.computed_level, done.final_level, done.override_direction) == (
        "bajo",
        "alto",
        "up",
    )
    assert done.next_reassessment_due - done.completed_at == dt.timedelta(days=7)
    entry = AuditEntry.objects.filter(subject_type="risk_assessment").latest("seq")
    assert entry.reason == "Lo vi armado" and entry.details["direction"] == "up"


def test_lowering_waits_for_a_supervisor_of_the_same_agency(
    make_user: Callable[..., User],
) -> None:
    caseworker = make_user("caseworker")
    done = completed(a_woman(), caseworker, shipped()["vpr"], EXTREME)
    done = level_override(assessment=done, level="alto", reason="Detenido", actor=caseworker)
    assert done.override_state == "pending" and done.final_level == "extremo"
    with pytest.raises(PermissionDenied):
        override_decide(assessment=done, approve=True, actor=caseworker)
    with pytest.raises(PermissionDenied):
        override_decide(assessment=done, approve=True, actor=make_user("supervisor", "SSC"))
    done = override_decide(assessment=done, approve=True, actor=make_user("supervisor"))
    assert done.final_level == "alto" and done.override_approved_by is not None
    assert selectors.current_level(done.person_id).level == "alto"  # type: ignore[union-attr]


def test_a_supervisor_lowers_directly_and_a_rejected_request_keeps_the_level(
    make_user: Callable[..., User],
) -> None:
    supervisor, caseworker = make_user("supervisor"), make_user("caseworker")
    vpr = shipped()["vpr"]
    first = completed(a_woman(), supervisor, vpr, EXTREME)
    first = level_override(assessment=first, level="medio", reason="Revisado", actor=supervisor)
    assert first.final_level == "medio" and first.override_state == "approved"
    second = completed(a_woman("S-2"), caseworker, vpr, EXTREME)
    second = level_override(assessment=second, level="bajo", reason="x", actor=caseworker)
    second = override_decide(assessment=second, approve=False, actor=supervisor, reason="No")
    assert second.final_level == "extremo" and second.override_state == "rejected"


def test_current_level_follows_the_latest_completed_and_merged_files(
    make_user: Callable[..., User],
) -> None:
    user = make_user("caseworker")
    vpr = shipped()["vpr"]
    woman, other = a_woman(), a_woman("S-9", given_names="Rosa", first_surname="Díaz")
    assert selectors.current_level(woman.pk) is None
    completed(woman, user, vpr, EXTREME)
    later = completed(other, user, vpr, {"h1"})
    assessment_start(person=woman, instrument=vpr, actor=user)  # a draft changes nothing
    assert selectors.current_level(woman.pk).level == "extremo"  # type: ignore[union-attr]
    persons_merge(keep=woman, absorb=other, actor=make_user("supervisor"), reason="misma")
    levels = selectors.current_levels([woman.pk])
    assert levels[woman.pk].assessment_id == later.pk and levels[woman.pk].level == "bajo"


def test_only_assessing_roles_of_assessing_agencies_may_start(
    make_user: Callable[..., User],
) -> None:
    vpr: InstrumentVersion = shipped()["vpr"]
    woman = a_woman()
    for role, agency in (("analyst", "SEMUJERES"), ("operator", "C5"), ("auditor", None)):
        with pytest.raises(PermissionDenied):
            assessment_start(person=woman, instrument=vpr, actor=make_user(role, agency))
    assert assessment_start(person=woman, instrument=vpr, actor=make_user("operator", "SSC"))


def test_factors_of_the_answers_that_carry_weight(make_user: Callable[..., User]) -> None:
    woman = a_woman()
    assert selectors.current_factors(woman.pk) == frozenset()
    done = completed(woman, make_user("caseworker"), shipped()["vpr"], {"h6", "m2", "g1"})
    assert selectors.factors_of(done) == {
        "strangulation",
        "children",
        "threats_to_kill",
        "separation",
    }
    assert selectors.current_factors(woman.pk) == selectors.factors_of(done)


def test_due_reassessments_for_system_jobs(make_user: Callable[..., User]) -> None:
    vpr = shipped()["vpr"]
    done = completed(a_woman(), make_user("caseworker"), vpr, EXTREME)
    assert list(selectors.due_reassessments()) == []
    assert done.next_reassessment_due is not None
    later = done.next_reassessment_due + dt.timedelta(minutes=1)
    assert list(selectors.due_reassessments(at=later)) == [done]
    completed(done.person, make_user("operator", "SSC"), shipped()["vper"], set())
    assert list(selectors.due_reassessments(at=later)) == []


def test_levels_for_a_list_take_a_fixed_number_of_queries(
    make_user: Callable[..., User], django_assert_num_queries: Callable[..., object]
) -> None:
    user, vpr = make_user("caseworker"), shipped()["vpr"]
    women = [a_woman(f"S-{n}", given_names=name) for n, name in enumerate(["Ana", "Eva", "Ivon"])]
    for woman in women:
        completed(woman, user, vpr, {"h1"})
    with django_assert_num_queries(2):  # merged files, then the assessments
        levels = selectors.current_levels([w.pk for w in women])
    assert {lv.level for lv in levels.values()} == {"bajo"} and len(levels) == 3


def test_every_write_is_audited_with_ids_and_codes_only(make_user: Callable[..., User]) -> None:
    caseworker, supervisor = make_user("caseworker"), make_user("supervisor")
    vpr = shipped()["vpr"]
    woman = a_woman()
    assessment = assessment_start(person=woman, instrument=vpr, actor=caseworker)
    assessment_save(assessment=assessment, answers={"h1": "yes"}, complete=False, actor=caseworker)
    done = assessment_save(
        assessment=assessment, answers=all_answers(vpr, EXTREME), complete=True, actor=caseworker
    ).assessment
    level_override(assessment=done, level="alto", reason="Detenido", actor=caseworker)
    override_decide(assessment=done, approve=True, actor=supervisor)
    entries = list(
        AuditEntry.objects.filter(subject_type="risk_assessment", subject_id=str(done.pk))
        .order_by("seq")
        .values_list("action", "actor_label", "details")
    )
    assert [(a, who) for a, who, _ in entries] == [
        ("create", caseworker.username),
        ("update", caseworker.username),
        ("update", caseworker.username),
        ("update", caseworker.username),
        ("update", supervisor.username),
    ]
    assert entries[2][2]["score"] == 28 and entries[2][2]["level"] == "extremo"
    assert entries[4][2] == {"operation": "override_decision", "state": "approved", "final": "alto"}
    text = json.dumps([d for _, _, d in entries], ensure_ascii=False)
    assert "Hernández" not in text and "Guadalupe" not in text and "yes" not in text


@pytest.mark.parametrize(
    ("value", "expected"), [("48", "{'alto': 48}"), ("soon", "VIOLETA_REASSESS_ALTO")]
)
def test_reassessment_intervals_from_the_environment(value: str, expected: str) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "VIOLETA_MODE": "test", "VIOLETA_REASSESS_ALTO": value}
    code = "import violeta.settings as s; print(s.RISK_REASSESS_HOURS)"
    run = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert expected in run.stdout + run.stderr
    assert (run.returncode == 0) == value.isdigit()


def test_starting_twice_resumes_the_open_draft(make_user: Callable[..., User]) -> None:
    caseworker = make_user("caseworker")
    woman, vpr = a_woman(), shipped()["vpr"]
    first = assessment_start(person=woman, instrument=vpr, actor=caseworker)
    again = assessment_start(person=woman, instrument=vpr, actor=caseworker)
    assert again.pk == first.pk
    assert RiskAssessment.objects.filter(person=woman).count() == 1
    done = completed(woman, caseworker, vpr, set())  # completes the open draft
    assert done.pk == first.pk
    assert assessment_start(person=woman, instrument=vpr, actor=caseworker).pk != first.pk


def test_a_completed_assessment_keeps_her_follow_up_active(
    make_user: Callable[..., User],
) -> None:
    user = make_user("caseworker")
    woman = a_woman()
    CaseFollowUp.objects.update_or_create(
        person=woman,
        agency=user.agency,
        defaults={
            "state": CaseState.SUPERVISED,
            "supervised_since": dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
            "opened_at": dt.datetime(2019, 1, 1, tzinfo=dt.UTC),
            "last_activity_at": dt.datetime(2019, 1, 1, tzinfo=dt.UTC),
        },
    )
    draft = assessment_start(person=woman, instrument=shipped()["vpr"], actor=user)
    assessment_save(assessment=draft, answers={}, complete=False, actor=user)
    case = CaseFollowUp.objects.get(person=woman, agency=user.agency)
    assert case.state == CaseState.SUPERVISED  # a draft is not activity yet
    done = completed(woman, user, shipped()["vpr"], {"h1"})
    case.refresh_from_db()
    assert case.state == CaseState.ACTIVE
    assert case.last_activity_at == done.completed_at


def test_an_assessment_replaced_in_a_merged_file_is_not_due(
    make_user: Callable[..., User],
) -> None:
    user, supervisor, vpr = make_user("caseworker"), make_user("supervisor"), shipped()["vpr"]
    woman, other = a_woman(), a_woman("S-9", given_names="Rosa", first_surname="Díaz")
    third = a_woman("S-8", given_names="Irma", first_surname="Ruiz")
    first = completed(woman, user, vpr, EXTREME)
    completed(other, user, vpr, EXTREME)  # later, in the file merged into hers
    older = completed(third, user, vpr, EXTREME)
    newest = completed(woman, user, vpr, EXTREME)  # later than the absorbed file's
    persons_merge(keep=woman, absorb=other, actor=supervisor, reason="misma")
    persons_merge(keep=woman, absorb=third, actor=supervisor, reason="misma")
    far = timezone.now() + dt.timedelta(days=365)
    due = list(selectors.due_reassessments(at=far))
    assert first not in due and older not in due
    assert due == [newest]


def test_two_people_changing_the_same_assessment_the_second_is_refused(
    make_user: Callable[..., User],
) -> None:
    caseworker, supervisor = make_user("caseworker"), make_user("supervisor")
    done = completed(a_woman(), caseworker, shipped()["vpr"], {"h1"})
    stale = RiskAssessment.objects.get(pk=done.pk)  # the second person's page, loaded before
    level_override(assessment=done, level="alto", reason="armado", actor=caseworker)
    with pytest.raises(ValidationError):
        level_override(assessment=stale, level="no_apreciado", reason="x", actor=supervisor)
    with pytest.raises(ValidationError):
        assessment_save(assessment=stale, answers={}, complete=True, actor=supervisor)
    stale.refresh_from_db()
    assert (stale.final_level, stale.override_by) == ("alto", caseworker)


def test_starting_twice_returns_the_same_draft(make_user: Callable[..., User]) -> None:
    user, vpr, woman = make_user("caseworker"), shipped()["vpr"], a_woman()
    first = assessment_start(person=woman, instrument=vpr, actor=user)
    assert assessment_start(person=woman, instrument=vpr, actor=user) == first
    other = assessment_start(person=woman, instrument=vpr, actor=make_user("supervisor"))
    assert other != first
    assessment_save(assessment=first, answers=all_answers(vpr, set()), complete=True, actor=user)
    assert assessment_start(person=woman, instrument=vpr, actor=user) != first
