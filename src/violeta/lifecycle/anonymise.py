"""Destroying the identities of a closed file past retention, keeping what statistics count.

Kept: every record with its kind, dates, agency, alcaldía, types and modalities of violence,
relationship, weapons, risk level and the codes and dates of its details; her file's row (an id
that counts her once), her sex and alcaldía, her age given as the lower bound of its band
(``observatory.facts.age_group`` gives the same band); alerts, referrals, follow-ups and risk
assessments as rows with their states and dates. Destroyed: names, CURP, phone, address,
colonia and date of birth (her file, the files merged into it and every identity her records
reported), the blind indexes and linkage features built from them, narratives and every free
text about her (referrals, notes, answers, safety plans, rectified versions, ARCO summaries),
her records' earlier versions, her certificates (their signed content names her), and the
linkage review pairs and decisions about her identities. Her aggressor's identity goes too
unless another woman's file (or a record without her) still names him.

One file per transaction, with one audit entry (ids and counts only). A file anonymised once is
never a candidate again (idempotent).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils import timezone

from violeta.alerts.models import Alert
from violeta.audit.services import audit_log
from violeta.cases.models import CaseFollowUp
from violeta.certificates.models import Certificate
from violeta.lifecycle.models import AnonymisedPerson, ArcoRequest, IdentityVersion
from violeta.lifecycle.retention import file_ids
from violeta.linkage.models import LinkDecision, LinkMethod, ReviewPair
from violeta.people.models import Person
from violeta.records.choices import PartyRole
from violeta.records.models import AgencyRecord, AgencyRecordVersion, ReportedIdentity
from violeta.referrals.models import Referral
from violeta.risk.models import RiskAssessment
from violeta.safetyplan.models import SafetyPlanVersion

BLANK_IDENTITY: dict[str, Any] = {
    "given_names": "",
    "first_surname": "",
    "second_surname": "",
    "birth_date": "",
    "curp": "",
    "phone": "",
    "address": "",
    "colonia": "",
    "curp_bidx": "",
    "phone_bidx": "",
}
BLANK_PERSON_INDEXES = {
    "first_surname_bidx": "",
    "second_surname_bidx": "",
    "given_name_bidx": "",
    "birth_date_bidx": "",
}
REDACTED = "[anonimizado]"
# Values of a record's details kept as they are: catalog codes and ISO dates. Anything else
# (a folio, a carpeta's number, free text) becomes REDACTED: still there, so what counts its
# presence (a complaint with a carpeta is an investigation) counts the same.
CODE = re.compile(r"^[a-z0-9_]{1,40}$|^\d{4}-\d{2}-\d{2}([T ][0-9:.+\-Z]*)?$")
FREE_KEYS = frozenset({"carpeta"})  # identifiers whatever they look like


def _age_floor() -> Case:
    """The lower bound of the age's band (facts.age_group): the band is kept, the age not."""
    return Case(
        When(age__isnull=True, then=Value(None)),
        When(age__lte=17, then=Value(0)),
        When(age__lte=29, then=Value(18)),
        When(age__lte=44, then=Value(30)),
        When(age__lte=59, then=Value(45)),
        default=Value(60),
        output_field=IntegerField(),
    )


