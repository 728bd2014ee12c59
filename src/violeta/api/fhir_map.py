"""A FHIR R4 Bundle from the health agency → canonical records (one per Encounter).

Validated first with fhir.resources (its R4B models: R4B changed nothing in Bundle, Patient,
Encounter or Condition), then mapped with the table in data/fhir_r4.json, then checked by the
same rules as every record (api.recordio.record_check). Errors name the FHIR path at fault:
``entry[2].resource.code.coding[0].code``.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError

from violeta.agencies.models import Agency
from violeta.api.recordio import record_check
from violeta.intake.mapping import normalize_label, split_full_name
from violeta.records.validation import Catalogs, RecordInput, RecordInvalid

DATA = Path(__file__).parent / "data" / "fhir_r4.json"
ACCEPTED = ("Patient", "Encounter", "Condition")


@lru_cache(maxsize=1)
def mapping() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return data


class Errors(dict[str, list[str]]):
    def add(self, where: str, message: str) -> None:
        messages = self.setdefault(where, [])
        if message not in messages:  # one Patient behind two Encounters: said once
            messages.append(message)


def _loc(parts: tuple[Any, ...]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def icd10(code: str) -> dict[str, Any] | None:
    """The mapping of an ICD-10 code: T74.1, T741 and T74.11 all read T74.1."""
    code = code.strip().upper()
    if len(code) > 3 and "." not in code:
        code = f"{code[:3]}.{code[3:]}"
    codes: dict[str, dict[str, Any]] = mapping()["codes"]
    while len(code) >= 3:
        if code in codes:
            return codes[code]
        code = code[:-1].rstrip(".")
    return None


def _ref(value: Any) -> str:
    return str(value.get("reference") or "") if isinstance(value, dict) else ""


def _patient(res: dict[str, Any], at: str, cats: Catalogs) -> tuple[dict[str, Any], dict[str, str]]:
    """The victim's canonical identity and, for each of its fields, where it came from."""
    m = mapping()
    victim: dict[str, Any] = {}
    where: dict[str, str] = {}
    names = res.get("name") or []
    official = next((n for n in names if n.get("use") == "official"), names[0] if names else {})
    n = names.index(official) if official in names else 0
    if official.get("given") or official.get("family"):
        victim["given_names"] = " ".join(official.get("given") or [])
        _, first, second = split_full_name(
            f"{official.get('family') or ''},", order="surnames_first"
        )
        victim["first_surname"], victim["second_surname"] = first, second
        where["given_names"] = f"{at}.name[{n}].given"
        where["first_surname"] = where["second_surname"] = f"{at}.name[{n}].family"
    elif official.get("text"):  # only the name as written: "Guadalupe Hernández López"
        given, first, second = split_full_name(str(official["text"]))
        victim.update(given_names=given, first_surname=first, second_surname=second)
        for key in ("given_names", "first_surname", "second_surname"):
            where[key] = f"{at}.name[{n}].text"
    if res.get("birthDate"):
        victim["birth_date"], where["birth_date"] = res["birthDate"], f"{at}.birthDate"
    victim["sex"] = m["gender"].get(res.get("gender") or "unknown", "")
    for i, identifier in enumerate(res.get("identifier") or []):
        if identifier.get("system") in m["curp_systems"]:
            victim["curp"], where["curp"] = identifier.get("value") or "", f"{at}.identifier[{i}]"
            break
    for i, telecom in enumerate(res.get("telecom") or []):
        if telecom.get("system") == "phone":
            victim["phone"], where["phone"] = telecom.get("value") or "", f"{at}.telecom[{i}]"
            break
    addresses = res.get("address") or []
    if addresses:
        address = addresses[0]
        victim["address"] = address.get("text") or ", ".join(address.get("line") or [])
        where["address"] = f"{at}.address[0]"
        names_of = {normalize_label(a.name): code for code, a in cats.alcaldias.items()}
        place = normalize_label(address.get("district") or address.get("city") or "")
        if place in names_of:
            victim["alcaldia"] = names_of[place]
    return victim, {f"victim.{k}": v for k, v in where.items()}


def _future(value: Any) -> bool:
    try:
        when = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return False
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    return when > timezone.now() + dt.timedelta(minutes=5)


