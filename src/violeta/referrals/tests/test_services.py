"""Making and answering referrals: consent, overrides, transitions, access, overdue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from violeta.agencies.models import Agency, User
from violeta.audit.models import AuditEntry
from violeta.cases.models import CaseFollowUp
from violeta.people.models import Person
from violeta.records.models import AgencyRecord
from violeta.referrals.models import Referral
from violeta.referrals.selectors import overdue_for, received_queue
from violeta.referrals.services import (
    referral_accept,
    referral_cancel,
    referral_complete,
    referral_decline,
)
from violeta.referrals.tests.helpers import (
    RECORD_NARRATIVE,
    REFERRAL_NARRATIVE,
    refer,
    woman_with_records,
)
from violeta.risk.tests.factories import completed, shipped

pytestmark = pytest.mark.django_db


@pytest.fixture
def woman(catalogs: None) -> tuple[Person, AgencyRecord]:
    return woman_with_records()


def test_the_referral_carries_only_the_categories_she_consented_to(
    make_user: Callable[..., User], woman: tuple[Person, AgencyRecord]
) -> None:
    person, record = woman
    caseworker = make_user("caseworker")

    referral = refer(caseworker, person, record=record, consent_scope=["risk"])

    shared = referral.shared_content
    assert set(shared) == {"v", "risk_level"}
    assert shared["risk_level"] == "Medio"
    assert REFERRAL_NARRATIVE not in referral.shared and RECORD_NARRATIVE not in referral.shared
    assert "Guadalupe" not in referral.shared
    # ...while the referring agency keeps what it wrote.
    assert referral.narrative == REFERRAL_NARRATIVE

    full = refer(
        caseworker,
        person,
        record=record,
        consent_scope=["identity", "attentions", "violence", "risk", "narrative"],
    ).shared_content
    assert full["identity"]["full_name"] == "Guadalupe Hernández López"
    assert [a["agency"] for a in full["attentions"]] == ["SEMUJERES", "C5"]
    assert full["narrative"] == REFERRAL_NARRATIVE and RECORD_NARRATIVE in full["record_narrative"]
    assert full["violence_types"] == ["Física", "Psicológica"]


def test_without_consent_a_referral_needs_a_supervisors_override_with_a_reason(
    make_user: Callable[..., User], woman: tuple[Person, AgencyRecord]
) -> None:
    person, _record = woman
    caseworker, supervisor = make_user("caseworker"), make_user("supervisor")

    with pytest.raises(ValidationError) as refused:
        refer(caseworker, person, consent_given=False, consent_scope=[])
    assert "consent_given" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        refer(
            caseworker,
            person,
            consent_given=False,
            consent_scope=[],
            override=True,
            override_scope=["identity"],
            override_reason="riesgo extremo",
        )
    with pytest.raises(ValidationError) as no_reason:
        refer(
            supervisor,
            person,
            consent_given=False,
            consent_scope=[],
            override=True,
            override_scope=["identity"],
            override_reason="  ",
        )
    assert "override_reason" in no_reason.value.message_dict
    assert not Referral.objects.exists()

    referral = refer(
        supervisor,
        person,
        consent_given=False,
        consent_scope=[],
        override=True,
        override_scope=["identity", "risk"],
        override_reason="riesgo extremo, inconsciente",
    )

    assert referral.shared_scope == {"identity", "risk"}
    assert referral.override_by == supervisor and not referral.consent_given
    entry = AuditEntry.objects.get(subject_type="referral", action="create")
    assert entry.reason == "riesgo extremo, inconsciente"
    assert entry.details["consent_override"] is True and entry.details["consent"] is False


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"service": "police_protection"}, "service"),  # SEDESA does not offer it
        ({"to_agency": "SEMUJERES", "service": "legal"}, "to_agency"),  # her own agency
        ({"reason": " "}, "reason"),
        ({"consent_method": ""}, "consent_method"),
        ({"consent_scope": ["everything"]}, "consent_scope"),
        ({"consent_given": False, "consent_scope": ["identity"]}, "consent_scope"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(
    make_user: Callable[..., User],
    woman: tuple[Person, AgencyRecord],
    overrides: dict[str, object],
    field: str,
) -> None:
    person, _record = woman
    if "to_agency" in overrides:
        overrides["to_agency"] = Agency.objects.get(code=str(overrides["to_agency"]))
    with pytest.raises(ValidationError) as error:
        refer(make_user("caseworker"), person, **overrides)
    assert field in error.value.message_dict
    assert not Referral.objects.exists()
    assert not AuditEntry.objects.filter(subject_type="referral").exists()


def test_the_record_it_comes_from_must_be_hers_at_the_referring_agency(
    make_user: Callable[..., User], woman: tuple[Person, AgencyRecord]
) -> None:
    person, _record = woman
    call = AgencyRecord.objects.get(agency__code="C5")
    with pytest.raises(ValidationError) as error:
        refer(make_user("caseworker"), person, record=call)
    assert "record" in error.value.message_dict


def test_the_receiving_agency_accepts_or_declines_with_a_reason_and_records_the_outcome(
    make_user: Callable[..., User], woman: tuple[Person, AgencyRecord]
) -> None:
    person, _record = woman
    sender = make_user("caseworker")
    receiver = make_user("caseworker", agency="SEDESA")
    first, second = refer(sender, person), refer(sender, person)

    with pytest.raises(ValidationError) as no_reason:
        referral_decline(referral=first, actor=receiver, reason="   ")
    assert "reason" in no_reason.value.message_dict
    first.refresh_from_db()
    assert first.status == "pending"

    declined = referral_decline(referral=first, actor=receiver, reason="Fuera de cobertura")
    assert declined.status == "declined" and declined.decline_reason == "Fuera de cobertura"
    with pytest.raises(ValidationError):  # a declined referral is not accepted afterwards
        referral_accept(referral=first, actor=receiver)

    referral_accept(referral=second, actor=receiver)
    with pytest.raises(ValidationError):
        referral_complete(referral=second, actor=receiver, outcome="")
    done = referral_complete(referral=second, actor=receiver, outcome="Lesiones valoradas")
    assert done.status == "completed" and done.completed_by == receiver
    assert done.outcome == "Lesiones valoradas"
    operations = list(
        AuditEntry.objects.filter(subject_type="referral", action="update")
        .order_by("seq")
        .values_list("details__operation", flat=True)
    )
    assert operations == ["decline", "accept", "complete"]
    # She is now followed at both agencies.
    agencies = set(
        CaseFollowUp.objects.filter(person=person).values_list("agency__code", flat=True)
    )
    assert {"SEMUJERES", "SEDESA"} <= agencies


def test_only_the_receiving_agency_answers_and_only_the_sender_cancels(
    make_user: Callable[..., User], woman: tuple[Person, AgencyRecord]
) -> None:
    person, _record = woman
    sender = make_user("caseworker")
    referral = refer(sender, person)
    with pytest.raises(PermissionDenied):
        referral_accept(referral=referral, actor=sender)
    with pytest.raises(PermissionDenied):
        referral_accept(referral=referral, actor=make_user("caseworker", agency="FGJ"))
    with pytest.raises(PermissionDenied):  # an operator of the receiving agency: no capability
        referral_accept(referral=referral, actor=make_user("operator", agency="SEDESA"))
    with pytest.raises(PermissionDenied):
        referral_cancel(
            referral=referral, actor=make_user("caseworker", agency="SEDESA"), reason="x"
        )

    cancelled = referral_cancel(referral=referral, actor=sender, reason="Ya la atendieron")
    assert cancelled.status == "cancelled"


def test_overdue_referrals_are_listed_for_supervisors_of_each_side(
    make_user: Callable[..., User], woman: tuple[Person, AgencyRecord]
) -> None:
    person, _record = woman
    sender = make_user("caseworker")
    receiver = make_user("caseworker", agency="SEDESA")
    late_answer, late_service, on_time, done = (refer(sender, person) for _ in range(4))
    referral_accept(referral=late_service, actor=receiver)
    referral_accept(referral=done, actor=receiver)
    referral_complete(referral=done, actor=receiver, outcome="ok")
    past = timezone.now() - dt.timedelta(hours=1)
    Referral.objects.filter(pk__in=[late_answer.pk, done.pk]).update(respond_by=past)
    Referral.objects.filter(pk__in=[late_service.pk, done.pk]).update(complete_by=past)

    received = overdue_for(user=make_user("supervisor", agency="SEDESA"), request=None)
    sent = overdue_for(user=make_user("supervisor"), request=None)

    assert {v.referral.pk for v in received.received} == {late_answer.pk, late_service.pk}
    assert received.sent == []
    assert {v.referral.pk for v in sent.sent} == {late_answer.pk, late_service.pk}
    assert on_time.pk not in {v.referral.pk for v in sent.sent}
    with pytest.raises(PermissionDenied):
        overdue_for(user=receiver, request=None)
    queue = received_queue(user=receiver, request=None)
    assert queue.open[0].overdue and queue.open[0].referral.pk in {late_answer.pk, late_service.pk}
    assert [v.referral.pk for v in queue.closed] == [done.pk]
    assert not any(v.overdue for v in queue.open if v.referral.pk == on_time.pk)


def test_due_dates_follow_the_settings(
    make_user: Callable[..., User], woman: tuple[Person, AgencyRecord], settings: object
) -> None:
    settings.REFERRAL_RESPOND_HOURS = 4  # type: ignore[attr-defined]
    settings.REFERRAL_COMPLETE_DAYS = 2  # type: ignore[attr-defined]
    referral = refer(make_user("caseworker"), woman[0])
    assert referral.respond_by - referral.created_at == dt.timedelta(hours=4)
    assert referral.complete_by - referral.created_at == dt.timedelta(days=2)


def test_the_shared_risk_level_is_her_assessed_level_before_her_records(
    make_user: Callable[..., User], woman: tuple[Person, AgencyRecord]
) -> None:
    person, _record = woman
    caseworker = make_user("caseworker")
    completed(person, caseworker, shipped()["vpr"], {"h1"})  # assessed "bajo"; records: medio

    referral = refer(caseworker, person, consent_scope=["risk"])

    assert referral.shared_content["risk_level"] == "Bajo"


def test_an_anonymous_referral_opens_no_follow_up_naming_her_at_the_receiving_agency(
    make_user: Callable[..., User], woman: tuple[Person, AgencyRecord]
) -> None:
    person, _record = woman
    receiver = make_user("caseworker", agency="SEDESA")
    referral = refer(make_user("caseworker"), person, consent_scope=["risk"])
    referral_accept(referral=referral, actor=receiver)
    referral_complete(referral=referral, actor=receiver, outcome="Atendida")
    assert not CaseFollowUp.objects.filter(person=person, agency__code="SEDESA").exists()
