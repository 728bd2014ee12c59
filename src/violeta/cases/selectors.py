"""Reading follow-ups: the state on her file, and the supervisors' list of supervised ones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from violeta.agencies.models import User
from violeta.agencies.roles import Capability
from violeta.audit.services import audit_log
from violeta.cases.models import CaseFollowUp, CaseState
from violeta.cases.services import close_allowed_from
from violeta.people.models import Person


def cases_on_file(*, user: User, person: Person) -> list[CaseFollowUp]:
    """Her follow-ups at every agency (state and dates only), the user's agency first; with
    those of a file merged into hers where hers has none at that agency yet."""
    if not user.can(Capability.VIEW_PERSON_FILE):
        return []
    found = CaseFollowUp.objects.filter(Q(person=person) | Q(person__merged_into=person))
    by_agency: dict[int, CaseFollowUp] = {}
    for case in sorted(found.select_related("agency"), key=_preference(person.pk)):
        by_agency[case.agency_id] = case  # the last one wins: her own file's, else the newest
    cases = by_agency.values()
    return sorted(cases, key=lambda c: (c.agency_id != user.agency_id, c.agency.code))


def _preference(person_id: int) -> Callable[[CaseFollowUp], tuple[bool, dt.datetime]]:
    return lambda case: (case.person_id == person_id, case.last_activity_at)


@dataclass
class SupervisedRow:
    case: CaseFollowUp
    closable_from: dt.datetime
    closable: bool


def supervised_cases(
    *, user: User, request: HttpRequest | None, now: dt.datetime | None = None
) -> list[SupervisedRow]:
    """The user's agency's follow-ups in supervised state, those that may be closed first."""
    if not user.can(Capability.SUPERVISE_CASES) or user.agency_id is None:
        raise PermissionDenied
    now = now or timezone.now()
    cases = CaseFollowUp.objects.filter(
        agency_id=user.agency_id, state=CaseState.SUPERVISED, person__merged_into=None
    ).select_related("person")
    rows = []
    for case in cases:
        allowed = close_allowed_from(case)
        assert allowed is not None
        rows.append(SupervisedRow(case, allowed, now >= allowed))
    rows.sort(key=lambda r: (not r.closable, r.closable_from))
    audit_log(
        actor=user,
        action="view",
        subject_type="followup",
        subject_id="",
        request=request,
        details={"list": "supervised", "followups": [r.case.pk for r in rows]},
    )
    return rows
