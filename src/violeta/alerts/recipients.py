"""Whom an alert is for: her caseworkers (or the professional who assessed her), the unit of
her alcaldía, the agency on duty; past its deadline, the supervisors of those agencies."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db.models import QuerySet

from violeta.agencies.models import Agency, Unit, User
from violeta.agencies.roles import Capability, Role, role_can
from violeta.people.models import Person
from violeta.records.choices import PartyRole
from violeta.records.models import AgencyRecord
from violeta.risk.models import RiskAssessment
from violeta.risk.selectors import CurrentLevel

DEFAULT_ON_DUTY = "C5"


def roles_with(capability: Capability) -> list[str]:
    return [r.value for r in Role if role_can(r, capability)]


def _receivers() -> QuerySet[User]:
    return User.objects.filter(is_active=True, role__in=roles_with(Capability.RECEIVE_ALERTS))


def caseworkers_of(women: Iterable[int]) -> set[int]:
    """Caseworkers of the agencies that attended these women."""
    agencies = AgencyRecord.objects.filter(
        parties__person__in=list(women), parties__role=PartyRole.VICTIM
    ).values("agency_id")
    return set(
        User.objects.filter(
            is_active=True, role=Role.CASEWORKER, agency_id__in=agencies
        ).values_list("pk", flat=True)
    )


def her_alcaldia_id(person: Person) -> int | None:
    if person.alcaldia_id is not None:
        return person.alcaldia_id
    latest = (
        AgencyRecord.objects.filter(
            parties__person=person, parties__role=PartyRole.VICTIM, alcaldia__isnull=False
        )
        .order_by("-occurred_at")
        .values_list("alcaldia_id", flat=True)
        .first()
    )
    return latest


def units_of(alcaldia_id: int | None) -> list[Unit]:
    if alcaldia_id is None:
        return []
    return list(Unit.objects.filter(alcaldia_id=alcaldia_id).order_by("agency__code", "name"))


def on_duty_agency() -> Agency | None:
    code = getattr(settings, "VIOLETA_ALERTS_ON_DUTY_AGENCY", DEFAULT_ON_DUTY)
    return Agency.objects.filter(code=code).first()


def recipients_for(
    person: Person, level: CurrentLevel | None, also_for_women: Iterable[int] = ()
) -> tuple[set[int], Unit | None]:
    """The user ids an alert about ``person`` goes to, and the unit of her alcaldía."""
    users = caseworkers_of([person.pk, *also_for_women])
    if level is not None:
        assessor = (
            RiskAssessment.objects.filter(pk=level.assessment_id)
            .values_list("assessed_by_id", flat=True)
            .first()
        )
        if assessor is not None and _receivers().filter(pk=assessor).exists():
            users.add(assessor)
    units = units_of(her_alcaldia_id(person))
    users |= set(_receivers().filter(unit__in=units).values_list("pk", flat=True))
    duty = on_duty_agency()
    if duty is not None:
        users |= set(_receivers().filter(agency=duty).values_list("pk", flat=True))
    return users, (units[0] if units else None)


def supervisors_of(user_ids: Iterable[int]) -> set[int]:
    agencies = User.objects.filter(pk__in=list(user_ids)).values("agency_id")
    return set(
        User.objects.filter(
            is_active=True,
            role__in=roles_with(Capability.SUPERVISE_ALERTS),
            agency_id__in=agencies,
        ).values_list("pk", flat=True)
    )
