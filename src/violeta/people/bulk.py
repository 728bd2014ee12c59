"""Resolving many reported identities to people at once (imports).

The same rules as :func:`violeta.people.services.person_resolve` — a valid CURP, or the same
normalised name and date of birth; a found person gets the CURP, phone or address she lacked —
answered with a few set queries per batch instead of several queries per row. Identities
within the batch that match each other share one new person.
"""

from __future__ import annotations

from collections.abc import Sequence

from violeta.catalogs.models import Alcaldia
from violeta.people import identity as ident
from violeta.people.identity import IdentityInput
from violeta.people.models import Person, PersonKind
from violeta.people.services import person_built, person_in_use

ExactKey = tuple[str, str, str, str]
FILLED = ("curp", "phone", "address", "colonia")


def _exact_key(data: IdentityInput) -> ExactKey | None:
    if not (data.birth_date and data.first_surname and data.given_names):
        return None
    return (
        ident.name_index(data.first_surname),
        ident.name_index(ident.first_given_name(data.given_names)),
        ident.birth_date_index(data.birth_date),
        ident.normalize_name(data.second_surname),
    )


def _person_exact_key(person: Person) -> ExactKey:
    return (
        person.first_surname_bidx,
        person.given_name_bidx,
        person.birth_date_bidx,
        ident.normalize_name(person.second_surname),
    )


def _curp_key(data: IdentityInput) -> str:
    return ident.curp_index(data.curp) if data.curp and ident.curp_is_valid(data.curp) else ""


def _fill(person: Person, data: IdentityInput, alcaldia: Alcaldia | None) -> bool:
    touched = False
    for name in FILLED:
        value = getattr(data, name)
        if value and not getattr(person, name):
            setattr(person, name, value.upper() if name == "curp" else value)
            touched = True
    if alcaldia is not None and person.alcaldia_id is None:
        person.alcaldia = alcaldia
        touched = True
    if touched:
        valid = bool(person.curp) and ident.curp_is_valid(person.curp)
        person.curp_bidx = ident.curp_index(person.curp) if valid else ""
        person.phone_bidx = ident.phone_index(person.phone) if person.phone else ""
    return touched


def persons_resolve_bulk(
    *, kind: PersonKind, items: Sequence[tuple[IdentityInput, Alcaldia | None]]
) -> list[tuple[Person, str]]:
    """The person of each identity and how she was found ("curp", "exact" or "single")."""
    curp_keys = [_curp_key(d) for d, _a in items]
    exact_keys = [_exact_key(d) for d, _a in items]
    by_curp: dict[str, Person] = {}
    by_exact: dict[ExactKey, Person] = {}
    wanted_curps = {k for k in curp_keys if k}
    wanted_dobs = {k[2] for k in exact_keys if k}
    # As person_find_exact: a CURP on a merged file leads to the file in use that took her
    # records; the other look-ups search the files in use only.
    merged: dict[str, int] = {}
    for person in Person.objects.filter(kind=kind, curp_bidx__in=wanted_curps).order_by("pk"):
        if person.merged_into_id is None:
            by_curp.setdefault(person.curp_bidx, person)
        else:
            merged.setdefault(person.curp_bidx, person.merged_into_id)
    targets = Person.objects.in_bulk(set(merged.values()))
    for curp, target in merged.items():
        if curp not in by_curp:
            by_curp[curp] = person_in_use(targets[target])
    if wanted_dobs:
        live = Person.objects.filter(kind=kind, merged_into__isnull=True)
        for person in live.filter(birth_date_bidx__in=wanted_dobs).order_by("pk"):
            by_exact.setdefault(_person_exact_key(person), person)
    resolved: list[tuple[Person, str]] = []
    new: list[Person] = []
    changed: dict[int, Person] = {}
    for (data, alcaldia), curp_key, exact_key in zip(items, curp_keys, exact_keys, strict=True):
        if curp_key and curp_key in by_curp:
            person, method = by_curp[curp_key], "curp"
        elif exact_key and exact_key in by_exact:
            person, method = by_exact[exact_key], "exact"
        else:
            person = person_built(kind=kind, data=data, alcaldia=alcaldia)
            new.append(person)
            method = "single"
        if method != "single" and _fill(person, data, alcaldia) and person.pk:
            changed[person.pk] = person
        if person.curp_bidx:
            by_curp.setdefault(person.curp_bidx, person)
        if exact_key:
            by_exact.setdefault(exact_key, person)
        resolved.append((person, method))
    Person.objects.bulk_create(new, batch_size=1000)
    if changed:
        Person.objects.bulk_update(
            list(changed.values()), [*FILLED, "curp_bidx", "phone_bidx", "alcaldia"], batch_size=500
        )
    return resolved
