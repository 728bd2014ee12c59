"""Synthetic files for the lifecycle tests, registered through the real service, and a reader
of every text value in the database (encrypted values decrypted with the app's crypto)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import unicodedata
from collections.abc import Iterator
from typing import Any

from django.db import connection
from django.utils import timezone

from violeta.agencies.models import Agency
from violeta.cases.models import CaseFollowUp, CaseState
from violeta.core import crypto
from violeta.people.models import Person
from violeta.records.choices import RecordSource
from violeta.records.services import RegisterOutcome, record_register
from violeta.records.tests.factories import canonical_record
from violeta.records.validation import Catalogs, validate_record

HER = {
    "given_names": "Eufrosina",
    "first_surname": "Zapotitlán",
    "second_surname": "Quintanar",
    "birth_date": "1988-11-23",
    "sex": "M",
    "curp": "",
    "phone": "55 8765 4321",
    "address": "Callejón Tamarindo 44",
    "colonia": "Barrio Xaltocan",
    "alcaldia": "09013",
}
HER_NARRATIVE = "Relata que el señor Quiroga la encerró en la azotea del tianguis"
HER_AGGRESSOR = {"given_names": "Anselmo", "first_surname": "Quiroga", "second_surname": "Tapia",
                 "sex": "H", "birth_date": "1980-01-09"}  # fmt: skip
SHARED_AGGRESSOR = {"given_names": "Juan Carlos", "first_surname": "Ramírez",
                    "second_surname": "Soto", "sex": "H", "birth_date": "1979-05-05"}  # fmt: skip
OTHER = {
    "given_names": "Rosario",
    "first_surname": "Castañeda",
    "second_surname": "Villa",
    "birth_date": "1985-07-30",
    "curp": "",
    "phone": "55 9999 0000",
    "address": "Avenida Olivo 7",
    "colonia": "Santa Cruz Meyehualco",
    "alcaldia": "09007",
}
OTHER_NARRATIVE = "Otra mujer relata amenazas del mismo hombre."
CARPETA = "CI-FIDAM/T1/00999/12-03"


def register(
    record_id: str,
    agency: str,
    kind: str,
    *,
    victim: dict[str, Any],
    when: str,
    **over: Any,
) -> RegisterOutcome:
    raw = canonical_record(
        agency_record_id=record_id, kind=kind, victim=victim, occurred_at=when, **over
    )
    data = validate_record(raw, agency=Agency.objects.get(code=agency), cats=Catalogs.load())
    return record_register(actor=None, data=data, source=RecordSource.IMPORT)


def close_followups(person: Person, on: str = "2012-09-01", why: str = "Sin actividad") -> None:
    moment = dt.datetime.fromisoformat(f"{on}T12:00:00").replace(
        tzinfo=timezone.get_current_timezone()
    )
    CaseFollowUp.objects.filter(person=person).update(state=CaseState.CLOSED, closed_at=moment,
                                                      closed_reason=why)  # fmt: skip


def fold(value: str) -> str:
    """Upper case, accents away, letters and digits only (single spaces between words)."""
    value = unicodedata.normalize("NFKD", value.upper())
    kept = [c if c.isalnum() else " " for c in value if not unicodedata.combining(c)]
    return " ".join("".join(kept).split())


def _cells() -> Iterator[tuple[str, str, Any]]:
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            columns = [c[0] for c in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    yield table, column, value


def _readable(value: Any) -> list[str]:
    if value is None or isinstance(value, bool | int | float | dt.date | dt.datetime):
        return []
    if isinstance(value, memoryview | bytes):
        return [bytes(value).decode("utf-8", "replace")]
    if not isinstance(value, str):
        return [json.dumps(value, ensure_ascii=False, default=str)]
    out = [value]
    if value.startswith("gAAAAA"):
        with contextlib.suppress(crypto.InvalidToken, ValueError, UnicodeError):
            out.append(crypto.decrypt(value))
    return out


def every_text() -> list[tuple[str, str, str]]:
    """(table, column, text) of every text value in the database, encrypted ones decrypted, each
    also folded (accents and case away) and as digits only, so that a phone or a name typed
    another way is found too."""
    found = []
    for table, column, value in _cells():
        for text in _readable(value):
            digits = "".join(c for c in text if c.isdigit())
            found.append((table, column, f"{text}\n{fold(text)}\n{digits}"))
    return found


def leaks(needles: list[str]) -> list[tuple[str, str, str]]:
    """Where any needle (compared folded, or digits only for a phone) still occurs."""
    wanted = [fold(n) for n in needles if fold(n)]
    hits = []
    for table, column, text in every_text():
        for needle in wanted:
            if needle and needle in text:
                hits.append((table, column, needle))
    return hits


def snapshot() -> list[tuple[str, str, str]]:
    """Every cell of the database, as text: two equal snapshots mean nothing changed."""
    return [(t, c, repr(v)) for t, c, v in _cells()]
