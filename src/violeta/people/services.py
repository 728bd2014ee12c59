"""Creating people and resolving a reported identity to a person.

:func:`person_resolve` is the foundation's deterministic linker: a valid CURP, or the same
normalised full name with the same date of birth, finds the person; anything else makes a new
one. The probabilistic linkage (issue "one file per woman") replaces it behind the same call.
"""

from __future__ import annotations

from collections.abc import Sequence

from violeta.catalogs.models import Alcaldia
from violeta.core.bulk_sql import update_from_values
from violeta.people import identity as ident
from violeta.people.identity import IdentityInput
from violeta.people.models import IdentityFields, Person, PersonKind


def identity_apply(
    target: IdentityFields, data: IdentityInput, *, alcaldia: Alcaldia | None
) -> None:
    """Copy ``data`` onto a Person or a reported identity, with its blind indexes."""
    target.given_names = data.given_names
    target.first_surname = data.first_surname
    target.second_surname = data.second_surname
    target.birth_date = data.birth_date  # type: ignore[assignment]
    target.sex = data.sex
    target.curp = data.curp.upper()
    target.phone = data.phone
    target.address = data.address
    target.colonia = data.colonia
    target.alcaldia = alcaldia
    target.curp_bidx = ident.curp_index(data.curp) if ident.curp_is_valid(data.curp) else ""
    target.phone_bidx = ident.phone_index(data.phone) if data.phone else ""


def person_indexes(person: Person) -> None:
    person.first_surname_bidx = ident.name_index(person.first_surname)
    person.second_surname_bidx = ident.name_index(person.second_surname)
    person.given_name_bidx = ident.name_index(ident.first_given_name(person.given_names))
    person.birth_date_bidx = ident.birth_date_index(person.birth_date)


def person_built(*, kind: PersonKind, data: IdentityInput, alcaldia: Alcaldia | None) -> Person:
    """A new person (not saved yet) carrying ``data``, with her blind indexes."""
    person = Person(kind=kind)
    identity_apply(person, data, alcaldia=alcaldia)
    person_indexes(person)
    return person


def person_create(*, kind: PersonKind, data: IdentityInput, alcaldia: Alcaldia | None) -> Person:
    person = person_built(kind=kind, data=data, alcaldia=alcaldia)
    person.save()
    return person


def person_find_exact(*, kind: PersonKind, data: IdentityInput) -> tuple[Person | None, str]:
    """The person this identity certainly belongs to, if any, and by what: "curp" or "exact".
    Always a file in use: a CURP found on a file merged into another leads to that other file
    (the one holding her records now); the other look-ups search the files in use only."""
    if data.curp and ident.curp_is_valid(data.curp):
        found = person_with_curp(kind=kind, curp_index=ident.curp_index(data.curp))
        if found:
            return found, "curp"
    if data.birth_date and data.first_surname and data.given_names:
        candidates = Person.objects.filter(
            kind=kind,
            merged_into__isnull=True,
            first_surname_bidx=ident.name_index(data.first_surname),
            given_name_bidx=ident.name_index(ident.first_given_name(data.given_names)),
            birth_date_bidx=ident.birth_date_index(data.birth_date),
        )
        wanted = ident.normalize_name(data.second_surname)
        for candidate in candidates:
            if ident.normalize_name(candidate.second_surname) == wanted:
                return candidate, "exact"
    return None, ""


def person_with_curp(*, kind: PersonKind, curp_index: str) -> Person | None:
    """The file in use that holds this CURP (see :func:`file_id_with_curp`)."""
    found = file_id_with_curp(kind=kind, curp_index=curp_index)
    return Person.objects.get(pk=found) if found is not None else None


def file_id_with_curp(*, kind: PersonKind, curp_index: str) -> int | None:
    """The id of the file in use that holds this CURP: one of the files in use carrying it
    (the oldest), else the file that took the records of the oldest merged file carrying it.
    One query when a file in use carries it."""
    rows = Person.objects.filter(kind=kind, curp_bidx=curp_index).order_by("pk")
    found = list(rows.values_list("pk", "merged_into_id"))
    in_use = [pk for pk, merged in found if merged is None]
    if in_use:
        return in_use[0]
    return person_id_in_use(found[0][1]) if found else None


