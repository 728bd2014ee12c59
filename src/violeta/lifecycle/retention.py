"""Retention rules by record kind and which files are closed and past retention.

A file (a woman's file in use, with the files merged into it) is **closed and past retention**
on ``today`` when all of these hold:

1. none of her follow-ups is active or supervised (each was closed by a person, or she never
   had one);
2. no alert about her is open or acknowledged (every alert closed);
3. no referral of hers is pending or accepted;
4. no protection order of hers is in force (``order_valid_until`` on or after ``today``);
5. the last thing that happened in her file (her latest record, or the latest closing of a
   follow-up) is older than the longest retention among her records' kinds.

Files already anonymised and files merged into another are never candidates.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.db.models import Max, Q
from django.utils import timezone

from violeta.alerts.choices import State as AlertState
from violeta.alerts.models import Alert
from violeta.cases.models import CaseFollowUp, CaseState
from violeta.lifecycle.models import RetentionRule
from violeta.people.models import Person, PersonKind
from violeta.records.choices import PartyRole
from violeta.records.models import AgencyRecord, ReportedIdentity
from violeta.referrals.choices import OPEN as OPEN_REFERRALS
from violeta.referrals.models import Referral

SHIPPED = Path(__file__).resolve().parent / "data" / "retention.json"
ORDER_KIND = "protection_order"


@lru_cache(maxsize=1)
def shipped() -> dict[str, object]:
    data: dict[str, object] = json.loads(SHIPPED.read_text(encoding="utf-8"))
    return data


def default_years() -> int:
    return int(shipped()["default_years"])  # type: ignore[call-overload]


def rules_load() -> int:
    """Create the shipped rule of every kind that has none (an administrator's value is kept).
    Returns how many were created."""
    created = 0
    for rule in shipped()["rules"]:  # type: ignore[attr-defined]
        _obj, new = RetentionRule.objects.get_or_create(
            kind=rule["kind"], defaults={"years": rule["years"], "basis": rule["basis"]}
        )
        created += int(new)
    return created


def years_by_kind() -> dict[str, int]:
    """The stored rules; the shipped ones where the table has none yet."""
    found = {r["kind"]: int(r["years"]) for r in shipped()["rules"]}  # type: ignore[attr-defined]
    found.update(dict(RetentionRule.objects.values_list("kind", "years")))
    return found


def _shift(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def file_ids(person_id: int) -> list[int]:
    merged = Person.objects.filter(merged_into_id=person_id).order_by("pk")
    return [person_id, *merged.values_list("pk", flat=True)]


@dataclass(frozen=True)
class FileState:
    person_id: int
    ids: list[int]
    closed: bool
    reasons: list[str]  # why it is not closed or not past retention (codes)
    last_event: dt.date | None
    retention_years: int
    expires_on: dt.date | None

    @property
    def past_retention(self) -> bool:
        return self.closed and not self.reasons


def _order_in_force(records: list[int], today: dt.date) -> bool:
    orders = AgencyRecord.objects.filter(pk__in=records, kind__code=ORDER_KIND)
    for details in orders.values_list("details", flat=True):
        until = str((details or {}).get("order_valid_until") or "")[:10]
        try:
            if until and dt.date.fromisoformat(until) >= today:
                return True
        except ValueError:
            return True  # an unreadable date: treated as in force, never destroyed on a guess
    return False


def file_state(person_id: int, *, today: dt.date, years: dict[str, int]) -> FileState:
    ids = file_ids(person_id)
    reasons = []
    if CaseFollowUp.objects.filter(person_id__in=ids).exclude(state=CaseState.CLOSED).exists():
        reasons.append("open_followup")
    if Alert.objects.filter(person_id__in=ids).exclude(state=AlertState.CLOSED).exists():
        reasons.append("open_alert")
    if Referral.objects.filter(person_id__in=ids, status__in=OPEN_REFERRALS).exists():
        reasons.append("open_referral")
    records = list(
        ReportedIdentity.objects.filter(person_id__in=ids, role=PartyRole.VICTIM).values_list(
            "record_id", flat=True
        )
    )
    if _order_in_force(records, today):
        reasons.append("order_in_force")
    closed = not reasons
    kinds = set(AgencyRecord.objects.filter(pk__in=records).values_list("kind__code", flat=True))
    longest = max((years.get(k, default_years()) for k in kinds), default=default_years())
    last_record = AgencyRecord.objects.filter(pk__in=records).aggregate(m=Max("occurred_at"))["m"]
    last_closed = CaseFollowUp.objects.filter(person_id__in=ids).aggregate(m=Max("closed_at"))["m"]
    moments = [timezone.localdate(m) for m in (last_record, last_closed) if m is not None]
    last = max(moments) if moments else None
    expires = _shift(last, longest) if last is not None else None
    if expires is None or expires >= today:
        reasons.append("within_retention")
    return FileState(person_id, ids, closed, reasons, last, longest, expires)


def candidates(*, today: dt.date, chunk: int = 500) -> Iterator[int]:
    """Women's files in use, not anonymised, whose records all happened before the shortest
    retention (a cheap first filter; :func:`file_state` decides)."""
    years = years_by_kind()
    shortest = min([*years.values(), default_years()])
    cutoff = dt.datetime.combine(
        _shift(today, -shortest), dt.time.min, tzinfo=timezone.get_current_timezone()
    )
    recent = ReportedIdentity.objects.filter(
        role=PartyRole.VICTIM, record__occurred_at__gte=cutoff
    ).values("person_id")
    people = (
        Person.objects.filter(kind=PersonKind.WOMAN, merged_into__isnull=True)
        .filter(anonymised__isnull=True)
        .exclude(pk__in=recent)
        .exclude(Q(pk__in=Person.objects.filter(merged_into__isnull=False, pk__in=recent)
                    .values("merged_into_id")))
        .order_by("pk")
        .values_list("pk", flat=True)
    )  # fmt: skip
    last = 0
    while True:
        ids = list(people.filter(pk__gt=last)[:chunk])
        if not ids:
            return
        yield from ids
        last = ids[-1]
