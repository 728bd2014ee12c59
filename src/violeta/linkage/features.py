"""The comparable form of a reported identity: what the model compares, column by column.

Agencies type the same woman many ways: with and without accents, Ñ as N, "Ma." for María,
the compound name cut ("María Guadalupe" → "Guadalupe"), a nickname (Lupita), the surnames
swapped, "de la Cruz" glued or not, the age instead of the date of birth. Each column here
folds one of those habits away so the comparisons in :mod:`violeta.linkage.model` see what
stays the same. Every function is pure and cached on its input: names repeat a lot, so a
million records fold only a few thousand distinct strings.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import unicodedata
from collections.abc import Sequence
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from django.utils import timezone
from stdnum.mx import curp as stdnum_curp

if TYPE_CHECKING:
    import pandas as pd

PARTICLES = frozenset({"DE", "DEL", "LA", "LAS", "LOS", "Y", "MC", "MAC", "VAN", "VON", "DA"})
# The CURP (and people) skip these when a second given name follows.
COMMON_FIRST = frozenset({"MARIA", "JOSE", "MA", "J"})
ABBREVIATIONS = {"MA": "MARIA", "MARI": "MARIA", "J": "JOSE", "JO": "JOSE"}
NICKNAMES_FILE = Path(__file__).parent / "data" / "nicknames.json"

# The columns the model compares (and the realtime scorer reads).
FEATURE_COLUMNS = [
    "unique_id",
    "given_full",
    "given_primary",
    "given_tokens",
    "surname1",
    "surname2",
    "surnames",
    "dob",
    "birth_year",
    "curp",
    "curp_raw",
    "phone",
    "address",
    "colonia",
    "alcaldia",
    "occurred",
    "partner",
]


@cache
def nicknames() -> dict[str, tuple[str, ...]]:
    """Nickname → the given names it may stand for (BETO: ALBERTO, ROBERTO)."""
    data = json.loads(NICKNAMES_FILE.read_text(encoding="utf-8"))["names"]
    table: dict[str, list[str]] = {}
    for name, shorts in data.items():
        for short in shorts:
            table.setdefault(fold(short), []).append(fold(name))
    return {k: tuple(v) for k, v in table.items()}


# The caches are bounded so an import's memory stops growing once they are full: names repeat
# (a few thousand given names and surnames cover most women), addresses and CURPs mostly do
# not, so a larger cache would only hold values never asked for again.
NAME_CACHE = 50_000


@lru_cache(maxsize=NAME_CACHE)
def fold(value: str) -> str:
    """Upper case, accents and Ñ folded (agencies drop them half the time), letters only."""
    value = unicodedata.normalize("NFKD", value.upper())
    letters = [c if c.isalpha() else " " for c in value if not unicodedata.combining(c)]
    return " ".join("".join(letters).split())


@cache
def _lexicon() -> tuple[frozenset[str], frozenset[str]]:
    """Given names and surnames common in Mexico, folded: Faker's es_MX lists (a maintained
    public list, already a dependency) and the names of the nickname table."""
    from faker.providers.person.es_MX import Provider

    given = {fold(n) for n in (*Provider.first_names_female, *Provider.first_names_male)}
    given |= set(json.loads(NICKNAMES_FILE.read_text(encoding="utf-8"))["names"])
    surnames = frozenset(fold(n) for n in Provider.last_names)
    return frozenset(fold(n) for n in given), surnames


def resplit(given: str, first: str, second: str) -> tuple[str, str, str]:
    """Undo the commonest mis-split of a full name typed in one field: "MARÍA GUADALUPE
    GÓMEZ" cut as given "MARÍA", surnames "GUADALUPE" and "GÓMEZ". A first surname that is a
    given name and never a surname (Guadalupe, Luis, Laura; not Santiago or Rosario, which
    are both) moves back to the given names."""
    names, surnames = _lexicon()
    word = fold(first)
    if given and word and " " not in word and word in names and word not in surnames:
        return f"{given} {first}", second, ""
    return given, first, second


@lru_cache(maxsize=NAME_CACHE)
def given_parts(value: str) -> tuple[str, str, tuple[str, ...]]:
    """(full, primary, tokens) of given names: abbreviations expanded, particles dropped,
    nicknames resolved. ``tokens`` holds every name she may go by, for "any name in common"."""
    words = [ABBREVIATIONS.get(w, w) if i == 0 else w for i, w in enumerate(fold(value).split())]
    words = [w for w in words if w not in PARTICLES]
    if not words:
        return "", "", ()
    table = nicknames()
    canonical = [table[w][0] if w in table else w for w in words]
    primary = canonical[1] if len(canonical) > 1 and canonical[0] in COMMON_FIRST else canonical[0]
    tokens = set(canonical) | {alt for w in words for alt in table.get(w, ())}
    return " ".join(canonical), primary, tuple(sorted(tokens))


@lru_cache(maxsize=NAME_CACHE)
def surname(value: str) -> str:
    """One surname, particles glued: "de la Cruz", "De La Cruz" and "DELACRUZ" are equal."""
    return fold(value).replace(" ", "")


@lru_cache(maxsize=NAME_CACHE)
def valid_curp(value: str) -> str:
    value = value.strip().upper()
    return value if value and stdnum_curp.is_valid(value) else ""


def curp_birth_date(curp: str) -> str:
    """The date of birth a valid CURP encodes (digit at 17 → 1900s, letter → 2000s)."""
    century = 1900 if curp[16].isdigit() else 2000
    try:
        return dt.date(century + int(curp[4:6]), int(curp[6:8]), int(curp[8:10])).isoformat()
    except ValueError:
        return ""


def birth_year(dob: str, age: Any, occurred_at: str) -> float | None:
    """The year of birth: from the date, else estimated from the age on the day it happened."""
    if dob:
        return float(dob[:4])
    if _missing(age) or not occurred_at:
        return None
    return float(int(occurred_at[:4]) - int(age))


def occurred_minute(occurred_at: str) -> float | None:
    """When the record's event happened, in minutes since 1970 (UTC). A time without a zone
    (an agency file read outside the database) is the deployment's local time, so that both
    paths give the same minute for the same event."""
    if not occurred_at:
        return None
    try:
        when = dt.datetime.fromisoformat(occurred_at)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.get_default_timezone())
    return float(int(when.timestamp()) // 60)


VOWELS = frozenset("AEIOU")


def _core(value: str) -> str:
    """The word of a name the CURP is built from: particles skipped."""
    words = [w for w in fold(value).split() if w not in PARTICLES]
    return words[0] if words else ""


def _inner(word: str, vowel: bool) -> str:
    return next((c for c in word[1:] if (c in VOWELS) == vowel and c.isalpha()), "X")


def _agrees(expected: str, actual: str) -> bool:
    # Ñ is folded to N here; the CURP writes it X.
    return expected == actual or (expected == "N" and actual == "X")


def curp_consistent(curp: str, first: str, second: str, primary: str, dob: str) -> bool:
    """A valid CURP that agrees with the rest of the record: the letters it takes from the
    surnames and the given name, and the birth date. A CURP typed with a slip that happens to
    pass the check digit is caught here; only a consistent CURP links (or separates) records
    on its own, any other CURP is ordinary evidence for the model."""
    if not curp:
        return False
    if dob and curp_birth_date(curp) != dob:
        return False
    expected: dict[int, str] = {}
    s1, s2 = _core(first), _core(second)
    if s1:
        expected |= {0: s1[0], 13: _inner(s1, vowel=False)}
        if curp[1] != "X":  # an X here may replace a vowel to avoid a forbidden word
            expected[1] = _inner(s1, vowel=True)
    if s2:
        expected |= {2: s2[0], 14: _inner(s2, vowel=False)}
    if primary:
        expected |= {3: primary[0], 15: _inner(primary, vowel=False)}
    return all(_agrees(char, curp[i]) for i, char in expected.items())


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _str(value: Any) -> str:
    if _missing(value):
        return ""
    return value.isoformat() if isinstance(value, dt.date) else str(value)


# Bump when a feature below changes meaning: stored blobs of an older version are recomputed.
FEATURES_VERSION = 2  # 2: ``occurred``
# The columns computed from the identity alone (stored per identity, see ``identity_blob``);
# ``unique_id``, ``partner`` and ``evidence`` depend on the run and are added then.
BASE_COLUMNS = [c for c in FEATURE_COLUMNS if c not in {"unique_id", "partner"}] + [
    "curp_consistent"
]


def base_features(raw: dict[str, Any]) -> dict[str, Any]:
    """The feature columns of one identity that depend on it alone (``raw``: its identity
    fields, ``age``, the record's ``occurred_at`` and the alcaldía's INEGI code); empty values
    are ``None``, as Splink's null levels expect."""
    given_names, first, second = resplit(
        *(_str(raw.get(name)) for name in ("given_names", "first_surname", "second_surname"))
    )
    given = given_parts(given_names)
    curp_raw = _str(raw.get("curp")).strip().upper()
    curp = valid_curp(curp_raw)
    dob = _str(raw.get("birth_date"))[:10] or (curp_birth_date(curp) if curp else "")
    s1, s2 = surname(first), surname(second)
    row: dict[str, Any] = {
        "given_full": given[0],
        "given_primary": given[1],
        "given_tokens": list(given[2]) or None,
        "surname1": s1,
        "surname2": s2,
        "surnames": f"{s1} {s2}" if s1 and s2 else "",
        "dob": dob,
        "birth_year": birth_year(dob, raw.get("age"), _str(raw.get("occurred_at"))),
        "curp": curp,
        "curp_raw": curp_raw,
        "phone": "".join(c for c in _str(raw.get("phone")) if c.isdigit())[-10:],
        "address": fold(_str(raw.get("address"))),
        "colonia": fold(_str(raw.get("colonia"))),
        "alcaldia": _str(raw.get("alcaldia")),
        "occurred": occurred_minute(_str(raw.get("occurred_at"))),
    }
    for column, value in row.items():
        if value == "":
            row[column] = None
    row["curp_consistent"] = curp_consistent(curp, first, second, given[1], dob)
    return row


