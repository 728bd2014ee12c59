"""Aggregate counts for analysts: never an identity, never a narrative."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.db.models.functions import TruncMonth

from violeta.agencies.models import User
from violeta.agencies.roles import Capability
from violeta.catalogs.models import RecordKind, ViolenceType
from violeta.records.choices import PartyRole
from violeta.records.models import AgencyRecord, ReportedIdentity


@dataclass
class Statistics:
    records: int
    women: int
    by_agency: list[tuple[str, int]]
    by_kind: list[tuple[str, int]]
    by_alcaldia: list[tuple[str, int]]
    by_type: list[tuple[str, int]]
    by_month: list[tuple[str, int]]


def statistics_for(*, user: User) -> Statistics:
    if not user.can(Capability.VIEW_STATISTICS):
        raise PermissionDenied
    records = AgencyRecord.objects.all()
    kinds = RecordKind.objects.in_bulk()
    types = ViolenceType.objects.in_bulk()
    by_month = (
        records.annotate(month=TruncMonth("occurred_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("-month")[:24]
    )
    return Statistics(
        records=records.count(),
        women=ReportedIdentity.objects.filter(role=PartyRole.VICTIM)
        .values("person")
        .distinct()
        .count(),
        by_agency=[
            (r["agency__code"], r["n"])
            for r in records.values("agency__code").annotate(n=Count("pk")).order_by("-n")
        ],
        by_kind=[
            (kinds[r["kind"]].label, r["n"])
            for r in records.values("kind").annotate(n=Count("pk")).order_by("-n")
        ],
        by_alcaldia=[
            (r["alcaldia__name"] or "—", r["n"])
            for r in records.values("alcaldia__name").annotate(n=Count("pk")).order_by("-n")
        ],
        by_type=[
            (types[r["violence_types"]].label if r["violence_types"] else "—", r["n"])
            for r in records.values("violence_types").annotate(n=Count("pk")).order_by("-n")
        ],
        by_month=[(r["month"].strftime("%Y-%m"), r["n"]) for r in reversed(list(by_month))],
    )
