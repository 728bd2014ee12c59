"""Normalising and validating identity attributes (pure functions, no database)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from stdnum.exceptions import ValidationError as StdnumError
from stdnum.mx import curp as stdnum_curp

from violeta.core import crypto

PARTICLES = {"DE", "DEL", "LA", "LAS", "LOS", "Y"}


def normalize_name(value: str) -> str:
    return crypto.normalize_text(value).replace(".", "").replace("-", " ")


def first_given_name(given_names: str) -> str:
    """The given name the CURP builds on: María/José are skipped when a second name follows."""
    tokens = [t for t in normalize_name(given_names).split() if t not in PARTICLES]
    if len(tokens) > 1 and tokens[0] in {"MARIA", "MA", "JOSE", "J"}:
        return tokens[1]
    return tokens[0] if tokens else ""


def curp_is_valid(value: str) -> bool:
    try:
        stdnum_curp.validate(value)
    except StdnumError:
        return False
    return True


def curp_error(value: str) -> str | None:
    """A reason the CURP is invalid, in English msgid form, or None if it is valid."""
    from django.utils.translation import gettext as _

    compact = value.strip().upper()
    if len(compact) != 18:
        return _("A CURP has 18 characters; this one has %(n)d.") % {"n": len(compact)}
    try:
        stdnum_curp.validate(compact)
    except StdnumError:
        return _("This CURP is not valid: its check digit or its structure is wrong.")
    return None


def birth_date_error(value: dt.date, *, today: dt.date | None = None) -> str | None:
    from django.utils.translation import gettext as _

    if today is None:
        from django.utils import timezone

        today = timezone.localdate()
    if value > today:
        return _("The date of birth cannot be in the future.")
    if value.year < 1900:
        return _("The date of birth cannot be before 1900.")
    return None


def curp_index(value: str) -> str:
    return crypto.blind_index(value.strip().upper(), purpose="curp")


def phone_index(value: str) -> str:
    return crypto.blind_index(crypto.normalize_phone(value), purpose="phone")


def search_key(value: str) -> str:
    """The form of a name compared in search: normalised, and Ñ folded to N as often typed."""
    return normalize_name(value).replace("Ñ", "N")


def name_index(value: str) -> str:
    return crypto.blind_index(search_key(value), purpose="name")


def birth_date_index(value: dt.date | None) -> str:
    return crypto.blind_index(value.isoformat(), purpose="dob") if value else ""


@dataclass(frozen=True)
class IdentityInput:
    """One person's identity as an agency reported it (already validated)."""

    given_names: str = ""
    first_surname: str = ""
    second_surname: str = ""
    birth_date: dt.date | None = None
    sex: str = ""
    curp: str = ""
    phone: str = ""
    address: str = ""
    colonia: str = ""
    alcaldia_code: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.given_names or self.first_surname or self.curp or self.phone)