def identity_blob(raw: dict[str, Any]) -> str:
    """``base_features`` as JSON, stored encrypted with each reported identity so that
    ``violeta link`` decrypts one value per identity instead of eight and computes nothing:
    at a million records that is minutes saved (docs/benchmarks.md)."""
    return json.dumps({"v": FEATURES_VERSION, **base_features(raw)}, ensure_ascii=False)


def stored_blob(identity: Any, occurred_at: dt.datetime | None) -> str:
    """``identity_blob`` of a reported identity about to be stored (its alcaldía loaded)."""
    when = occurred_at.astimezone(dt.UTC).isoformat() if occurred_at else ""
    alcaldia = identity.alcaldia.inegi_code if identity.alcaldia_id else ""
    fields = ("given_names", "first_surname", "second_surname", "birth_date", "age", "curp")
    raw = {name: getattr(identity, name) for name in (*fields, "phone", "address", "colonia")}
    return identity_blob({**raw, "occurred_at": when, "alcaldia": alcaldia})


def blob_features(blob: str) -> dict[str, Any] | None:
    """The base features of a stored blob, or None if it is missing, unreadable or of an
    older version (the caller then recomputes it from the fields)."""
    if not blob:
        return None
    try:
        # orjson: a run reads a million of these; the standard module takes four times as long.
        data = orjson.loads(blob)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.pop("v", None) != FEATURES_VERSION:
        return None
    return data


