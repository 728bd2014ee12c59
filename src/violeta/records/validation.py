"""Validating a canonical record (from a form, an import row or the API) in one place.

The canonical record is a plain dict (see ``docs/generator.md``, "canonical record"); every path
into Violeta builds one and passes it here, so a rule is written once and every error names the
field it is about.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from violeta.agencies.models import Agency
from violeta.catalogs.events import details_problems
from violeta.catalogs.models import Alcaldia, Modality, RecordKind, ViolenceType
from violeta.people import identity as ident
from violeta.people.identity import IdentityInput
from violeta.people.models import Sex
from violeta.records.choices import Relationship, RiskLevel, Weapon

MAX_LENGTHS = {
    "agency_record_id": 64,
    "given_names": 100,
    "first_surname": 60,
    "second_surname": 60,
    "curp": 18,
    "phone": 20,
    "address": 300,
    "colonia": 120,
    "narrative": 20000,
}


class RecordInvalid(Exception):
    """The record cannot be stored; ``errors`` maps each field to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class PartyInput:
    identity: IdentityInput
    age: int | None = None


@dataclass
class RecordInput:
    agency: Agency
    agency_record_id: str
    kind: RecordKind
    occurred_at: dt.datetime
    alcaldia: Alcaldia | None
    colonia: str
    violence_types: list[ViolenceType]
    modalities: list[Modality]
    relationship: str
    weapons: list[str]
    risk_level: str
    narrative: str
    details: dict[str, Any]
    victim: PartyInput
    aggressor: PartyInput | None
    victim_alcaldia: Alcaldia | None = None
    aggressor_alcaldia: Alcaldia | None = None
    warnings: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Catalogs:
    """The catalogs loaded once per import run or request."""

    kinds: dict[str, RecordKind] = field(default_factory=dict)
    alcaldias: dict[str, Alcaldia] = field(default_factory=dict)
    types: dict[str, ViolenceType] = field(default_factory=dict)
    modalities: dict[str, Modality] = field(default_factory=dict)
    agency_kinds: dict[int, set[str]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Catalogs:
        agency_kinds: dict[int, set[str]] = {}
        for agency_id, code in Agency.record_kinds.through.objects.values_list(
            "agency_id", "recordkind__code"
        ):
            agency_kinds.setdefault(agency_id, set()).add(code)
        return cls(
            kinds={k.code: k for k in RecordKind.objects.filter(active=True)},
            alcaldias={a.inegi_code: a for a in Alcaldia.objects.all()},
            types={t.code: t for t in ViolenceType.objects.filter(active=True)},
            modalities={m.code: m for m in Modality.objects.filter(active=True)},
            agency_kinds=agency_kinds,
        )


class _Collector:
    def __init__(self, *, keep_invalid_curp: bool = False) -> None:
        self.errors: dict[str, list[str]] = {}
        self.warnings: list[tuple[str, str]] = []
        self.keep_invalid_curp = keep_invalid_curp

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def text(self, data: dict[str, Any], key: str, name: str, *, required: bool = False) -> str:
        value = data.get(key)
        value = "" if value is None else str(value).strip()
        limit = MAX_LENGTHS.get(key)
        if required and not value:
            self.add(name, _("This field is required."))
        if limit and len(value) > limit:
            self.add(
                name,
                _("At most %(limit)d characters; this has %(n)d.")
                % {"limit": limit, "n": len(value)},
            )
        return value


def _parse_date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _party(
    raw: Any, prefix: str, c: _Collector, cats: Catalogs
) -> tuple[PartyInput, Alcaldia | None]:
    data: dict[str, Any] = raw if isinstance(raw, dict) else {}
    fields = [k for k in MAX_LENGTHS if k in IdentityInput.__dataclass_fields__ and k != "curp"]
    values = {k: c.text(data, k, f"{prefix}.{k}") for k in fields}
    curp = str(data.get("curp") or "").strip().upper()
    if curp and (error := ident.curp_error(curp)):
        if c.keep_invalid_curp:
            # An agency's registry is imported as it is: the mistyped CURP is kept as typed
            # (encrypted, never indexed, so it links nobody) and reported as a warning.
            c.warnings.append((f"{prefix}.curp", error))
            curp = curp[:40]
        else:
            c.add(f"{prefix}.curp", error)
    birth_date = None
    try:
        birth_date = _parse_date(data.get("birth_date"))
    except ValueError:
        c.add(f"{prefix}.birth_date", _("Not a valid date (expected YYYY-MM-DD)."))
    if birth_date and (error := ident.birth_date_error(birth_date)):
        c.add(f"{prefix}.birth_date", error)
    sex = str(data.get("sex") or "").strip().upper()
    if sex and sex not in Sex.values:
        c.add(f"{prefix}.sex", _("Unknown sex «%(value)s»; use M, H or X.") % {"value": sex})
    raw_age = data.get("age")
    age: int | None = None
    if raw_age not in (None, ""):
        try:
            age = int(str(raw_age))
            if not 0 <= age <= 120:
                raise ValueError
        except ValueError:
            c.add(f"{prefix}.age", _("The age must be a whole number between 0 and 120."))
            age = None
    alcaldia_code = str(data.get("alcaldia") or "").strip()
    alcaldia = cats.alcaldias.get(alcaldia_code) if alcaldia_code else None
    if alcaldia_code and alcaldia is None:
        c.add(f"{prefix}.alcaldia", _("Unknown alcaldía «%(value)s».") % {"value": alcaldia_code})
    identity = IdentityInput(
        given_names=values["given_names"],
        first_surname=values["first_surname"],
        second_surname=values["second_surname"],
        birth_date=birth_date,
        sex=sex,
        curp=curp,
        phone=values["phone"],
        address=values["address"],
        colonia=values["colonia"],
        alcaldia_code=alcaldia_code,
    )
    return PartyInput(identity=identity, age=age), alcaldia


def _codes(value: Any, table: dict[str, Any], name: str, label: str, c: _Collector) -> list[Any]:
    found = []
    for code in value or []:
        if code in table:
            found.append(table[code])
        else:
            c.add(name, _("Unknown %(what)s «%(value)s».") % {"what": label, "value": code})
    return found


def validate_record(
    data: dict[str, Any], *, agency: Agency, cats: Catalogs, keep_invalid_curp: bool = False
) -> RecordInput:
    """Check a canonical record for ``agency``; raise :class:`RecordInvalid` naming each field.

    ``keep_invalid_curp`` (imports) turns an invalid CURP from an error into a warning: the
    record is stored and the CURP kept as typed but never used to link.
    """
    c = _Collector(keep_invalid_curp=keep_invalid_curp)
    record_id = c.text(data, "agency_record_id", "agency_record_id", required=True)
    kind_code = str(data.get("kind") or "")
    kind = cats.kinds.get(kind_code)
    if kind is None:
        c.add("kind", _("Unknown kind of record «%(value)s».") % {"value": kind_code})
    elif kind_code not in cats.agency_kinds.get(agency.pk, set()):
        c.add(
            "kind",
            _("%(agency)s does not register records of the kind «%(kind)s».")
            % {"agency": agency.code, "kind": kind.label},
        )
    occurred_at = None
    raw_when = data.get("occurred_at")
    try:
        occurred_at = (
            raw_when
            if isinstance(raw_when, dt.datetime)
            else dt.datetime.fromisoformat(str(raw_when))
        )
        if timezone.is_naive(occurred_at):
            occurred_at = timezone.make_aware(occurred_at)
        if occurred_at > timezone.now() + dt.timedelta(minutes=5):
            c.add("occurred_at", _("The date of the event cannot be in the future."))
    except (TypeError, ValueError):
        c.add("occurred_at", _("This field is required and must be a date and time."))
    alcaldia_code = str(data.get("alcaldia") or "").strip()
    alcaldia = cats.alcaldias.get(alcaldia_code) if alcaldia_code else None
    if alcaldia_code and alcaldia is None:
        c.add("alcaldia", _("Unknown alcaldía «%(value)s».") % {"value": alcaldia_code})
    colonia = c.text(data, "colonia", "colonia")
    types = _codes(
        data.get("violence_types"), cats.types, "violence_types", _("type of violence"), c
    )
    modalities = _codes(data.get("modalities"), cats.modalities, "modalities", _("modality"), c)
    relationship = str(data.get("relationship") or "")
    if relationship and relationship not in Relationship.values:
        c.add("relationship", _("Unknown relationship «%(value)s».") % {"value": relationship})
    weapons = [str(w) for w in data.get("weapons") or []]
    for weapon in weapons:
        if weapon not in Weapon.values:
            c.add("weapons", _("Unknown weapon «%(value)s».") % {"value": weapon})
    risk_level = str(data.get("risk_level") or "")
    if risk_level and risk_level not in RiskLevel.values:
        c.add("risk_level", _("Unknown risk level «%(value)s».") % {"value": risk_level})
    narrative = c.text(data, "narrative", "narrative")
    victim, victim_alcaldia = _party(data.get("victim"), "victim", c, cats)
    if victim.identity.is_empty:
        c.add("victim.given_names", _("Give at least the woman's name, CURP or phone."))
    aggressor = None
    aggressor_alcaldia = None
    if data.get("aggressor"):
        aggressor, aggressor_alcaldia = _party(data.get("aggressor"), "aggressor", c, cats)
        if aggressor.identity.is_empty:
            aggressor = None
    details = data.get("details") or {}
    if not isinstance(details, dict):
        c.add("details", _("Details must be a set of named values."))
    elif kind is not None:
        for where, message in details_problems(kind.code, details):
            c.add(where, message)
    if c.errors:
        raise RecordInvalid(c.errors)
    assert kind is not None and occurred_at is not None
    return RecordInput(
        agency=agency,
        agency_record_id=record_id,
        kind=kind,
        occurred_at=occurred_at,
        alcaldia=alcaldia,
        colonia=colonia,
        violence_types=types,
        modalities=modalities,
        relationship=relationship,
        weapons=weapons,
        risk_level=risk_level,
        narrative=narrative,
        details=dict(details),
        victim=victim,
        aggressor=aggressor,
        victim_alcaldia=victim_alcaldia,
        aggressor_alcaldia=aggressor_alcaldia,
        warnings=c.warnings,
    )
