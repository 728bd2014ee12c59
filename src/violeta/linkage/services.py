"""Merging and splitting files, and the supervisor's decisions on pairs.

Every change keeps every source record and its history (records are never touched: only
which person a reported identity points to), is audited, and leaves a ``LinkDecision`` so that
no later automatic run overturns it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from violeta.agencies.models import User
from violeta.agencies.roles import Capability
from violeta.audit.services import audit_log
from violeta.linkage.models import (
    Decision,
    LinkDecision,
    LinkMethod,
    ReviewPair,
    ReviewReason,
    ReviewStatus,
)
from violeta.people.models import Person
from violeta.people.services import identity_copy_to_new_person, person_mark_merged
from violeta.records.models import ReportedIdentity


def _require(actor: User) -> None:
    if not actor.can(Capability.REVIEW_LINKS):
        raise PermissionDenied


def decision_record(
    *, a: ReportedIdentity, b: ReportedIdentity, decision: Decision, actor: User, reason: str
) -> LinkDecision:
    """Store (or replace) the human decision on a pair; the pair is kept in id order."""
    first, second = sorted((a, b), key=lambda i: i.pk)
    found, _created = LinkDecision.objects.update_or_create(
        identity_a=first,
        identity_b=second,
        defaults={"decision": decision, "reason": reason, "decided_by": actor},
    )
    return found


@transaction.atomic
def persons_merge(
    *, keep: Person, absorb: Person, actor: User, reason: str, request: HttpRequest | None = None
) -> Person:
    """Put every identity of ``absorb`` in ``keep``'s file; ``absorb`` remains, marked merged."""
    _require(actor)
    if keep.pk == absorb.pk:
        return keep
    if keep.kind != absorb.kind:
        raise ValidationError(_("A woman's file and an aggressor's cannot be merged."))
    locked = {
        p.pk: p
        for p in Person.objects.select_for_update()
        .filter(pk__in=[keep.pk, absorb.pk])
        .order_by("pk")
    }
    keep, absorb = locked[keep.pk], locked[absorb.pk]
    moved = list(ReportedIdentity.objects.filter(person=absorb).order_by("pk"))
    anchor = ReportedIdentity.objects.filter(person=keep).order_by("pk").first()
    ReportedIdentity.objects.filter(person=absorb).update(
        person=keep, link_method=LinkMethod.HUMAN, link_probability=None
    )
    if anchor is not None and moved:
        decision_record(a=anchor, b=moved[0], decision=Decision.SAME, actor=actor, reason=reason)
    person_mark_merged(absorb, keep)
    audit_log(
        actor=actor,
        action="link",
        subject_type="person",
        subject_id=str(keep.pk),
        request=request,
        reason=reason,
        details={"operation": "merge", "absorbed": absorb.pk, "identities": [i.pk for i in moved]},
    )
    return keep


@transaction.atomic
def identity_split(
    *,
    identity: ReportedIdentity,
    actor: User,
    reason: str,
    to_person: Person | None = None,
    from_person: int | None = None,
    request: HttpRequest | None = None,
) -> Person:
    """Take one reported identity out of its file, into ``to_person`` or a new person.

    The identity is recorded as different from every identity left behind, so the model never
    puts it back. ``from_person``: the file the supervisor saw it in; if someone moved it
    since, nothing is done (ValidationError).
    """
    _require(actor)
    if not reason.strip():
        raise ValidationError(_("Say why this record is not hers."))
    locked = ReportedIdentity.objects.select_for_update().filter(pk=identity.pk)
    locked.values_list("pk", flat=True).first()  # one split of this record at a time
    identity.refresh_from_db(fields=["person", "link_method", "link_probability"])
    if from_person is not None and identity.person_id != from_person:
        raise ValidationError(
            _(
                "Someone else already took this record out of this file meanwhile; nothing "
                "was changed."
            )
        )
    old = identity.person
    if to_person is None:
        to_person = identity_copy_to_new_person(identity)
    elif to_person.kind != old.kind:
        raise ValidationError(_("A woman's file and an aggressor's cannot be merged."))
    identity.person = to_person
    identity.link_method = LinkMethod.HUMAN
    identity.link_probability = None
    identity.save(update_fields=["person", "link_method", "link_probability"])
    for other in ReportedIdentity.objects.filter(person=old).exclude(pk=identity.pk):
        decision_record(
            a=identity, b=other, decision=Decision.DIFFERENT, actor=actor, reason=reason
        )
    audit_log(
        actor=actor,
        action="link",
        subject_type="person",
        subject_id=str(old.pk),
        request=request,
        reason=reason,
        details={"operation": "split", "identity": identity.pk, "to_person": to_person.pk},
    )
    return to_person


@transaction.atomic
def review_decide(
    *,
    pair: ReviewPair,
    decision: Decision,
    actor: User,
    reason: str = "",
    request: HttpRequest | None = None,
) -> LinkDecision:
    """A supervisor's answer to a pair in the queue: merge the two files, or keep them apart."""
    _require(actor)
    pair = ReviewPair.objects.select_for_update().get(pk=pair.pk)
    if pair.status != ReviewStatus.OPEN:
        raise ValidationError(_("Somebody already decided this pair."))
    a, b = pair.identity_a, pair.identity_b
    if decision == Decision.SAME and a.person_id != b.person_id:
        persons_merge(keep=a.person, absorb=b.person, actor=actor, reason=reason, request=request)
    elif decision == Decision.DIFFERENT and a.person_id == b.person_id:
        identity_split(identity=b, actor=actor, reason=reason or _("Review"), request=request)
    found = decision_record(a=a, b=b, decision=decision, actor=actor, reason=reason)
    pair.status = ReviewStatus.DECIDED
    pair.decision = found
    pair.save(update_fields=["status", "decision"])
    audit_log(
        actor=actor,
        action="link",
        subject_type="review",
        subject_id=str(pair.pk),
        request=request,
        reason=reason,
        details={"decision": str(decision), "identities": [a.pk, b.pk]},
    )
    return found


def review_request(
    *, identity: ReportedIdentity, person: Person, probability: float, reason: ReviewReason
) -> ReviewPair | None:
    """Queue ``identity`` against one of ``person``'s identities for a supervisor, once."""
    other = (
        ReportedIdentity.objects.filter(person=person, role=identity.role)
        .exclude(pk=identity.pk)
        .order_by("-pk")
        .first()
    )
    if other is None:
        return None
    first, second = sorted((identity, other), key=lambda i: i.pk)
    pair, _created = ReviewPair.objects.get_or_create(
        identity_a=first,
        identity_b=second,
        defaults={"probability": probability, "reason": reason},
    )
    return pair
