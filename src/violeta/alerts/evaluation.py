"""What each rule finds in a woman's whole file (pure reads).

Every rule returns findings: a cause key (one cause raises one alert however often the file is
evaluated), the evidence (record ids) and facts (codes and numbers, never narratives).

Events the agencies' catalogs do not carry as kinds of record are read from ``record.details``:

* ``details["event"]``: ``"order_breach"`` (a breach of a protection order, also
  ``details["order_breach"] is True``), ``"aggressor_release"`` / ``"aggressor_leave"`` (the
  prosecutor's side registers that her aggressor was released or is on leave),
  ``"missing_report"`` (a report that she is missing).
* ``details["order_valid_until"]`` (ISO date) on ``protection_order`` records: when it expires.
* ``details["answered"]`` (bool) on ``followup_call`` records: ``False`` is an unanswered call.

Levels are compared on the common scale (``CurrentLevel.equivalent``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from violeta.catalogs.events import is_breach
from violeta.people.models import Person
from violeta.records.choices import PartyRole
from violeta.records.models import AgencyRecord, ReportedIdentity
from violeta.risk.indicators import FileIndicators, file_indicators
from violeta.risk.selectors import CurrentLevel, current_level, due_reassessments

RELEASE_EVENTS = frozenset({"aggressor_release", "aggressor_leave"})


@dataclass(frozen=True)
class Finding:
    cause_key: str
    evidence: tuple[int, ...]
    facts: dict[str, Any] = field(default_factory=dict)
    also_for_women: tuple[int, ...] = ()  # other women whose caseworkers are warned too


@dataclass
class FileContext:
    person: Person
    now: dt.datetime
    record_ids: frozenset[int]  # the records whose registration triggered the evaluation

    @cached_property
    def records(self) -> list[AgencyRecord]:
        return list(
            AgencyRecord.objects.filter(parties__person=self.person, parties__role=PartyRole.VICTIM)
            .select_related("agency", "kind")
            .prefetch_related(
                Prefetch(
                    "parties",
                    queryset=ReportedIdentity.objects.filter(role=PartyRole.AGGRESSOR),
                    to_attr="aggressor_parties",
                )
            )
            .order_by("occurred_at", "pk")
        )

    @cached_property
    def level(self) -> CurrentLevel | None:
        return current_level(self.person.pk)

    @cached_property
    def indicators(self) -> FileIndicators:
        return file_indicators(self.person.pk, now=self.now)

    @cached_property
    def aggressors(self) -> set[int]:
        return {p.person_id for r in self.records for p in r.aggressor_parties}  # type: ignore[attr-defined]

    def at_level(self, levels: list[str]) -> bool:
        return self.level is not None and self.level.equivalent in levels

    def recent(self, days: int) -> list[AgencyRecord]:
        since = self.now - dt.timedelta(days=days)
        return [r for r in self.records if since <= r.occurred_at <= self.now]


def _details(record: AgencyRecord) -> dict[str, Any]:
    return record.details if isinstance(record.details, dict) else {}


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _level_facts(ctx: FileContext) -> dict[str, Any]:
    return {"risk": ctx.level.equivalent} if ctx.level else {}


def record_at_high_risk(ctx: FileContext, p: dict[str, Any]) -> list[Finding]:
    if not ctx.record_ids or not ctx.at_level(p["levels"]):
        return []
    return [
        Finding(
            f"record:{r.pk}",
            (r.pk,),
            _level_facts(ctx) | {"agency": r.agency.code, "kind": r.kind.code},
        )
        for r in ctx.records
        if r.pk in ctx.record_ids
    ]


def order_breach(ctx: FileContext, p: dict[str, Any]) -> list[Finding]:
    flagged = [r for r in ctx.recent(p["within_days"]) if is_breach(r.details)]
    found = [Finding(f"breach:{r.pk}", (r.pk,), {"agency": r.agency.code}) for r in flagged]
    indicator = ctx.indicators.get("order_breach")
    if indicator.present and not flagged:
        recent = {r.pk for r in ctx.recent(p["within_days"])}
        evidence = tuple(pk for pk in indicator.evidence if pk in recent)
        if evidence:
            found.append(
                Finding(f"breach:{max(evidence)}", evidence, {"breaches": indicator.count})
            )
    return found


def order_expiring(ctx: FileContext, p: dict[str, Any]) -> list[Finding]:
    if not ctx.at_level(p["levels"]):
        return []
    today = timezone.localdate(ctx.now)
    found = []
    for order in (r for r in ctx.records if r.kind.code == "protection_order"):
        until = _date(_details(order).get("order_valid_until"))
        if until is not None and today <= until <= today + dt.timedelta(days=p["days_before"]):
            facts = _level_facts(ctx) | {"valid_until": until.isoformat()}
            found.append(Finding(f"order_expiry:{order.pk}:{until}", (order.pk,), facts))
    return found


def aggressor_release(ctx: FileContext, p: dict[str, Any]) -> list[Finding]:
    since = ctx.now - dt.timedelta(days=p["within_days"])
    events = {
        r.pk: r for r in ctx.recent(p["within_days"]) if _details(r).get("event") in RELEASE_EVENTS
    }
    if ctx.aggressors:  # registered on another woman's case against the same man
        for r in AgencyRecord.objects.filter(
            parties__person__in=ctx.aggressors,
            parties__role=PartyRole.AGGRESSOR,
            occurred_at__gte=since,
            occurred_at__lte=ctx.now,
            details__event__in=sorted(RELEASE_EVENTS),
        ):
            events.setdefault(r.pk, r)
    return [
        Finding(f"release:{pk}", (pk,), {"event": _details(r)["event"]})
        for pk, r in sorted(events.items())
    ]


def persistent_aggressor(ctx: FileContext, p: dict[str, Any]) -> list[Finding]:
    if not ctx.aggressors:
        return []
    since = ctx.now - dt.timedelta(days=365 * p["years"])
    found = []
    for aggressor in sorted(ctx.aggressors):
        earlier = list(
            ReportedIdentity.objects.filter(
                role=PartyRole.VICTIM,
                record__parties__person=aggressor,
                record__parties__role=PartyRole.AGGRESSOR,
                record__occurred_at__gte=since,
                record__occurred_at__lte=ctx.now,
            )
            .exclude(person=ctx.person)
            .exclude(person__merged_into=ctx.person)
            .values_list("record_id", "person_id")
        )
        if not earlier:
            continue
        hers = tuple(
            r.pk
            for r in ctx.records
            if aggressor in {x.person_id for x in r.aggressor_parties}  # type: ignore[attr-defined]
        )
        women = tuple(sorted({w for _r, w in earlier}))
        evidence = tuple(sorted(set(hers) | {r for r, _w in earlier}))
        facts = {"aggressor": aggressor, "other_women": len(women)}
        found.append(Finding(f"aggressor:{aggressor}", evidence, facts, women))
    return found


def many_records(ctx: FileContext, p: dict[str, Any]) -> list[Finding]:
    window = ctx.recent(p["days"])
    agencies = {r.agency.code for r in window}
    if len(window) < p["records"] or len(agencies) < p["agencies"]:
        return []
    facts = {"records": len(window), "agencies": len(agencies), "days": p["days"]}
    return [Finding(f"burst:{window[0].pk}", tuple(r.pk for r in window), facts)]


def escalation(ctx: FileContext, p: dict[str, Any]) -> list[Finding]:
    found = []
    for code, wanted in (
        ("escalation_severity", "severity"),
        ("escalation_frequency", "frequency"),
    ):
        indicator = ctx.indicators.get(code)
        if p[wanted] and indicator.present and indicator.evidence:
            last = max(indicator.evidence)
            found.append(Finding(f"{wanted}:{last}", indicator.evidence, {"indicator": code}))
    return found


def dangerous_aggressor(ctx: FileContext, p: dict[str, Any]) -> list[Finding]:
    found = []
    weapons = ctx.indicators.get("weapons")
    if p["weapons"] and weapons.present:
        found.append(Finding("weapons", weapons.evidence, {"indicator": "weapons"}))
    women = ctx.indicators.get("other_women")
    if women.count >= p["other_women"]:
        facts = {"indicator": "other_women", "other_women": women.count}
        found.append(Finding(f"other_women:{women.count}", women.evidence, facts))
    return found


def reassessment_overdue(ctx: FileContext, p: dict[str, Any]) -> list[Finding]:
    at = ctx.now - dt.timedelta(hours=p["grace_hours"])
    due = due_reassessments(at=at).filter(person=ctx.person).first()
    if due is None or due.next_reassessment_due is None:
        return []
    facts = {"due": due.next_reassessment_due.isoformat(), "assessment": due.pk}
    return [Finding(f"assessment:{due.pk}", (), facts)]


def missing_report(ctx: FileContext, p: dict[str, Any]) -> list[Finding]:
    found = []
    for report in (r for r in ctx.records if _details(r).get("event") == "missing_report"):
        since = report.occurred_at - dt.timedelta(days=p["open_file_days"])
        before = [r.pk for r in ctx.records if since <= r.occurred_at < report.occurred_at]
        if before or ctx.level is not None:
            found.append(Finding(f"missing:{report.pk}", (report.pk, *before[-5:]), {}))
    return found


def unanswered_followup(ctx: FileContext, p: dict[str, Any]) -> list[Finding]:
    if not ctx.at_level(p["levels"]):
        return []
    return [
        Finding(f"call:{r.pk}", (r.pk,), _level_facts(ctx))
        for r in ctx.recent(p["within_days"])
        if r.kind.code == "followup_call" and _details(r).get("answered") is False
    ]


RULES: dict[str, Callable[[FileContext, dict[str, Any]], list[Finding]]] = {
    f.__name__: f
    for f in (
        record_at_high_risk,
        order_breach,
        order_expiring,
        aggressor_release,
        persistent_aggressor,
        many_records,
        escalation,
        dangerous_aggressor,
        reassessment_overdue,
        missing_report,
        unanswered_followup,
    )
}
