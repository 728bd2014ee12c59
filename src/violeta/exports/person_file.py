"""A woman's whole file as data, for a request of access (derecho de acceso, ARCO).

Everything Violeta holds about her, from every agency: her identity in her file and as each
record reported it, the records (narratives included: they are her account), protection orders,
risk assessments, safety plans, referrals, alerts about her, certificates issued to her, her
follow-ups and her ARCO requests (with the values a rectification replaced), with the files
merged into hers. Not included (docs/exports.md says why): the aggressor's identity
(name, CURP, phone, address: a third party's data; his profile as reported in her records is
kept: sex, age given, relationship), anything about other women (other victims of the same
aggressor, alerts' facts that count them), staff names and the audit trail.

Only a supervisor (``EXPORT_PERSON_FILE``) of an agency that attended her may export it; each
export is audited with the legal basis and the request's folio.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone

from violeta.agencies.models import User
from violeta.agencies.roles import Capability
from violeta.alerts.models import Alert
from violeta.audit.services import audit_log
from violeta.cases.models import CaseFollowUp
from violeta.catalogs.events import ORDER_MEASURES
from violeta.certificates.models import Certificate
from violeta.lifecycle.selectors import arco_for_export
from violeta.people.models import IdentityFields, Person, PersonKind
from violeta.people.services import person_in_use
from violeta.records.choices import PartyRole
from violeta.records.models import AgencyRecord, ReportedIdentity
from violeta.records.selectors import with_parties
from violeta.referrals.models import Referral
from violeta.risk.models import RiskAssessment
from violeta.safetyplan.models import SafetyPlan
from violeta.safetyplan.selectors import her_agencies

SCHEMA_VERSION = "1.0"
ORDER_KIND = "protection_order"
IDENTITY = ("given_names", "first_surname", "second_surname", "sex", "curp", "phone", "address")
ORDER_FIELDS = ("order_type", "order_measures", "order_valid_from", "order_valid_until")


def may_export_file(user: User, person: Person) -> bool:
    return (
        user.can(Capability.EXPORT_PERSON_FILE)
        and user.agency_id is not None
        and user.agency_id in her_agencies(person)
    )


def woman_for_export(*, user: User, person_id: int) -> Person:
    """Her file in use (a merged file is read as the one it was merged into), or 403/404.
    Other roles get 403 before any look-up: they do not learn whether the id exists."""
    if not user.can(Capability.EXPORT_PERSON_FILE):
        raise PermissionDenied
    person = get_object_or_404(Person, pk=person_id, kind=PersonKind.WOMAN)
    person = person_in_use(person)
    if not may_export_file(user, person):
        raise PermissionDenied
    return person


def file_ids(person: Person) -> list[int]:
    """Her file and the files merged into it (``merged_into`` always names a file in use)."""
    merged = Person.objects.filter(merged_into=person).order_by("pk").values_list("pk", flat=True)
    return [person.pk, *merged]


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat()
    return value.isoformat()


def _identity(identity: IdentityFields) -> dict[str, Any]:
    data: dict[str, Any] = {name: getattr(identity, name) or "" for name in IDENTITY}
    data["birth_date"] = _iso(identity.birth_date or None)
    data["colonia"] = identity.colonia or ""
    alcaldia = identity.alcaldia
    data["alcaldia"] = alcaldia.inegi_code if alcaldia else None
    return data


def _json(text: str) -> Any:
    try:
        return json.loads(text or "null")
    except ValueError:
        return text


def _record(record: AgencyRecord) -> dict[str, Any]:
    victim = record.victims[0] if record.victims else None  # type: ignore[attr-defined]
    aggressor = record.aggressors[0] if record.aggressors else None  # type: ignore[attr-defined]
    return {
        "id": record.pk,
        "agency": record.agency.code,
        "agency_record_id": record.agency_record_id,
        "kind": record.kind.code,
        "kind_label": str(record.kind.label),  # type: ignore[attr-defined]
        "occurred_at": _iso(record.occurred_at),
        "alcaldia": record.alcaldia.inegi_code if record.alcaldia else None,
        "colonia": record.colonia or "",
        "violence_types": sorted(t.code for t in record.violence_types.all()),
        "modalities": sorted(m.code for m in record.modalities.all()),
        "relationship": record.relationship or None,
        "weapons": list(record.weapons or []),
        "risk_level": record.risk_level or None,
        "narrative": record.narrative or "",
        "details": record.details if isinstance(record.details, dict) else {},
        "her_identity_as_reported": _identity(victim) if victim else None,
        "aggressor_profile": (
            {"sex": aggressor.sex or None, "age_given": aggressor.age} if aggressor else None
        ),
    }


def _order(record: dict[str, Any]) -> dict[str, Any]:
    details = record["details"]
    measures = [m for m in details.get("order_measures") or [] if m in ORDER_MEASURES]
    return {
        "record_id": record["id"],
        "agency": record["agency"],
        "issued_at": record["occurred_at"],
        "type": details.get("order_type"),
        "measures": measures,
        "valid_from": details.get("order_valid_from"),
        "valid_until": details.get("order_valid_until"),
    }


def _records(ids: list[int]) -> list[dict[str, Any]]:
    parties = ReportedIdentity.objects.select_related("alcaldia")
    records = (
        with_parties(
            AgencyRecord.objects.filter(parties__person__in=ids, parties__role=PartyRole.VICTIM),
            parties,
        )
        .order_by("occurred_at", "pk")
        .distinct()
    )
    return [_record(r) for r in records]


def _assessments(ids: list[int]) -> list[dict[str, Any]]:
    rows = RiskAssessment.objects.filter(person_id__in=ids).select_related("agency", "instrument")
    return [
        {
            "id": a.pk,
            "agency": a.agency.code,
            "instrument": f"{a.instrument.code}@{a.instrument.version}",
            "status": a.status,
            "started_at": _iso(a.created_at),
            "completed_at": _iso(a.completed_at),
            "answers": _json(a.answers),
            "score": a.score,
            "computed_level": a.computed_level or None,
            "final_level": a.final_level or None,
            "override": a.override_direction or None,
            "next_reassessment_due": _iso(a.next_reassessment_due),
        }
        for a in rows.order_by("created_at", "pk")
    ]


def _plans(ids: list[int]) -> list[dict[str, Any]]:
    plans = SafetyPlan.objects.filter(person_id__in=ids).select_related("agency")
    return [
        {
            "id": plan.pk,
            "agency": plan.agency.code,
            "created_at": _iso(plan.created_at),
            "versions": [
                {"number": v.number, "edited_at": _iso(v.edited_at), "content": _json(v.content)}
                for v in plan.versions.order_by("number")
            ],
        }
        for plan in plans.order_by("created_at", "pk")
    ]


def _referrals(ids: list[int]) -> list[dict[str, Any]]:
    rows = Referral.objects.filter(person_id__in=ids).select_related("from_agency", "to_agency")
    return [
        {
            "id": r.pk,
            "from_agency": r.from_agency.code,
            "to_agency": r.to_agency.code,
            "service": r.service,
            "referred_at": _iso(r.created_at),
            "record_id": r.record_id,
            "reason": r.reason or "",
            "consent_given": r.consent_given,
            "consent_scope": list(r.consent_scope or []),
            "consent_overridden": r.override,
            "status": r.status,
            "answered_at": _iso(r.responded_at),
            "decline_reason": r.decline_reason or "",
            "completed_at": _iso(r.completed_at),
            "outcome": r.outcome or "",
            "cancelled_at": _iso(r.cancelled_at),
        }
        for r in rows.order_by("created_at", "pk")
    ]


def _alerts(ids: list[int], own_records: set[int]) -> list[dict[str, Any]]:
    return [
        {
            "id": a.pk,
            "rule": a.rule_code,
            "level": a.level,
            "state": a.state,
            "raised_at": _iso(a.created_at),
            "evidence": [pk for pk in a.evidence or [] if pk in own_records],
            "acknowledged_at": _iso(a.acknowledged_at),
            "closed_at": _iso(a.closed_at),
        }
        for a in Alert.objects.filter(person_id__in=ids).order_by("created_at", "pk")
    ]


def _certificates(ids: list[int]) -> list[dict[str, Any]]:
    rows = Certificate.objects.filter(person_id__in=ids).select_related("agency")
    return [
        {
            "code": c.code,
            "agency": c.agency.code,
            "issued_at": _iso(c.issued_at),
            "purpose": c.purpose,
            "attentions": c.attentions,
            "revoked_at": _iso(c.revoked_at),
        }
        for c in rows.order_by("issued_at", "pk")
    ]


def _followups(ids: list[int]) -> list[dict[str, Any]]:
    rows = CaseFollowUp.objects.filter(person_id__in=ids).select_related("agency")
    return [
        {
            "agency": c.agency.code,
            "state": c.state,
            "opened_at": _iso(c.opened_at),
            "last_activity_at": _iso(c.last_activity_at),
            "closed_at": _iso(c.closed_at),
            "closed_reason": c.closed_reason or "",
        }
        for c in rows.order_by("opened_at", "pk")
    ]


def person_file_data(*, user: User, person: Person, folio: str) -> dict[str, Any]:
    """Her whole file as a dict (schema: docs/exports.md). Not audited by itself: hand it over
    only after :func:`person_file_audit` (the view makes the file first, then audits)."""
    if not may_export_file(user, person):
        raise PermissionDenied
    ids = file_ids(person)
    records = _records(ids)
    own = {r["id"] for r in records}
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_at": timezone.localtime().isoformat(),
        "generated_by_agency": user.agency.code if user.agency else None,
        "request_folio": folio,
        "person": {"id": person.pk, "merged_files": ids[1:], "identity": _identity(person)},
        "records": records,
        "protection_orders": [_order(r) for r in records if r["kind"] == ORDER_KIND],
        "risk_assessments": _assessments(ids),
        "safety_plans": _plans(ids),
        "referrals": _referrals(ids),
        "alerts": _alerts(ids, own),
        "certificates": _certificates(ids),
        "follow_ups": _followups(ids),
        "arco_requests": arco_for_export(ids),
    }


def person_file_audit(
    *,
    user: User,
    data: dict[str, Any],
    legal_basis: str,
    fmt: str,
    request: HttpRequest | None = None,
) -> None:
    """The export's audit entry: who, which file, the legal basis and folio, the format, counts
    (ids and numbers only)."""
    counts = {key: len(data[key]) for key in ("records", "risk_assessments", "referrals")}
    merged = data["person"]["merged_files"]
    audit_log(
        actor=user,
        action="export",
        subject_type="person",
        subject_id=str(data["person"]["id"]),
        request=request,
        reason=f"{legal_basis} (folio {data['request_folio']})",
        details={"format": fmt, "scope": "person_file", "merged": merged, **counts},
    )
