"""Registering an agency's record: the one write path for forms, imports and the API."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from violeta.agencies.models import User
from violeta.audit.services import audit_deferred, audit_log
from violeta.cases.services import activity_touch
from violeta.core.conflicts import EditConflict
from violeta.linkage.features import stored_blob
from violeta.linkage.models import LinkMethod
from violeta.people.models import Person, PersonKind
from violeta.people.services import identity_apply, person_create, person_resolve
from violeta.records.choices import PartyRole, RecordSource
from violeta.records.models import AgencyRecord, AgencyRecordVersion, ReportedIdentity
from violeta.records.validation import PartyInput, RecordInput


@dataclass(frozen=True)
class RegisterOutcome:
    record: AgencyRecord
    created: bool
    changed: bool
    victim: Person
    victim_created: bool


def _party_snapshot(party: ReportedIdentity | PartyInput | None) -> dict[str, Any] | None:
    if party is None:
        return None
    if isinstance(party, PartyInput):
        data = party.identity
        values = {f: getattr(data, f) for f in data.__dataclass_fields__}
        values["birth_date"] = data.birth_date.isoformat() if data.birth_date else ""
        values["age"] = party.age
        return values
    return {
        "given_names": party.given_names,
        "first_surname": party.first_surname,
        "second_surname": party.second_surname,
        "birth_date": party.birth_date.isoformat() if party.birth_date else "",
        "sex": party.sex,
        "curp": party.curp,
        "phone": party.phone,
        "address": party.address,
        "colonia": party.colonia,
        "alcaldia_code": party.alcaldia.inegi_code if party.alcaldia else "",
        "age": party.age,
    }


def _snapshot_of_input(data: RecordInput) -> dict[str, Any]:
    return {
        "kind": data.kind.code,
        "occurred_at": data.occurred_at.astimezone(dt.UTC).isoformat(),
        "alcaldia": data.alcaldia.inegi_code if data.alcaldia else "",
        "colonia": data.colonia,
        "violence_types": sorted(t.code for t in data.violence_types),
        "modalities": sorted(m.code for m in data.modalities),
        "relationship": data.relationship,
        "weapons": sorted(data.weapons),
        "risk_level": data.risk_level,
        "narrative": data.narrative,
        "details": data.details,
        "victim": _party_snapshot(data.victim),
        "aggressor": _party_snapshot(data.aggressor),
    }


def record_snapshot(record: AgencyRecord) -> dict[str, Any]:
    parties = {p.role: p for p in record.parties.select_related("alcaldia")}
    return {
        "kind": record.kind.code,
        "occurred_at": record.occurred_at.astimezone(dt.UTC).isoformat(),
        "alcaldia": record.alcaldia.inegi_code if record.alcaldia else "",
        "colonia": record.colonia,
        "violence_types": sorted(t.code for t in record.violence_types.all()),
        "modalities": sorted(m.code for m in record.modalities.all()),
        "relationship": record.relationship,
        "weapons": sorted(record.weapons),
        "risk_level": record.risk_level,
        "narrative": record.narrative,
        "details": record.details,
        "victim": _party_snapshot(parties.get(PartyRole.VICTIM)),
        "aggressor": _party_snapshot(parties.get(PartyRole.AGGRESSOR)),
    }


def record_matches(record: AgencyRecord, data: RecordInput) -> bool:
    """Whether ``record`` already holds ``data`` (registering it again would change nothing)."""
    return record_snapshot(record) == _snapshot_of_input(data)


def _attach_party(
    record: AgencyRecord,
    role: PartyRole,
    party: PartyInput,
    alcaldia: Any,
    person: Person | None,
    force_new: bool = False,
) -> tuple[Person, bool]:
    kind = PersonKind.WOMAN if role == PartyRole.VICTIM else PersonKind.AGGRESSOR
    method: str = LinkMethod.OPERATOR
    if force_new:
        person, method = person_create(kind=kind, data=party.identity, alcaldia=alcaldia), "single"
    elif person is None:
        person, method = person_resolve(kind=kind, data=party.identity, alcaldia=alcaldia)
    reported = ReportedIdentity(
        record=record, role=role, person=person, age=party.age, link_method=method
    )
    identity_apply(reported, party.identity, alcaldia=alcaldia)
    reported.link_features = stored_blob(reported, record.occurred_at)
    reported.save()
    return person, method == LinkMethod.SINGLE


def record_register(
    *,
    actor: User | None,
    data: RecordInput,
    source: RecordSource,
    victim_person: Person | None = None,
    new_victim: bool = False,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> RegisterOutcome:
    """Store ``data`` as its agency's record: created, or updated with history if it exists.

    Registering an unchanged record again changes nothing and writes no version. The woman is
    ``victim_person`` when the operator picked her, otherwise the person her identity resolves
    to (a new person if none); ``new_victim`` makes her a new person whatever matches (the
    operator said she is none of the candidates). ``expected_version``: the version an update
    starts from (an API client's If-Match); if the record is at another, EditConflict and
    nothing is stored. Audited in the same transaction; the audit
    entries (the record's, the follow-up's, the alerts') are appended together at the end
    (:func:`audit_deferred`), so concurrent registrations do not wait on each other's rules.
    """
    with transaction.atomic(), audit_deferred():
        return _register(
            actor=actor,
            data=data,
            source=source,
            victim_person=victim_person,
            new_victim=new_victim,
            expected_version=expected_version,
            request=request,
        )


def _register(
    *,
    actor: User | None,
    data: RecordInput,
    source: RecordSource,
    victim_person: Person | None,
    new_victim: bool,
    expected_version: int | None,
    request: HttpRequest | None,
) -> RegisterOutcome:
    existing = (
        AgencyRecord.objects.select_for_update()
        .filter(agency=data.agency, agency_record_id=data.agency_record_id)
        .first()
    )
    current = existing.version if existing is not None else 0
    if expected_version is not None and expected_version != current:
        raise EditConflict(_("Someone else changed this record meanwhile."), current=current)
    new_snapshot = _snapshot_of_input(data)
    if existing is not None:
        old_snapshot = record_snapshot(existing)
        victim = existing.parties.get(role=PartyRole.VICTIM).person
        if old_snapshot == new_snapshot:
            return RegisterOutcome(
                existing, created=False, changed=False, victim=victim, victim_created=False
            )
        AgencyRecordVersion.objects.create(
            record=existing,
            version=existing.version,
            snapshot=json.dumps(old_snapshot, ensure_ascii=False),
            changed_by=actor,
        )
        record = existing
        record.version += 1
        if victim_person is None and old_snapshot["victim"] == new_snapshot["victim"]:
            victim_person = victim  # same woman; a corrected identity is resolved anew
        record.parties.all().delete()
    else:
        record = AgencyRecord(agency=data.agency, agency_record_id=data.agency_record_id)
    record.kind = data.kind
    record.occurred_at = data.occurred_at
    record.alcaldia = data.alcaldia
    record.colonia = data.colonia
    record.relationship = data.relationship
    record.weapons = sorted(data.weapons)
    record.risk_level = data.risk_level
    record.narrative = data.narrative
    record.details = data.details
    record.source = source
    if existing is None:
        record.registered_by = actor
    record.save()
    record.violence_types.set(data.violence_types)
    record.modalities.set(data.modalities)
    victim, victim_created = _attach_party(
        record,
        PartyRole.VICTIM,
        data.victim,
        data.victim_alcaldia,
        victim_person,
        force_new=new_victim and existing is None,
    )
    if data.aggressor is not None:
        _attach_party(record, PartyRole.AGGRESSOR, data.aggressor, data.aggressor_alcaldia, None)
    audit_log(
        actor=actor,
        action="create" if existing is None else "update",
        subject_type="record",
        subject_id=str(record.pk),
        request=request,
        details={
            "agency": data.agency.code,
            "kind": data.kind.code,
            "person": victim.pk,
            "version": record.version,
            "source": str(source),
        },
    )
    activity_touch(victim.pk, data.agency.pk, data.occurred_at, actor=actor)
    from violeta.alerts.hooks import record_registered  # alerts read records: imported late

    record_registered(record, victim.pk)  # same transaction: no alert for a rolled-back record
    return RegisterOutcome(
        record,
        created=existing is None,
        changed=True,
        victim=victim,
        victim_created=victim_created,
    )
