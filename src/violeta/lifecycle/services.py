"""Writes of the lifecycle: the retention run, rectification and the ARCO register."""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from violeta.agencies.models import User
from violeta.audit.services import audit_log
from violeta.catalogs.models import Alcaldia
from violeta.exports.person_file import may_export_file
from violeta.lifecycle import retention
from violeta.lifecycle.anonymise import file_anonymise
from violeta.lifecycle.business_days import ANSWER_DAYS, add_business_days
from violeta.lifecycle.models import (
    ArcoKind,
    ArcoRequest,
    ArcoStatus,
    IdentityVersion,
    NonWorkingDay,
)
from violeta.linkage.features import stored_blob
from violeta.linkage.models import ReviewReason
from violeta.linkage.realtime import candidates_for
from violeta.linkage.services import review_request
from violeta.people import identity as ident
from violeta.people.models import Person, PersonKind
from violeta.people.services import identity_input_of, person_indexes, person_lock
from violeta.records.choices import PartyRole
from violeta.records.models import ReportedIdentity

logger = logging.getLogger(__name__)
RECTIFIABLE = ("given_names", "first_surname", "second_surname", "birth_date", "curp", "phone",
               "address", "colonia", "alcaldia")  # fmt: skip


@dataclass
class RetentionResult:
    examined: int = 0
    files: list[int] = field(default_factory=list)
    records: int = 0


def retention_run(*, today: dt.date, dry_run: bool = False) -> RetentionResult:
    """Every closed file past retention on ``today`` is anonymised (listed, with ``dry_run``).
    Files are read in batches; each is anonymised in its own transaction."""
    years = retention.years_by_kind()
    result = RetentionResult()
    for person_id in retention.candidates(today=today):
        result.examined += 1
        state = retention.file_state(person_id, today=today, years=years)
        if not state.past_retention:
            continue
        result.files.append(person_id)
        if dry_run:
            continue
        outcome = file_anonymise(person_id=person_id)
        result.records += outcome.counts.get("records", 0)
        logger.info("retention: file %s anonymised %s", person_id, outcome.counts)
    return result


def due_date(received_on: dt.date) -> dt.date:
    days = NonWorkingDay.objects.values_list("day", flat=True)
    return add_business_days(received_on, ANSWER_DAYS, non_working=days)


def _require(user: User, person: Person) -> None:
    """Only a supervisor of an agency that attended her (the rule of the access export)."""
    if not may_export_file(user, person):
        raise PermissionDenied


def arco_request_create(
    *,
    actor: User,
    person: Person,
    kind: ArcoKind | str,
    folio: str,
    received_on: dt.date,
    summary: str = "",
    request: HttpRequest | None = None,
) -> ArcoRequest:
    _require(actor, person)
    if received_on > timezone.localdate():
        raise ValidationError(_("The request cannot be received in the future."))
    assert actor.agency is not None  # may_export_file checked it
    with transaction.atomic():
        arco = ArcoRequest.objects.create(
            person=person,
            agency=actor.agency,
            kind=ArcoKind(kind),
            folio=folio,
            received_on=received_on,
            due_on=due_date(received_on),
            request_summary=summary,
            created_by=actor,
        )
        audit_log(
            actor=actor,
            action="create",
            subject_type="arco_request",
            subject_id=arco.pk,
            request=request,
            reason=f"folio {folio}",
            details={"person": person.pk, "kind": arco.kind, "due_on": arco.due_on.isoformat()},
        )
    return arco


def arco_request_answer(
    *,
    actor: User,
    arco: ArcoRequest,
    status: ArcoStatus | str,
    answer: str,
    request: HttpRequest | None = None,
) -> ArcoRequest:
    if actor.agency_id != arco.agency_id or not may_export_file(actor, arco.person):
        raise PermissionDenied
    if arco.status != ArcoStatus.PENDING:
        raise ValidationError(_("This request was already answered."))
    status = ArcoStatus(status)
    if status == ArcoStatus.PENDING or not answer.strip():
        raise ValidationError(_("Give the answer and whether the request is granted."))
    with transaction.atomic():
        arco.status = status
        arco.answer = answer
        arco.answered_by = actor
        arco.answered_at = timezone.now()
        arco.save(update_fields=["status", "answer", "answered_by", "answered_at"])
        audit_log(
            actor=actor,
            action="update",
            subject_type="arco_request",
            subject_id=arco.pk,
            request=request,
            details={
                "person": arco.person_id,
                "kind": arco.kind,
                "status": status.value,
                "late": arco.answered_at.date() > arco.due_on,
            },
        )
    return arco


def _value(person: Person, name: str) -> Any:
    if name == "alcaldia":
        return person.alcaldia.inegi_code if person.alcaldia_id else ""  # type: ignore[union-attr]
    value = getattr(person, name)
    if name == "birth_date":
        return value.isoformat() if value else ""
    return value or ""


