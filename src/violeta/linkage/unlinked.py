"""Records left out of every file for lack of identity, and a supervisor's decision on each.

A record with only a given name, or only a phone, is never linked by the model (see
``cluster``): ``violeta link`` marks it ``unlinked`` and it waits here. A supervisor either
attaches it to the file she recognises (a "same" decision against a record of that file, which
every later run keeps) or keeps it apart as a person of its own (its method becomes "human",
which later runs keep while nothing links it). Both are audited.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from violeta.agencies.models import User
from violeta.agencies.roles import Capability
from violeta.audit.services import audit_log
from violeta.linkage.models import Decision, LinkMethod
from violeta.linkage.realtime import Candidate, candidates_for
from violeta.linkage.services import decision_record
from violeta.people.models import Person
from violeta.people.services import identity_input_of, person_kind_of, person_mark_merged
from violeta.records.choices import PartyRole
from violeta.records.models import ReportedIdentity

CARRIED = ("given_names", "first_surname", "second_surname", "birth_date", "curp", "phone")


def _require(user: User) -> None:
    if not user.can(Capability.REVIEW_LINKS):
        raise PermissionDenied


def unlinked_identities(
    *, user: User, role: str = "", agency: str = ""
) -> QuerySet[ReportedIdentity]:
    """Identities waiting for a person's decision, newest record first."""
    _require(user)
    found = ReportedIdentity.objects.filter(link_method=LinkMethod.UNLINKED)
    if role in PartyRole.values:
        found = found.filter(role=role)
    if agency:
        found = found.filter(record__agency__code=agency)
    return found.select_related("record__agency", "record__kind", "alcaldia").order_by(
        "-record__occurred_at", "-pk"
    )


def unlinked_count(*, user: User) -> int:
    return unlinked_identities(user=user).count() if user.can(Capability.REVIEW_LINKS) else 0


def carried(identity: ReportedIdentity) -> list[str]:
    """Which identity attributes the record carries (names of fields, not their values)."""
    return [name for name in CARRIED if getattr(identity, name)]


@dataclass
class UnlinkedView:
    identity: ReportedIdentity
    candidates: list[Candidate]


def unlinked_for(*, user: User, identity_id: int, request: HttpRequest | None) -> UnlinkedView:
    """One unlinked record with the files it may belong to; the reading is audited."""
    _require(user)
    identity = get_object_or_404(
        ReportedIdentity.objects.select_related("record__agency", "record__kind", "alcaldia"),
        pk=identity_id,
    )
    found = candidates_for(data=identity_input_of(identity), kind=person_kind_of(identity))
    found = [c for c in found if c.person.pk != identity.person_id]
    audit_log(
        actor=user,
        action="view",
        subject_type="unlinked",
        subject_id=str(identity.pk),
        request=request,
        details={"candidates": [c.person.pk for c in found]},
    )
    return UnlinkedView(identity, found)


def _still_waiting(identity: ReportedIdentity) -> ReportedIdentity:
    """The identity locked, if no one decided about it since the page was loaded (two
    supervisors on the same record: the second must not undo the first's decision)."""
    locked = ReportedIdentity.objects.select_for_update().get(pk=identity.pk)
    if locked.link_method != LinkMethod.UNLINKED:
        raise ValidationError(
            _(
                "Someone else decided about this record meanwhile; nothing was changed. "
                "If it still looks wrong, open the file it is in now."
            )
        )
    return locked


@transaction.atomic
def identity_attach(
    *,
    identity: ReportedIdentity,
    person: Person,
    actor: User,
    reason: str,
    request: HttpRequest | None = None,
) -> Person:
    """Put ``identity`` in ``person``'s file by a supervisor's decision."""
    _require(actor)
    if not reason.strip():
        raise ValidationError(_("Say why this record is hers."))
    if person.kind != person_kind_of(identity):
        raise ValidationError(_("A woman's file and an aggressor's cannot be merged."))
    if person.merged_into_id is not None:
        raise ValidationError(_("That file was merged into another one: use that one."))
    anchor = (
        ReportedIdentity.objects.filter(person=person, role=identity.role)
        .exclude(pk=identity.pk)
        .order_by("pk")
        .first()
    )
    if anchor is None:
        raise ValidationError(_("That file has no records to attach this one to."))
    identity = _still_waiting(identity)
    old = identity.person
    identity.person = person
    identity.link_method = LinkMethod.HUMAN
    identity.link_probability = None
    identity.save(update_fields=["person", "link_method", "link_probability"])
    decision_record(a=anchor, b=identity, decision=Decision.SAME, actor=actor, reason=reason)
    if old.pk != person.pk and not ReportedIdentity.objects.filter(person=old).exists():
        person_mark_merged(old, person)
    audit_log(
        actor=actor,
        action="link",
        subject_type="person",
        subject_id=str(person.pk),
        request=request,
        reason=reason,
        details={"operation": "attach", "identity": identity.pk, "from_person": old.pk},
    )
    return person


@transaction.atomic
def identity_keep_apart(
    *, identity: ReportedIdentity, actor: User, reason: str, request: HttpRequest | None = None
) -> None:
    """A supervisor's word that this record stays a person of its own."""
    _require(actor)
    if not reason.strip():
        raise ValidationError(_("Say why this record stays apart."))
    identity = _still_waiting(identity)
    identity.link_method = LinkMethod.HUMAN
    identity.link_probability = None
    identity.save(update_fields=["link_method", "link_probability"])
    audit_log(
        actor=actor,
        action="link",
        subject_type="person",
        subject_id=str(identity.person_id),
        request=request,
        reason=reason,
        details={"operation": "keep_apart", "identity": identity.pk},
    )