def person_resolve(
    *, kind: PersonKind, data: IdentityInput, alcaldia: Alcaldia | None
) -> tuple[Person, str]:
    """The person for a reported identity, created when none matches.

    Returns the person and how she was found: "curp", "exact" or "single" (created).
    """
    found, method = person_find_exact(kind=kind, data=data)
    if found is None:
        return person_create(kind=kind, data=data, alcaldia=alcaldia), "single"
    # Fill what the file lacks; what it already holds is kept (an import is not chronological).
    changed = False
    for field in ("curp", "phone", "address", "colonia"):
        if getattr(data, field) and not getattr(found, field):
            setattr(found, field, getattr(data, field))
            changed = True
    if alcaldia and not found.alcaldia_id:
        found.alcaldia = alcaldia
        changed = True
    if changed:
        found.curp_bidx = ident.curp_index(found.curp) if ident.curp_is_valid(found.curp) else ""
        found.phone_bidx = ident.phone_index(found.phone) if found.phone else ""
        found.save()
    return found, method


def identity_input_of(identity: IdentityFields) -> IdentityInput:
    """The identity a stored person or reported identity carries, as input to the matchers."""
    return IdentityInput(
        given_names=identity.given_names,
        first_surname=identity.first_surname,
        second_surname=identity.second_surname,
        birth_date=identity.birth_date,
        sex=identity.sex,
        curp=identity.curp,
        phone=identity.phone,
        address=identity.address,
        colonia=identity.colonia,
        alcaldia_code=identity.alcaldia.inegi_code if identity.alcaldia else "",
    )


def person_kind_of(identity: IdentityFields) -> PersonKind:
    """A victim's identity belongs in a woman's file, an aggressor's in an aggressor's."""
    role = getattr(identity, "role", "victim")
    return PersonKind.WOMAN if role == "victim" else PersonKind.AGGRESSOR


def identity_copy_to_new_person(identity: IdentityFields) -> Person:
    """A new person whose attributes are those of one reported identity (used by splits)."""
    data = identity_input_of(identity)
    return person_create(kind=person_kind_of(identity), data=data, alcaldia=identity.alcaldia)


def identities_copy_to_new_persons(identities: Sequence[IdentityFields]) -> list[Person]:
    """:func:`identity_copy_to_new_person` for many identities (a batch run's new files): one
    INSERT per thousand persons, in the identities' order. Load their alcaldía with them."""
    persons = [
        person_built(kind=person_kind_of(i), data=identity_input_of(i), alcaldia=i.alcaldia)
        for i in identities
    ]
    return Person.objects.bulk_create(persons, batch_size=1000)


def person_mark_merged(absorbed: Person, into: Person) -> None:
    """``absorbed``'s records now belong to ``into``: mark it so, and point the files merged
    into ``absorbed`` earlier at ``into`` too. ``merged_into`` always names a file in use, so
    one hop finds her file from any older one (her plans, referrals, certificates)."""
    absorbed.merged_into = into
    absorbed.save(update_fields=["merged_into", "updated_at"])
    Person.objects.filter(merged_into=absorbed).update(merged_into=into)


def merged_chains_flatten() -> int:
    """Point every merged file at the end of its chain (after a batch run marked files merged
    into files that were themselves merged). Returns how many files were re-pointed."""
    moved = 0
    while True:
        rows = list(
            Person.objects.filter(merged_into__merged_into__isnull=False).values_list(
                "pk", "merged_into__merged_into"
            )[:5000]
        )
        if not rows:
            return moved
        update_from_values(
            Person._meta.db_table,
            "id",
            [("merged_into_id", "bigint")],
            [(pk, target if target != pk else None) for pk, target in rows],
        )
        moved += len(rows)


def person_lock(person: Person) -> None:
    """Serialise, until commit, the writes about her file that must not happen twice (a double
    click's two requests: the second waits here, then finds what the first created)."""
    Person.objects.select_for_update().filter(pk=person.pk).first()


def person_id_in_use(person_id: int) -> int:
    """:func:`person_in_use` by id, without loading the person."""
    for _hop in range(10):
        target = Person.objects.filter(pk=person_id).values_list("merged_into", flat=True).first()
        if target is None:
            break
        person_id = target
    return person_id


def person_in_use(person: Person) -> Person:
    """The file ``person``'s records are in now: itself, or the file it was merged into (one
    hop since merges re-point older merged files; a few more are followed for safety)."""
    for _hop in range(10):
        if person.merged_into_id is None:
            break
        person = Person.objects.select_related("alcaldia").get(pk=person.merged_into_id)
    return person
