"""Which incident each protection order belongs to, for the national registry's rows.

Each order record is linked to at most one incident:

1. **By the carpeta de investigación**: an order that names a carpeta (``details.carpeta``, as
   the prosecutor's file carries it) belongs to a complaint of the same agency with the same
   carpeta: the latest one at or before the order, else the earliest. This holds even when
   linkage has not (yet) put the order and the complaint in the same woman's file.
2. **Otherwise by time**: the latest incident of the same woman at or before the order and at
   most :data:`ORDER_LINK_DAYS` days earlier (an order follows the complaint of that night);
   among those, one naming the same (linked) aggressor comes first.

An order with neither is in no row. The incident may lie outside the period being exported.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Prefetch

from violeta.records.choices import PartyRole
from violeta.records.models import AgencyRecord, ReportedIdentity
from violeta.risk.indicators import INCIDENT_KINDS, ORDER_KIND

ORDER_LINK_DAYS = 30
COMPLAINT = "complaint"
ORDER_ONLY = ("id", "agency_id", "occurred_at", "details")

Linked = dict[int, list[AgencyRecord]]


def _carpeta(details: Any) -> str:
    value = details.get("carpeta") if isinstance(details, dict) else None
    return value.strip() if isinstance(value, str) else ""


def _pick(order: AgencyRecord, complaints: list[tuple[dt.datetime, int]]) -> int:
    before = [c for c in complaints if c[0] <= order.occurred_at]
    return max(before)[1] if before else min(complaints)[1]


def _by_carpeta(records: list[AgencyRecord], linked: Linked) -> set[int]:
    """Link orders sharing a carpeta with complaints of ``records``; return every order id that
    has a complaint with its carpeta (linked here or to an incident of another batch)."""
    keys = {(r.agency_id, _carpeta(r.details)) for r in records if r.kind.code == COMPLAINT}
    carpetas = sorted({c for _a, c in keys if c})
    if not carpetas:
        return set()
    orders = list(
        AgencyRecord.objects.filter(kind__code=ORDER_KIND, details__carpeta__in=carpetas)
        .only(*ORDER_ONLY)
        .order_by("occurred_at", "pk")
    )
    complaints: dict[tuple[int, str], list[tuple[dt.datetime, int]]] = defaultdict(list)
    rows = AgencyRecord.objects.filter(kind__code=COMPLAINT, details__carpeta__in=carpetas)
    for pk, agency, when, details in rows.values_list("pk", "agency_id", "occurred_at", "details"):
        complaints[(agency, _carpeta(details))].append((when, pk))
    here = {r.pk for r in records}
    settled: set[int] = set()
    for order in orders:
        found = complaints.get((order.agency_id, _carpeta(order.details)))
        if not found:
            continue
        settled.add(order.pk)
        chosen = _pick(order, found)
        if chosen in here:
            linked[chosen].append(order)
    return settled


def _by_time(records: list[AgencyRecord], linked: Linked, settled: set[int]) -> None:
    women = {p.person_id for r in records for p in r.victims}  # type: ignore[attr-defined]
    if not women:
        return
    window = dt.timedelta(days=ORDER_LINK_DAYS)
    parties = ReportedIdentity.objects.only("id", "record_id", "person_id", "role")
    orders = [
        order
        for order in AgencyRecord.objects.filter(
            kind__code=ORDER_KIND,
            parties__role=PartyRole.VICTIM,
            parties__person__in=women,
            occurred_at__gte=min(r.occurred_at for r in records),
            occurred_at__lte=max(r.occurred_at for r in records) + window,
        )
        .only(*ORDER_ONLY)
        .prefetch_related(Prefetch("parties", parties))
        .order_by("occurred_at", "pk")
        .distinct()
        if order.pk not in settled
    ]
    with_complaint = _carpetas_with_complaint(orders)
    orders = [o for o in orders if (o.agency_id, _carpeta(o.details)) not in with_complaint]
    if not orders:
        return
    # Every incident of these women that an order could follow (also outside the period).
    candidates: dict[int, list[tuple[dt.datetime, int, int | None]]] = defaultdict(list)
    found = list(
        ReportedIdentity.objects.filter(
            role=PartyRole.VICTIM,
            person__in=women,
            record__kind__code__in=INCIDENT_KINDS,
            record__occurred_at__range=(orders[0].occurred_at - window, orders[-1].occurred_at),
        ).values_list("record_id", "record__occurred_at", "person_id")
    )
    aggressor_of: dict[int, int | None] = dict(
        ReportedIdentity.objects.filter(
            role=PartyRole.AGGRESSOR, record_id__in=[row[0] for row in found]
        ).values_list("record_id", "person_id")
    )
    for record_id, when, woman in found:
        candidates[woman].append((when, record_id, aggressor_of.get(record_id)))
    here = {r.pk for r in records}
    for order in orders:
        roles = {p.role: p.person_id for p in order.parties.all()}
        hers, aggressor = roles.get(PartyRole.VICTIM.value), roles.get(PartyRole.AGGRESSOR.value)
        fits = [
            (aggressor is not None and aggressor == theirs, when, pk)
            for when, pk, theirs in candidates.get(hers or 0, [])
            if order.occurred_at - window <= when <= order.occurred_at
        ]
        if fits:  # the same aggressor's incident first, then the latest
            chosen = max(fits)[2]
            if chosen in here:
                linked[chosen].append(order)


def _carpetas_with_complaint(orders: list[AgencyRecord]) -> set[tuple[int, str]]:
    """(agency, carpeta) of ``orders`` that name a complaint: rule 1 links those, maybe to an
    incident of another batch, so rule 2 must not link them again."""
    carpetas = sorted({c for o in orders if (c := _carpeta(o.details))})
    if not carpetas:
        return set()
    rows = AgencyRecord.objects.filter(kind__code=COMPLAINT, details__carpeta__in=carpetas)
    return {(agency, _carpeta(d)) for agency, d in rows.values_list("agency_id", "details")}


def orders_for(records: list[AgencyRecord]) -> Linked:
    """The orders linked to each of ``records`` (incidents with their victims prefetched)."""
    linked: Linked = defaultdict(list)
    settled = _by_carpeta(records, linked)
    _by_time(records, linked, settled)
    return linked
