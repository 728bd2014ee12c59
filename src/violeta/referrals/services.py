"""Writes on referrals: making one with her consent (or an override), and answering it.

Every write is audited in its transaction; the referring agency's follow-up of her is touched
when she is referred, the receiving agency's when it accepts or completes the service.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from violeta.agencies.models import Agency, Unit, User
from violeta.agencies.roles import Capability
from violeta.audit.services import audit_log
from violeta.cases.services import activity_touch
from violeta.people.models import Person, PersonKind
from violeta.people.services import person_in_use, person_lock
from violeta.records.choices import PartyRole
from violeta.records.models import AgencyRecord
from violeta.referrals.catalog import services_of
from violeta.referrals.choices import TRANSITIONS, ConsentMethod, ReferralStatus, Share
from violeta.referrals.models import Referral
from violeta.referrals.sharing import shared_content


def _scope(values: Iterable[str], field: str) -> list[str]:
    scope = sorted(set(values))
    unknown = [v for v in scope if v not in Share.values]
    if unknown:
        raise ValidationError({field: _("Unknown category to share: %(v)s") % {"v": unknown[0]}})
    return scope


@transaction.atomic
def referral_create(
    *,
    actor: User,
    person: Person,
    to_agency: Agency,
    service: str,
    reason: str,
    consent_given: bool,
    consent_method: str = "",
    consent_scope: Iterable[str] = (),
    narrative: str = "",
    record: AgencyRecord | None = None,
    to_unit: Unit | None = None,
    override: bool = False,
    override_scope: Iterable[str] = (),
    override_reason: str = "",
    form_token: str = "",
    request: HttpRequest | None = None,
) -> Referral:
    """Refer her to ``to_agency``'s ``service``, carrying only what her consent covers.

    Without her consent a referral needs an override: a user with OVERRIDE_CONSENT, a reason,
    and the categories shared despite it. Every error names its field; nothing is stored then.
    """
    if not actor.can(Capability.REFER) or actor.agency is None:
        raise PermissionDenied
    if override and not actor.can(Capability.OVERRIDE_CONSENT):
        raise PermissionDenied
    if person.kind != PersonKind.WOMAN:
        raise ValidationError(_("Only women's files are referred."))
    person = person_in_use(person)
    if form_token:
        person_lock(person)  # a double click's two requests: the second finds the first's
        sent = Referral.objects.filter(created_by=actor, form_token=form_token).first()
        if sent is not None:
            return sent
    errors: dict[str, str] = {}
    if to_agency.pk == actor.agency_id or not to_agency.active:
        errors["to_agency"] = _("Refer her to another, active agency.")
    elif service not in services_of(to_agency.code):
        errors["service"] = _("%(agency)s does not receive referrals for that service.") % {
            "agency": to_agency.code
        }
    if to_unit is not None and to_unit.agency_id != to_agency.pk:
        errors["to_unit"] = _("That unit is not part of the agency she is referred to.")
    if not reason.strip():
        errors["reason"] = _("Say why she is referred and what is asked.")
    if record is not None and (
        record.agency_id != actor.agency_id
        or not record.parties.filter(role=PartyRole.VICTIM, person=person).exists()
    ):
        errors["record"] = _("Choose one of her records at your agency.")
    consent = _scope(consent_scope, "consent_scope")
    overridden = _scope(override_scope, "override_scope") if override else []
    if consent_given and consent_method not in ConsentMethod.values:
        errors["consent_method"] = _("Say how she gave her consent.")
    if not consent_given and consent:
        errors["consent_scope"] = _("She did not consent: mark nothing as agreed.")
    if not consent_given and not override:
        errors["consent_given"] = _(
            "Without her consent, a referral needs a supervisor's override with a reason."
        )
    if override and not override_reason.strip():
        errors["override_reason"] = _("Say why her consent is overridden.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    referral = Referral(
        person=person,
        from_agency=actor.agency,
        from_unit=actor.unit,
        created_by=actor,
        created_at=now,
        form_token=form_token[:32],
        record=record,
        to_agency=to_agency,
        to_unit=to_unit,
        service=service,
        reason=reason.strip(),
        narrative=narrative.strip(),
        consent_given=consent_given,
        consent_method=consent_method if consent_given else "",
        consent_scope=consent,
        consent_recorded_by=actor,
        consent_recorded_at=now,
        override=override,
        override_scope=overridden,
        override_reason=override_reason.strip() if override else "",
        override_by=actor if override else None,
        respond_by=now + dt.timedelta(hours=settings.REFERRAL_RESPOND_HOURS),
        complete_by=now + dt.timedelta(days=settings.REFERRAL_COMPLETE_DAYS),
    )
    content = shared_content(
        person=person,
        from_agency_id=actor.agency.pk,
        scope=referral.shared_scope,
        narrative=referral.narrative,
        record=record,
    )
    referral.shared = json.dumps(content, ensure_ascii=False)
    referral.save()
    audit_log(
        actor=actor,
        action="create",
        subject_type="referral",
        subject_id=referral.pk,
        request=request,
        reason=referral.override_reason,
        details={
            "person": person.pk,
            "to_agency": to_agency.code,
            "service": service,
            "consent": consent_given,
            "shared": sorted(referral.shared_scope),
            "consent_override": override,
        },
    )
    activity_touch(person.pk, actor.agency.pk, now, actor=actor)
    return referral


def _move(
    referral: Referral, actor: User, to: ReferralStatus, side: str
) -> tuple[Referral, dt.datetime]:
    agency_id = referral.to_agency_id if side == "to" else referral.from_agency_id
    if not actor.can(Capability.REFER) or actor.agency_id != agency_id:
        raise PermissionDenied
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if to not in TRANSITIONS.get(locked.status, frozenset()):
        raise ValidationError(
            _("A referral that is %(status)s cannot be %(to)s.")
            % {"status": locked.get_status_display().lower(), "to": to.label.lower()}
        )
    locked.status = to
    return locked, timezone.now()


def _audit(referral: Referral, actor: User, operation: str, request: HttpRequest | None) -> None:
    audit_log(
        actor=actor,
        action="update",
        subject_type="referral",
        subject_id=referral.pk,
        request=request,
        details={"operation": operation, "person": referral.person_id},
    )


def _receiver_activity(referral: Referral, at: dt.datetime, actor: User) -> None:
    """Her follow-up at the receiving agency, only if she let it know who she is: a follow-up
    names her (on her file, in the supervised list) and would undo an anonymous referral."""
    if Share.IDENTITY in referral.shared_scope:
        activity_touch(referral.person_id, referral.to_agency_id, at, actor=actor)


def _required(text: str, field: str, message: str) -> str:
    if not text.strip():
        raise ValidationError({field: message})
    return text.strip()


@transaction.atomic
def referral_accept(
    *, referral: Referral, actor: User, request: HttpRequest | None = None
) -> Referral:
    referral, now = _move(referral, actor, ReferralStatus.ACCEPTED, "to")
    referral.responded_at, referral.responded_by = now, actor
    referral.save(update_fields=["status", "responded_at", "responded_by"])
    _audit(referral, actor, "accept", request)
    _receiver_activity(referral, now, actor)
    return referral


@transaction.atomic
def referral_decline(
    *, referral: Referral, actor: User, reason: str, request: HttpRequest | None = None
) -> Referral:
    reason = _required(reason, "reason", _("Say why the referral is declined."))
    referral, now = _move(referral, actor, ReferralStatus.DECLINED, "to")
    referral.responded_at, referral.responded_by = now, actor
    referral.decline_reason = reason
    referral.save(update_fields=["status", "responded_at", "responded_by", "decline_reason"])
    _audit(referral, actor, "decline", request)
    return referral


@transaction.atomic
def referral_complete(
    *, referral: Referral, actor: User, outcome: str, request: HttpRequest | None = None
) -> Referral:
    outcome = _required(outcome, "outcome", _("Record the outcome of the service."))
    referral, now = _move(referral, actor, ReferralStatus.COMPLETED, "to")
    referral.completed_at, referral.completed_by = now, actor
    referral.outcome = outcome
    referral.save(update_fields=["status", "completed_at", "completed_by", "outcome"])
    _audit(referral, actor, "complete", request)
    _receiver_activity(referral, now, actor)
    return referral


@transaction.atomic
def referral_cancel(
    *, referral: Referral, actor: User, reason: str, request: HttpRequest | None = None
) -> Referral:
    """The referring agency withdraws a referral still open, saying why."""
    reason = _required(reason, "reason", _("Say why the referral is cancelled."))
    referral, now = _move(referral, actor, ReferralStatus.CANCELLED, "from")
    referral.cancelled_at, referral.cancelled_by = now, actor
    referral.cancel_reason = reason
    referral.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"])
    _audit(referral, actor, "cancel", request)
    return referral
