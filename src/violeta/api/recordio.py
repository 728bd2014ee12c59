"""Records through the API: the shape of a canonical record, text that may not hold markup, and
the one write path (records.validation.validate_record → records.services.record_register)."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from violeta.agencies.models import Agency
from violeta.intake.mapping import LIST_FIELDS, PARTY_FIELDS, RECORD_FIELDS
from violeta.records.choices import PartyRole
from violeta.records.models import AgencyRecord
from violeta.records.services import RegisterOutcome, record_snapshot
from violeta.records.validation import Catalogs, RecordInput, RecordInvalid, validate_record

TOP_FIELDS = frozenset({*RECORD_FIELDS, "details", "victim", "aggressor"})
NAME_FIELDS = ("given_names", "first_surname", "second_surname")
TEXT_FIELDS = ("colonia", "narrative")
PARTY_TEXT = ("address", "colonia", "phone", "curp")
MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!?][^>]*>")  # a tag: <b>, </script>, <!-- …, <?php
NAME_PUNCTUATION = frozenset(" '.-’")


def _name_ok(value: str) -> bool:
    return all(c.isalpha() or c in NAME_PUNCTUATION for c in value)


def _check_text(value: Any, name: str, errors: dict[str, list[str]]) -> None:
    if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return
    if not isinstance(value, str):
        errors.setdefault(name, []).append(_("Must be text."))
    elif MARKUP.search(value):
        errors.setdefault(name, []).append(_("Markup (HTML tags) is not allowed here."))


def _party_shape(raw: Any, prefix: str, errors: dict[str, list[str]]) -> None:
    if raw is None:
        return
    if not isinstance(raw, dict):
        errors.setdefault(prefix, []).append(_("Must be an object with the person's fields."))
        return
    for key in raw:
        if key not in PARTY_FIELDS:
            errors.setdefault(f"{prefix}.{key}", []).append(_("Unknown field."))
    for key in NAME_FIELDS:
        value = raw.get(key)
        _check_text(value, f"{prefix}.{key}", errors)
        if isinstance(value, str) and value and not _name_ok(value):
            message = _("A name holds only letters, spaces, apostrophes, hyphens and dots.")
            errors.setdefault(f"{prefix}.{key}", []).append(message)
    for key in PARTY_TEXT:
        _check_text(raw.get(key), f"{prefix}.{key}", errors)


def shape_errors(data: Any) -> dict[str, list[str]]:
    """What is wrong with the JSON's shape before the record's rules are read: unknown fields,
    lists that are not lists, names with symbols, text with HTML tags. Keyed by field path."""
    if not isinstance(data, dict):
        return {"body": [_("The body must be a JSON object (a record).")]}
    errors: dict[str, list[str]] = {}
    for key in data:
        if key not in TOP_FIELDS:
            errors.setdefault(key, []).append(_("Unknown field."))
    for key in LIST_FIELDS:
        value = data.get(key)
        if value is not None and not (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        ):
            errors.setdefault(key, []).append(_("Must be a list of codes."))
    for key in ("agency_record_id", "kind", "alcaldia", "relationship", "risk_level", *TEXT_FIELDS):
        _check_text(data.get(key), key, errors)
    if data.get("details") is not None and not isinstance(data.get("details"), dict):
        errors.setdefault("details", []).append(_("Details must be a set of named values."))
    _party_shape(data.get("victim"), "victim", errors)
    _party_shape(data.get("aggressor"), "aggressor", errors)
    return errors


def record_check(data: Any, *, agency: Agency, cats: Catalogs) -> RecordInput:
    """The canonical record ``data`` checked for ``agency``; RecordInvalid names each field."""
    errors = shape_errors(data)
    if errors:
        raise RecordInvalid(errors)
    return validate_record(data, agency=agency, cats=cats)


def outcome_dict(outcome: RegisterOutcome) -> dict[str, Any]:
    record = outcome.record
    aggressor = record.parties.filter(role=PartyRole.AGGRESSOR).values_list("person", flat=True)
    return {
        "id": record.pk,
        "agency_record_id": record.agency_record_id,
        "version": record.version,
        "created": outcome.created,
        "changed": outcome.changed,
        "victim": outcome.victim.pk,
        "aggressor": aggressor.first(),
        "file": outcome.victim.pk,  # her file: /people/<id>/ in the pages, women/<id>/ here
    }


def _party_out(party: dict[str, Any] | None, person: int | None) -> dict[str, Any] | None:
    if party is None:
        return None
    party = dict(party)
    party["alcaldia"] = party.pop("alcaldia_code", "")
    party["person"] = person
    return party


def record_dict(record: AgencyRecord) -> dict[str, Any]:
    """The agency's own record, whole (the client's agency registered it)."""
    snapshot = record_snapshot(record)
    persons = dict(record.parties.values_list("role", "person"))
    return {
        "id": record.pk,
        "agency": record.agency.code,
        "agency_record_id": record.agency_record_id,
        **snapshot,
        "occurred_at": record.occurred_at,
        "victim": _party_out(snapshot["victim"], persons.get(PartyRole.VICTIM)),
        "aggressor": _party_out(snapshot["aggressor"], persons.get(PartyRole.AGGRESSOR)),
        "source": record.source,
        "version": record.version,
        "registered_at": record.registered_at,
        "updated_at": record.updated_at,
    }