def identity_rectify(
    *,
    actor: User,
    person: Person,
    new: dict[str, Any],
    folio: str,
    legal_basis: str,
    received_on: dt.date,
    also_records: bool = True,
    request: HttpRequest | None = None,
) -> IdentityVersion | None:
    """Correct her identity in her file (and, with ``also_records``, in the records of the
    actor's agency): the old values kept as an encrypted version, the change audited (field
    names only), a rectification request logged as granted, and her file looked up again
    against the others (a likely duplicate goes to the linkage review queue). Returns the
    version, or None when nothing changed."""
    _require(actor, person)
    if person.kind != PersonKind.WOMAN or hasattr(person, "anonymised"):
        raise PermissionDenied
    if not legal_basis.strip() or not folio.strip():
        raise ValidationError(_("The legal basis and the folio of the request are required."))
    with transaction.atomic():
        person_lock(person)
        person.refresh_from_db()
        changed = [n for n in RECTIFIABLE if _value(person, n) != (new.get(n) or "")]
        if not changed:
            return None
        old = {n: _value(person, n) for n in changed}
        arco = arco_request_create(
            actor=actor, person=person, kind=ArcoKind.RECTIFICATION, folio=folio,
            received_on=received_on, summary=legal_basis, request=request,
        )  # fmt: skip
        _apply(person, new)
        person.save()
        number = (IdentityVersion.objects.filter(person=person).aggregate(m=Max("version"))["m"]
                  or 0) + 1  # fmt: skip
        version = IdentityVersion.objects.create(
            person=person, version=number, snapshot=json.dumps(old, ensure_ascii=False),
            fields=changed, request=arco, changed_by=actor,
        )  # fmt: skip
        records = _rectify_records(person, new, actor) if also_records else 0
        queued = _relink(person)
        arco.status, arco.answered_by, arco.answered_at = ArcoStatus.GRANTED, actor, timezone.now()
        arco.answer = _("Rectified: %(fields)s") % {"fields": ", ".join(changed)}
        arco.save(update_fields=["status", "answered_by", "answered_at", "answer"])
        audit_log(
            actor=actor,
            action="update",
            subject_type="person",
            subject_id=person.pk,
            request=request,
            reason=f"{legal_basis} (folio {folio})",
            details={"scope": "rectification", "fields": changed, "version": number,
                     "arco_request": arco.pk, "records": records, "review_pairs": queued},
        )  # fmt: skip
    return version


def _apply(target: Any, new: dict[str, Any]) -> None:
    for name in RECTIFIABLE:
        if name == "alcaldia":
            code = new.get("alcaldia") or ""
            target.alcaldia = Alcaldia.objects.filter(inegi_code=code).first() if code else None
        elif name == "birth_date":
            born = new.get("birth_date") or ""
            target.birth_date = dt.date.fromisoformat(born) if born else None
        else:
            setattr(target, name, new.get(name) or "")
    target.curp = target.curp.upper()
    target.curp_bidx = ident.curp_index(target.curp) if ident.curp_is_valid(target.curp) else ""
    target.phone_bidx = ident.phone_index(target.phone) if target.phone else ""
    if isinstance(target, Person):
        person_indexes(target)


def _rectify_records(person: Person, new: dict[str, Any], actor: User) -> int:
    """Her identity as the actor's agency's records reported it, corrected the same way, with
    the linkage features recomputed for the next ``violeta link``."""
    rows = ReportedIdentity.objects.filter(
        person=person, role=PartyRole.VICTIM, record__agency=actor.agency
    ).select_related("record", "alcaldia")
    count = 0
    for identity in rows:
        _apply(identity, new)
        identity.link_features = stored_blob(identity, identity.record.occurred_at)
        identity.save()
        count += 1
    return count


def _relink(person: Person) -> int:
    """Her corrected identity looked up as the registration form does; another file that is
    likely her goes to the supervisors' review queue (no automatic merge)."""
    mine = ReportedIdentity.objects.filter(person=person, role=PartyRole.VICTIM).order_by("-pk")
    newest = mine.first()
    if newest is None:
        return 0
    queued = 0
    data = identity_input_of(person)
    for candidate in candidates_for(data=data, kind=PersonKind.WOMAN):
        theirs = candidate.person.merged_into_id or candidate.person.pk
        if theirs == person.pk or candidate.score < settings.LINKAGE_REVIEW_FROM:
            continue
        pair = review_request(
            identity=newest, person=candidate.person, probability=candidate.score,
            reason=ReviewReason.UNCERTAIN,
        )  # fmt: skip
        queued += int(pair is not None)
    return queued