def feature_row(raw: dict[str, Any]) -> dict[str, Any]:
    """Every feature column of one identity, with its ``unique_id``, ``partner`` and
    ``evidence`` (how much identity it carries)."""
    row = {"unique_id": _str(raw.get("unique_id")), **base_features(raw)}
    return with_partner(row, _str(raw.get("partner")))


def with_partner(row: dict[str, Any], partner: str) -> dict[str, Any]:
    row["partner"] = partner or None
    row["evidence"] = strength(row)
    return row


def features(
    frame: pd.DataFrame, base: Sequence[dict[str, Any] | None] | None = None
) -> pd.DataFrame:
    """Feature columns for every row of an identity frame (see ``batch.identities_frame``).
    ``base``: the rows' stored base features where known (a ``None`` is computed from the
    frame's identity columns).

    Built column by column from the stored rows: a run reads a million of them, and a dict
    per frame row (``to_dict("records")``) plus the evidence counted row by row took half of
    this stage's time. The evidence is ``strength`` computed on whole columns."""
    import pandas as pd  # the batch's; real time uses feature_row and never loads pandas

    known = list(base) if base is not None else [None] * len(frame)
    missing = [i for i, stored in enumerate(known) if not stored]
    if missing:
        raws = frame.iloc[missing].to_dict("records")
        for i, raw in zip(missing, raws, strict=True):
            known[i] = base_features(raw)
    rows: list[dict[str, Any]] = known  # type: ignore[assignment]  # none is missing now
    partners = frame["partner"].tolist() if "partner" in frame else [None] * len(frame)
    # Built column by column as objects: None must stay None (Splink's NULL), never NaN.
    out = pd.DataFrame(
        {
            "unique_id": pd.Series(
                [_str(u) for u in frame["unique_id"].tolist()], dtype=object, index=frame.index
            ),
            **{
                c: pd.Series([r[c] for r in rows], dtype=object, index=frame.index)
                for c in BASE_COLUMNS
            },
            "partner": pd.Series(
                [_str(p) or None for p in partners], dtype=object, index=frame.index
            ),
        }
    )[[*FEATURE_COLUMNS, "curp_consistent"]]
    present = sum(out[c].notna().astype(int) for c in STRENGTH_COLUMNS)
    out["evidence"] = (present + 2 * out["curp"].notna().astype(int)).clip(upper=5).astype(int)
    out["birth_year"] = out["birth_year"].astype(float)
    out["occurred"] = out["occurred"].astype(float)
    out["curp_consistent"] = out["curp_consistent"].astype(bool)
    return out


