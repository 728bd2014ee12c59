"""While the operator waits: who in Violeta may be the woman she is registering.

Candidates come from blind-index look-ups (exact keys on CURP, phone, surname with given name
or birth date, and the swapped surnames), all indexed columns, so a look-up costs a handful of
index probes whatever the size of the registry. Each candidate is then compared attribute by
attribute; the evidence is what the operator sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db.models import Count, Q

from violeta.linkage.features import feature_row
from violeta.linkage.scoring import ROLE_NAMES, Scorer, model_path, model_read
from violeta.people import identity as ident
from violeta.people.identity import IdentityInput
from violeta.people.models import Person, PersonKind
from violeta.people.services import file_id_with_curp
from violeta.records.choices import PartyRole
from violeta.records.models import ReportedIdentity

MAX_CANDIDATES = 5
# An operator who says "none of them" to a candidate this likely is double-checked.
REVIEW_IF_DENIED = 0.9
AGREE, DIFFER, PARTIAL = "agree", "differ", "partial"


@dataclass
class Candidate:
    person: Person
    score: float  # 0..1, how sure the system is that she is the same woman
    evidence: dict[str, str] = field(default_factory=dict)  # attribute -> agree/partial/differ
    records: int = 0


# Each key is probed on its own (one composite index each: see people's migrations) and at
# most PER_KEY ids come back from each; the persons matching the most keys are shortlisted.
# One OR over every key is the same question, but SQLite answers it by scanning the table.
PER_KEY = 200
SHORTLIST = 40  # 60 gave p99 51.7 ms at 1,000,000 on PostgreSQL, 40 gives 41.0 (benchmarks.md)


def _blocking_keys(data: IdentityInput) -> list[Q]:
    given = ident.name_index(ident.first_given_name(data.given_names)) if data.given_names else ""
    first = ident.name_index(data.first_surname) if data.first_surname else ""
    second = ident.name_index(data.second_surname) if data.second_surname else ""
    dob = ident.birth_date_index(data.birth_date)
    keys = []  # the CURP apart (_shortlist): it may be on a merged file
    if data.phone:
        keys.append(Q(phone_bidx=ident.phone_index(data.phone)))
    if first and given:
        keys.append(Q(first_surname_bidx=first, given_name_bidx=given))
    if first and dob:
        keys.append(Q(first_surname_bidx=first, birth_date_bidx=dob))
    if given and dob:
        keys.append(Q(given_name_bidx=given, birth_date_bidx=dob))
    if first and second:
        keys.append(Q(first_surname_bidx=second, second_surname_bidx=first))
    return keys


def _shortlist(data: IdentityInput, kind: PersonKind) -> list[int]:
    """Ids of the persons sharing the most blocking keys with ``data``, at most SHORTLIST."""
    hits: dict[int, int] = {}
    if data.curp and ident.curp_is_valid(data.curp):  # on a merged file too: the file in use
        found = file_id_with_curp(kind=kind, curp_index=ident.curp_index(data.curp))
        if found is not None:
            hits[found] = 1
    for key in _blocking_keys(data):
        # The key and "not merged" (the keys' indexes hold those persons only); "kind" is
        # checked here: beside the key, SQLite (without ANALYZE statistics) may pick the
        # kind's index and scan every woman.
        found_by_key = Person.objects.filter(key, merged_into__isnull=True)
        for pk, its_kind in found_by_key.values_list("pk", "kind")[:PER_KEY]:
            if its_kind == kind:
                hits[pk] = hits.get(pk, 0) + 1
    return sorted(hits, key=lambda pk: (-hits[pk], -pk))[:SHORTLIST]


def _compare(data: IdentityInput, person: Person) -> dict[str, str]:
    evidence: dict[str, str] = {}
    if data.curp and person.curp:
        evidence["curp"] = AGREE if data.curp.upper() == person.curp.upper() else DIFFER
    mine = {ident.search_key(data.first_surname), ident.search_key(data.second_surname)} - {""}
    hers = {ident.search_key(person.first_surname), ident.search_key(person.second_surname)} - {""}
    if mine and hers:
        if ident.search_key(data.first_surname) == ident.search_key(person.first_surname) and (
            ident.search_key(data.second_surname) == ident.search_key(person.second_surname)
        ):
            evidence["surnames"] = AGREE
        else:
            evidence["surnames"] = PARTIAL if mine & hers else DIFFER
    if data.given_names and person.given_names:
        a = set(ident.search_key(data.given_names).split())
        b = set(ident.search_key(person.given_names).split())
        evidence["given_names"] = AGREE if a == b else PARTIAL if a & b else DIFFER
    if data.birth_date and person.birth_date:
        x, y = data.birth_date, person.birth_date
        if x == y:
            evidence["birth_date"] = AGREE
        elif x.year == y.year and (x.month, x.day) == (y.day, y.month):
            evidence["birth_date"] = PARTIAL  # day and month swapped
        else:
            evidence["birth_date"] = PARTIAL if x.year == y.year else DIFFER
    if data.phone and person.phone:
        same = ident.phone_index(data.phone) == ident.phone_index(person.phone)
        evidence["phone"] = AGREE if same else DIFFER
    if data.alcaldia_code and person.alcaldia_id:
        same_alcaldia = person.alcaldia is not None and (
            person.alcaldia.inegi_code == data.alcaldia_code
        )
        evidence["alcaldia"] = AGREE if same_alcaldia else DIFFER
    return evidence


# Provisional weights (log-odds per attribute) until a trained model exists.
_WEIGHTS = {
    "curp": (9.0, -6.0),
    "surnames": (4.0, -4.0),
    "given_names": (3.0, -3.0),
    "birth_date": (5.0, -4.0),
    "phone": (5.0, -0.5),
    "alcaldia": (0.5, -0.2),
}


def _score(evidence: dict[str, str]) -> float:
    weight = -6.0  # prior: two random records are rarely the same woman
    for name, level in evidence.items():
        agree, differ = _WEIGHTS[name]
        weight += agree if level == AGREE else differ if level == DIFFER else agree / 3
    return 1 / (1 + 2 ** (-weight))


def _model_scorer(kind: PersonKind) -> Scorer | None:
    """The trained model of ``kind`` (after the first ``violeta link``), cached by file date."""
    role = PartyRole.VICTIM if kind == PersonKind.WOMAN else PartyRole.AGGRESSOR
    path = model_path(role)
    if not path.exists():
        return None
    return _load_scorer(str(path), path.stat().st_mtime_ns, ROLE_NAMES[role])


@lru_cache(maxsize=4)
def _load_scorer(path: str, mtime: int, role: str) -> Scorer | None:
    del mtime  # part of the cache key: a retrained model is read again
    try:
        return Scorer(model_read(Path(path)), role)
    except (ValueError, KeyError, OSError):
        return None


def _features_of(identity: IdentityInput | Person, alcaldia: str) -> dict[str, Any]:
    return feature_row(
        {
            "given_names": identity.given_names,
            "first_surname": identity.first_surname,
            "second_surname": identity.second_surname,
            "birth_date": identity.birth_date or "",
            "curp": identity.curp,
            "phone": identity.phone,
            "address": identity.address,
            "colonia": identity.colonia,
            "alcaldia": alcaldia,
        }
    )


def score_person(
    data: IdentityInput, person: Person, kind: PersonKind = PersonKind.WOMAN
) -> tuple[float, dict[str, str]]:
    """How likely ``person`` is ``data`` (0..1), and the evidence, as candidates_for scores."""
    evidence = _compare(data, person)
    scorer = _model_scorer(kind)
    if scorer is None:
        return _score(evidence), evidence
    code = person.alcaldia.inegi_code if person.alcaldia else ""
    mine = _features_of(data, data.alcaldia_code or "")
    return scorer.score(mine, _features_of(person, code)).probability, evidence


def candidates_for(*, data: IdentityInput, kind: PersonKind = PersonKind.WOMAN) -> list[Candidate]:
    """The people who may be this identity, best first (at most ``MAX_CANDIDATES``).

    Scored with the trained model (the batch's m and u, :mod:`violeta.linkage.scoring`) once
    ``violeta link`` has trained one; before that, with provisional hand weights."""
    ids = _shortlist(data, kind)
    if not ids:
        return []
    people = list(Person.objects.filter(pk__in=ids).select_related("alcaldia"))
    role = PartyRole.VICTIM if kind == PersonKind.WOMAN else PartyRole.AGGRESSOR
    counts = dict(
        ReportedIdentity.objects.filter(person_id__in=ids, role=role)
        .values_list("person_id")
        .annotate(n=Count("pk"))
        .values_list("person_id", "n")
    )
    found = []
    scorer = _model_scorer(kind)
    mine = _features_of(data, data.alcaldia_code or "") if scorer else {}
    for person in people:
        evidence = _compare(data, person)
        if scorer:
            code = person.alcaldia.inegi_code if person.alcaldia else ""
            score = scorer.score(mine, _features_of(person, code)).probability
        else:
            score = _score(evidence)
        if score >= 0.2:
            found.append(Candidate(person, score, evidence, counts.get(person.pk, 0)))
    found.sort(key=lambda c: c.score, reverse=True)
    return found[:MAX_CANDIDATES]