def _conditions(
    items: list[tuple[int, dict[str, Any]]], record: dict[str, Any], errors: Errors
) -> None:
    m = mapping()
    types: list[str] = []
    modalities: list[str] = []
    relationship = ""
    for k, res in items:
        at = f"entry[{k}].resource"
        codings = (res.get("code") or {}).get("coding") or []
        ours = [(i, c) for i, c in enumerate(codings) if c.get("system") in m["icd10_systems"]]
        if not ours:
            message = _("An ICD-10 coding (system %(system)s) is needed.")
            errors.add(f"{at}.code", message % {"system": m["icd10_systems"][0]})
        for i, coding in ours:
            code = str(coding.get("code") or "")
            found = icd10(code)
            if found is None:
                message = _("Unknown ICD-10 code «%(code)s»: accepted T74.x, Y05, Y06.x, Y07.x.")
                errors.add(f"{at}.code.coding[{i}].code", message % {"code": code})
                continue
            types += [t for t in found.get("violence_types", []) if t not in types]
            modalities += [x for x in found.get("modalities", []) if x not in modalities]
            said = found.get("relationship", "")
            if said and relationship and said != relationship:
                message = _("Another condition names a different perpetrator («%(other)s»).")
                errors.add(f"{at}.code.coding[{i}].code", message % {"other": relationship})
            relationship = relationship or said
        for name in ("onsetDateTime", "recordedDate"):
            if res.get(name) and _future(res[name]):
                errors.add(f"{at}.{name}", _("The date cannot be in the future."))
    record.update(violence_types=types, modalities=modalities, relationship=relationship)


def bundle_records(raw: Any, *, agency: Agency, cats: Catalogs) -> list[tuple[int, RecordInput]]:
    """(index of the Encounter, its record) for each Encounter; RecordInvalid naming the FHIR
    paths at fault when anything in the bundle is wrong (then nothing is to be stored)."""
    errors = Errors()
    if not isinstance(raw, dict) or raw.get("resourceType") != "Bundle":
        raise RecordInvalid({"resourceType": [_("A FHIR Bundle is expected.")]})
    try:
        Bundle.model_validate(raw)
    except ValidationError as exc:
        for error in exc.errors():
            errors.add(_loc(tuple(error["loc"])) or "body", str(error["msg"]))
        raise RecordInvalid(errors) from None
    if raw.get("type") not in ("transaction", "collection"):
        raise RecordInvalid({"type": [_("Send a transaction or collection Bundle.")]})
    by_ref: dict[str, tuple[int, dict[str, Any]]] = {}
    entries = [
        (i, e.get("fullUrl"), e.get("resource") or {}) for i, e in enumerate(raw.get("entry") or [])
    ]
    for i, full_url, res in entries:
        kind = res.get("resourceType")
        if kind not in ACCEPTED:
            errors.add(
                f"entry[{i}].resource.resourceType",
                _("Only Patient, Encounter and Condition are accepted."),
            )
        if full_url:
            by_ref[full_url] = (i, res)
        if res.get("id"):
            by_ref[f"{kind}/{res['id']}"] = (i, res)
    encounters = [(i, r) for i, _u, r in entries if r.get("resourceType") == "Encounter"]
    if not encounters:
        errors.add("entry", _("The bundle has no Encounter: each Encounter is one record."))
    conditions = [(i, r) for i, _u, r in entries if r.get("resourceType") == "Condition"]
    attached: dict[int, list[tuple[int, dict[str, Any]]]] = {i: [] for i, _r in encounters}
    for k, res in conditions:
        target = by_ref.get(_ref(res.get("encounter")))
        if target is None or target[0] not in attached:
            errors.add(
                f"entry[{k}].resource.encounter", _("Must reference an Encounter of this bundle.")
            )
        else:
            attached[target[0]].append((k, res))
    found: list[tuple[int, RecordInput]] = []
    seen: dict[str, int] = {}
    for i, res in encounters:
        at = f"entry[{i}].resource"
        patient = by_ref.get(_ref(res.get("subject")))
        if patient is None or patient[1].get("resourceType") != "Patient":
            errors.add(f"{at}.subject", _("Must reference a Patient of this bundle."))
            continue
        identifiers = res.get("identifier") or []
        folio = str((identifiers[0].get("value") if identifiers else None) or res.get("id") or "")
        where = {"agency_record_id": f"{at}.identifier", "occurred_at": f"{at}.period.start"}
        if not folio:
            errors.add(
                where["agency_record_id"],
                _("An identifier or an id is needed: it is the record's folio."),
            )
        elif folio in seen:
            errors.add(
                where["agency_record_id"],
                _("Repeats the folio of entry[%(n)s].") % {"n": seen[folio]},
            )
        seen[folio] = i
        victim, victim_where = _patient(patient[1], f"entry[{patient[0]}].resource", cats)
        where |= victim_where
        record: dict[str, Any] = {
            "agency_record_id": folio,
            "kind": mapping()["record_kind"],
            "occurred_at": (res.get("period") or {}).get("start") or "",
            "victim": victim,
        }
        _conditions(attached[i], record, errors)
        try:
            found.append((i, record_check(record, agency=agency, cats=cats)))
        except RecordInvalid as exc:
            for key, messages in exc.errors.items():
                for message in messages:
                    errors.add(where.get(key, f"{at} ({key})"), message)
    if errors:
        raise RecordInvalid(errors)
    return found
