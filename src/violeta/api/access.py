"""Need-to-know for API clients: a woman is reachable when her agency registered her (a record
where she is the victim: records.selectors.records_visible_to) or assessed her."""

from __future__ import annotations

from django.http import Http404

from violeta.agencies.models import User
from violeta.people.models import Person, PersonKind
from violeta.people.services import person_in_use
from violeta.records.choices import PartyRole
from violeta.records.selectors import records_visible_to
from violeta.risk.models import RiskAssessment


def woman_for(user: User, person_id: int) -> Person:
    """Her file (followed through merges) if ``user``'s agency may see it; else 404, so that
    another agency's woman is indistinguishable from one that does not exist."""
    person = Person.objects.filter(pk=person_id, kind=PersonKind.WOMAN).first()
    if person is not None:
        person = person_in_use(person)
    if person is None or user.agency_id is None:
        raise Http404
    ids = [person.pk, *Person.objects.filter(merged_into=person).values_list("pk", flat=True)]
    registered = (
        records_visible_to(user)
        .filter(parties__person_id__in=ids, parties__role=PartyRole.VICTIM)
        .exists()
    )
    assessed = RiskAssessment.objects.filter(person_id__in=ids, agency_id=user.agency_id).exists()
    if not (registered or assessed):
        raise Http404
    return person


def reachable_women(user: User, person_ids: list[int]) -> set[int]:
    """Which of these women (files in use) ``user``'s agency reaches, as in :func:`woman_for`."""
    if user.agency_id is None or not person_ids:
        return set()
    merged = dict(
        Person.objects.filter(merged_into_id__in=person_ids).values_list("pk", "merged_into_id")
    )
    hers = {pk: pk for pk in person_ids} | merged
    registered = records_visible_to(user).filter(
        parties__person_id__in=hers, parties__role=PartyRole.VICTIM
    )
    found = set(registered.values_list("parties__person_id", flat=True))
    found |= set(
        RiskAssessment.objects.filter(person_id__in=hers, agency_id=user.agency_id).values_list(
            "person_id", flat=True
        )
    )
    return {hers[pk] for pk in found if pk in hers}


def her_ids(person: Person) -> list[int]:
    """Her file and the files merged into it."""
    return [person.pk, *Person.objects.filter(merged_into=person).values_list("pk", flat=True)]
