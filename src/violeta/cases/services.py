"""Writes on a woman's follow-up: activity, the sweep to *supervised*, closing by a person.

``activity_touch`` is what other modules call when something happens for her at an agency (a
record, a referral, an assessment). Only state changes are audited here; the activity itself
is audited by the module where it happened.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from violeta.agencies.models import User
from violeta.agencies.roles import Capability
from violeta.audit.services import audit_log, audit_log_many
from violeta.cases.models import CaseFollowUp, CaseState
from violeta.people.services import person_id_in_use
from violeta.records.choices import PartyRole
from violeta.records.models import AgencyRecord

log = logging.getLogger(__name__)
SWEEP_LABEL = "system:cases_sweep"


def inactive_period() -> dt.timedelta:
    return dt.timedelta(days=settings.CASE_INACTIVE_DAYS)


def supervised_period() -> dt.timedelta:
    return dt.timedelta(days=settings.CASE_SUPERVISED_DAYS)


def _current_person_id(person_id: int) -> int:
    return person_id_in_use(person_id)  # activity for a merged file counts for the file it is in


def _reopens(case: CaseFollowUp, at: dt.datetime, now: dt.datetime) -> bool:
    """New activity reopens a supervised or closed follow-up if it is recent or came after."""
    since = case.supervised_since if case.state == CaseState.SUPERVISED else case.closed_at
    if case.state == CaseState.ACTIVE or since is None:
        return False
    return at > since or now - at < inactive_period()


def _apply(
    case: CaseFollowUp, at: dt.datetime, now: dt.datetime, actor: User | None, label: str
) -> None:
    fields = []
    if at > case.last_activity_at:
        case.last_activity_at = at
        fields.append("last_activity_at")
    if _reopens(case, at, now):
        previous = case.state
        case.state = CaseState.ACTIVE
        case.supervised_since = case.closed_at = case.closed_by = None
        case.closed_reason = ""
        case.reopened_at = now
        fields += ["state", "supervised_since", "closed_at", "closed_by", "closed_reason"]
        fields.append("reopened_at")
        audit_log(
            actor=actor,
            actor_label=None if actor else label,
            action="update",
            subject_type="followup",
            subject_id=case.pk,
            details={"operation": "reopen", "from": previous, "person": case.person_id},
        )
    if fields:
        case.save(update_fields=fields)


def _locked(person_id: int, agency_id: int) -> CaseFollowUp | None:
    return (
        CaseFollowUp.objects.select_for_update()
        .filter(person_id=person_id, agency_id=agency_id)
        .first()
    )


@transaction.atomic
def activity_touch(
    person_id: int,
    agency_id: int,
    at: dt.datetime,
    *,
    actor: User | None = None,
    now: dt.datetime | None = None,
) -> CaseFollowUp:
    """Something happened for her at the agency at ``at``: open, refresh or reopen the follow-up.

    Idempotent for the same ``at``. ``at`` must be timezone-aware.
    """
    if timezone.is_naive(at):
        raise ValueError("activity_touch needs a timezone-aware datetime")
    now = now or timezone.now()
    person_id = _current_person_id(person_id)
    case = _locked(person_id, agency_id)
    if case is None:
        try:
            with transaction.atomic():  # a savepoint: another transaction may open it first
                case = CaseFollowUp.objects.create(
                    person_id=person_id, agency_id=agency_id, opened_at=now, last_activity_at=at
                )
        except IntegrityError:
            case = CaseFollowUp.objects.select_for_update().get(
                person_id=person_id, agency_id=agency_id
            )  # opened meanwhile by a concurrent transaction
            _apply(case, at, now, actor, "system:activity")
            return case
        audit_log(
            actor=actor,
            actor_label=None if actor else "system:activity",
            action="create",
            subject_type="followup",
            subject_id=case.pk,
            details={"person": person_id, "agency": agency_id},
        )
        return case
    _apply(case, at, now, actor, "system:activity")
    return case


@dataclass(frozen=True)
class SweepResult:
    opened: int  # follow-ups opened for records that entered without one (bulk imports)
    refreshed: int  # follow-ups whose last activity came from such records
    supervised: int  # follow-ups moved to supervised


@transaction.atomic
def cases_sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """Catch up with the records, then move follow-ups silent for too long to supervised.

    Idempotent: a second run at the same moment changes nothing. Never closes anything.
    """
    now = now or timezone.now()
    latest = (
        AgencyRecord.objects.filter(
            parties__role=PartyRole.VICTIM, parties__person__merged_into=None
        )
        .values_list("parties__person", "agency")
        .annotate(last=Max("occurred_at"))
    )
    known = {(c.person_id, c.agency_id): c for c in CaseFollowUp.objects.select_for_update()}
    new: list[CaseFollowUp] = []
    refreshed = 0
    for person_id, agency_id, last in latest:
        case = known.get((person_id, agency_id))
        if case is None:
            new.append(
                CaseFollowUp(
                    person_id=person_id, agency_id=agency_id, opened_at=now, last_activity_at=last
                )
            )
        elif last > case.last_activity_at:
            _apply(case, last, now, None, SWEEP_LABEL)
            refreshed += 1
    created = CaseFollowUp.objects.bulk_create(new, batch_size=1000)  # keys: PostgreSQL, SQLite
    audit_log_many(
        actor=None,
        actor_label=SWEEP_LABEL,
        action="create",
        entries=(
            ("followup", c.pk, {"person": c.person_id, "agency": c.agency_id}) for c in created
        ),
    )
    silent = list(
        CaseFollowUp.objects.filter(
            state=CaseState.ACTIVE, last_activity_at__lte=now - inactive_period()
        ).values_list("pk", "person_id")
    )
    CaseFollowUp.objects.filter(pk__in=[pk for pk, _p in silent]).update(
        state=CaseState.SUPERVISED, supervised_since=now
    )
    audit_log_many(
        actor=None,
        actor_label=SWEEP_LABEL,
        action="update",
        entries=(
            ("followup", pk, {"operation": "supervise", "person": person}) for pk, person in silent
        ),
    )
    log.info("cases_sweep opened=%d refreshed=%d supervised=%d", len(new), refreshed, len(silent))
    return SweepResult(opened=len(new), refreshed=refreshed, supervised=len(silent))


def close_allowed_from(case: CaseFollowUp) -> dt.datetime | None:
    """When a supervisor may close it (None while it is not supervised)."""
    if case.state != CaseState.SUPERVISED or case.supervised_since is None:
        return None
    return case.supervised_since + supervised_period()


@transaction.atomic
def case_close(
    *,
    case: CaseFollowUp,
    actor: User,
    reason: str,
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> CaseFollowUp:
    """A supervisor of her agency closes a follow-up supervised long enough, saying why."""
    if not actor.can(Capability.SUPERVISE_CASES) or actor.agency_id != case.agency_id:
        raise PermissionDenied
    now = now or timezone.now()
    case = CaseFollowUp.objects.select_for_update().get(pk=case.pk)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the follow-up is closed.")})
    if case.state == CaseState.CLOSED and case.closed_at is not None:
        raise ValidationError(
            _("Someone else closed this follow-up meanwhile (%(date)s); nothing was changed.")
            % {"date": timezone.localtime(case.closed_at).strftime("%d/%m/%Y %H:%M")}
        )
    allowed_from = close_allowed_from(case)
    if allowed_from is None:
        raise ValidationError(_("Only a follow-up in supervised state can be closed."))
    if now < allowed_from:
        raise ValidationError(
            _("It can be closed from %(date)s, after its supervised period.")
            % {"date": timezone.localtime(allowed_from).strftime("%d/%m/%Y")}
        )
    case.state = CaseState.CLOSED
    case.closed_at = now
    case.closed_by = actor
    case.closed_reason = reason.strip()
    case.save(update_fields=["state", "closed_at", "closed_by", "closed_reason"])
    audit_log(
        actor=actor,
        action="update",
        subject_type="followup",
        subject_id=case.pk,
        request=request,
        reason=reason.strip(),
        details={"operation": "close", "person": case.person_id},
    )
    return case