def scrub_details(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: scrub_details(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub_details(v, key) for v in value]
    if isinstance(value, str):
        if not value:
            return value
        return REDACTED if key in FREE_KEYS or not CODE.match(value) else value
    return value  # numbers, booleans, None


@dataclass
class Outcome:
    person_id: int
    counts: dict[str, int] = field(default_factory=dict)


def _identities_wipe(qs: Any) -> int:
    """Blank the identities of ``qs`` (reported identities); link features go with them."""
    n: int = qs.update(
        **BLANK_IDENTITY,
        link_features="",
        age=_age_floor(),
        link_method=Case(
            When(link_method=LinkMethod.OPERATOR, then=Value(LinkMethod.HUMAN)),
            default=F("link_method"),
        ),
    )
    return n


def _persons_wipe(ids: list[int], *, file: int, now: dt.datetime) -> None:
    blank = {**BLANK_IDENTITY, **BLANK_PERSON_INDEXES}
    Person.objects.filter(pk__in=ids).update(**blank, updated_at=now)
    marks = [AnonymisedPerson(person_id=pk, file=file, anonymised_at=now) for pk in ids]
    AnonymisedPerson.objects.bulk_create(marks, ignore_conflicts=True)


def _aggressors_to_destroy(records: list[int]) -> list[int]:
    """Her aggressors' persons (with their merged files) that no other record names, but
    records of women anonymised before her (they keep him only until the last of them goes)."""
    gone_women = ReportedIdentity.objects.filter(
        role=PartyRole.VICTIM, person__anonymised__isnull=False
    ).values("record_id")
    found = set(
        ReportedIdentity.objects.filter(record_id__in=records, role=PartyRole.AGGRESSOR)
        .values_list("person_id", "person__merged_into_id")
        .distinct()
    )
    destroy: list[int] = []
    for file in sorted({merged or person for person, merged in found}):
        ids = file_ids(file)
        elsewhere = (
            ReportedIdentity.objects.filter(person_id__in=ids)
            .exclude(record_id__in=records)
            .exclude(record_id__in=gone_women)
        )
        if not elsewhere.exists():
            destroy.extend(ids)
    return destroy


def _linkage_forget(identities: list[int]) -> int:
    about = Q(identity_a_id__in=identities) | Q(identity_b_id__in=identities)
    pairs, _ = ReviewPair.objects.filter(about).delete()
    decisions, _ = LinkDecision.objects.filter(about).delete()
    return pairs + decisions


def file_anonymise(*, person_id: int, now: dt.datetime | None = None) -> Outcome:
    """Anonymise one file in its own transaction (see the module's docstring)."""
    now = now or timezone.now()
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person_id).first()
        ids = file_ids(person_id)
        victims = ReportedIdentity.objects.filter(person_id__in=ids, role=PartyRole.VICTIM)
        records = list(victims.values_list("record_id", flat=True))
        aggressors = _aggressors_to_destroy(records)
        theirs = ReportedIdentity.objects.filter(  # on her records and on those gone before
            role=PartyRole.AGGRESSOR, person_id__in=aggressors
        )
        gone = [*victims.values_list("pk", flat=True), *theirs.values_list("pk", flat=True)]
        out = Outcome(person_id)
        c = out.counts
        c["records"] = len(records)
        c["linkage_rows"] = _linkage_forget(gone)
        c["identities"] = _identities_wipe(ReportedIdentity.objects.filter(pk__in=gone))
        c["versions"], _ = AgencyRecordVersion.objects.filter(record_id__in=records).delete()
        rows = list(AgencyRecord.objects.filter(pk__in=records).only("pk", "details"))
        for row in rows:
            row.details = scrub_details(row.details)
            row.narrative = ""
            row.colonia = ""
            row.updated_at = now
        AgencyRecord.objects.bulk_update(
            rows, ["details", "narrative", "colonia", "updated_at"], batch_size=500
        )
        c["referrals"] = Referral.objects.filter(person_id__in=ids).update(
            reason="", narrative="", override_reason="", shared="", decline_reason="",
            outcome="", cancel_reason="",
        )  # fmt: skip
        CaseFollowUp.objects.filter(person_id__in=ids).update(closed_reason="")
        Alert.objects.filter(person_id__in=ids).update(acknowledge_note="", close_note="")
        RiskAssessment.objects.filter(person_id__in=ids).update(
            answers="{}", override_reason="", next_reassessment_due=None
        )  # no re-assessment reminder about a destroyed file
        SafetyPlanVersion.objects.filter(plan__person_id__in=ids).update(
            content="{}", change_note=""
        )
        c["certificates"], _ = Certificate.objects.filter(person_id__in=ids).delete()
        IdentityVersion.objects.filter(person_id__in=ids).delete()
        ArcoRequest.objects.filter(person_id__in=ids).update(request_summary="", answer="")
        _persons_wipe(ids, file=person_id, now=now)
        c["files"] = len(ids)
        c["aggressor_files"] = len(aggressors)
        if aggressors:
            _persons_wipe(aggressors, file=person_id, now=now)
        AnonymisedPerson.objects.filter(person_id=person_id).update(counts=c)
        audit_log(
            actor=None,
            actor_label="system:retention",
            action="delete",
            subject_type="person",
            subject_id=person_id,
            reason="retention",
            details={"scope": "anonymise", "merged": ids[1:], "aggressors": aggressors, **c},
        )
    return out