def party_key(given_names: str, first_surname: str, second_surname: str = "") -> str:
    """The other party of the same record as one key (her aggressor's name for a woman, the
    woman's file for an aggressor): who is on the other side is strong evidence. The names
    are resplit first, as his features are, so that the key is also ``blob_party_key`` of
    his stored features."""
    given, first, _second = resplit(given_names, first_surname, second_surname)
    return _party_key(given_parts(given)[1], surname(first))


def blob_party_key(base: dict[str, Any]) -> str:
    """``party_key`` of an identity from its base features (no field decrypted)."""
    return _party_key(base.get("given_primary"), base.get("surname1"))


def _party_key(primary: str | None, first: str | None) -> str:
    return f"{first} {primary}" if primary and first else ""


# What ``strength`` counts, besides the CURP (worth two).
STRENGTH_COLUMNS = ("surname1", "given_primary", "dob", "phone", "partner")


def strength(row: dict[str, Any]) -> int:
    """How much identity a record carries: 0 (nothing) to 5. Below 2 it is never linked on
    the model alone (only a given name, or only a phone, is not enough; a given name with
    the other party of the record — her aggressor, his woman — is)."""
    score = sum(row[c] is not None for c in STRENGTH_COLUMNS)
    return min(5, score + (2 if row["curp"] else 0))
