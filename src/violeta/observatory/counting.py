"""Counting every figure in the database (GROUP BY, COUNT DISTINCT), not in Python.

Gives the same :class:`~violeta.observatory.tables.Tally` as ``tables.tally`` over
``facts.record_facts`` (a test checks they agree), without reading every record into memory:
the refresh's cost then grows with the number of figures, not of records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from violeta.alerts.models import Alert
from violeta.observatory.disclosure import Key
from violeta.observatory.facts import UNKNOWN
from violeta.observatory.tables import ALCALDIA_TABLES, MONTH_TABLES, Tally, equations
from violeta.records.choices import PartyRole
from violeta.records.models import ReportedIdentity

TEXT: CharField[str, str] = CharField()


def _age() -> Case:
    return Case(
        When(age__isnull=True, then=Value(UNKNOWN)),
        When(age__lte=17, then=Value("0_17")),
        When(age__lte=29, then=Value("18_29")),
        When(age__lte=44, then=Value("30_44")),
        When(age__lte=59, then=Value("45_59")),
        default=Value("60_mas"),
        output_field=TEXT,
    )


def _base(start: dt.datetime, until: dt.datetime) -> QuerySet[ReportedIdentity]:
    return ReportedIdentity.objects.filter(
        role=PartyRole.VICTIM, record__occurred_at__gte=start, record__occurred_at__lte=until
    ).annotate(
        who=Coalesce("person__merged_into_id", "person_id"),
        month=TruncMonth("record__occurred_at"),
        place=Coalesce("record__alcaldia__inegi_code", Value(UNKNOWN), output_field=TEXT),
        agency_code=F("record__agency__code"),
        age_group=_age(),
        risk_value=Case(
            When(record__risk_level="", then=Value(UNKNOWN)),
            default=F("record__risk_level"),
            output_field=TEXT,
        ),
    )


def _dimension(qs: QuerySet[ReportedIdentity], dim: str) -> list[QuerySet[ReportedIdentity]]:
    """Querysets with a ``value`` column for ``dim`` (several for the stages)."""
    columns = {"alcaldia": "place", "agency": "agency_code", "risk": "risk_value"}
    if dim in columns:
        return [qs.annotate(value=F(columns[dim]))]
    if dim == "age":
        return [qs.annotate(value=F("age_group"))]
    if dim == "type":
        return [qs.filter(record__violence_types__isnull=False).annotate(
            value=F("record__violence_types__code"))]  # fmt: skip
    if dim == "modality":
        return [qs.filter(record__modalities__isnull=False).annotate(
            value=F("record__modalities__code"))]  # fmt: skip
    carpeta = Q(record__details__has_key="carpeta") & ~Q(record__details__carpeta="")
    carpeta &= ~Q(record__details__carpeta=None)
    return [
        qs.filter(record__kind__code="complaint").annotate(value=Value("report", TEXT)),
        qs.filter(Q(record__kind__code="complaint") & carpeta).annotate(
            value=Value("investigation", TEXT)
        ),
        qs.filter(record__kind__code="protection_order").annotate(
            value=Value("protection_order", TEXT)
        ),
    ]


def _month(value: dt.datetime | dt.date) -> str:
    return value.strftime("%Y-%m")


def _count(
    t: Tally, qs: QuerySet[Any], fields: list[str], key: Callable[[dict[str, Any]], Key]
) -> None:
    grouped = qs.order_by().values(*fields)  # no default ordering in the GROUP BY
    for row in grouped.annotate(n=Count("record_id"), w=Count("who", distinct=True)):
        k = key(row)
        t.records[k] = row["n"]
        t.people[k] = set(range(row["w"]))  # only the number of women is kept


def _margin(dim: str) -> Callable[[dict[str, Any]], Key]:
    return lambda r: (dim, r["value"])


def _month_cell(dim: str) -> Callable[[dict[str, Any]], Key]:
    return lambda r: ("cell", "month", dim, _month(r["month"]), r["value"])


def _place_cell(dim: str) -> Callable[[dict[str, Any]], Key]:
    return lambda r: ("cell", "alcaldia", dim, r["place"], r["value"])


def first_month(until: dt.datetime) -> str:
    """The month of the earliest record or alert up to ``until`` (``until``'s month if none)."""
    found = [timezone.localtime(until)]
    victims = ReportedIdentity.objects.filter(role=PartyRole.VICTIM, record__occurred_at__lte=until)
    for qs, field in ((victims, "record__occurred_at"), (Alert.objects, "created_at")):
        first = qs.filter(**{f"{field}__lte": until}).order_by(field).values_list(field, flat=True)
        found.extend(timezone.localtime(moment) for moment in first[:1])
    return _month(min(found))


def _start(months: list[str]) -> dt.datetime:
    year, month = int(months[0][:4]), int(months[0][5:7])
    return dt.datetime(year, month, 1, tzinfo=timezone.get_current_timezone())


def sql_tally(*, months: list[str], until: dt.datetime) -> Tally:
    """Every figure's records and women over ``months`` (no zeros: see ``touch_all``)."""
    t = records_tally(months=months, until=until)
    found = alerts_tally(months=months, until=until)
    t.records.update(found.records)
    t.people.update(found.people)
    return t


def records_tally(*, months: list[str], until: dt.datetime) -> Tally:
    """The figures of the victims' records (every figure but the alerts')."""
    t = Tally()
    if not months:
        return t
    qs = _base(_start(months), until)
    _count(t, qs.annotate(one=Value("t", TEXT)), ["one"], lambda r: ("total",))
    _count(t, qs, ["month"], lambda r: ("month", _month(r["month"])))
    for dim in MONTH_TABLES:
        for part in _dimension(qs, dim):
            _count(t, part, ["value"], _margin(dim))
            _count(t, part, ["month", "value"], _month_cell(dim))
    for dim in ALCALDIA_TABLES:
        for part in _dimension(qs, dim):
            _count(t, part, ["place", "value"], _place_cell(dim))
    return _within(t, months)


def alerts_tally(*, months: list[str], until: dt.datetime) -> Tally:
    """The figures of the alerts raised (a small table: counted whole at every refresh)."""
    t = Tally()
    if not months:
        return t
    alerts = (
        Alert.objects.filter(created_at__gte=_start(months), created_at__lte=until)
        .annotate(month=TruncMonth("created_at"), who=F("person_id"), record_id=F("pk"))
    )  # fmt: skip
    _count(t, alerts.annotate(one=Value("a", TEXT)), ["one"], lambda r: ("alerts",))
    _count(t, alerts, ["month"], lambda r: ("alerts_month", _month(r["month"])))
    _count(t, alerts, ["level"], lambda r: ("alert_level", r["level"]))
    _count(t, alerts, ["month", "level"],
           lambda r: ("cell", "month", "alert_level", _month(r["month"]), r["level"]))  # fmt: skip
    return _within(t, months)


def _within(t: Tally, months: list[str]) -> Tally:
    wanted = set(months)
    for key in [k for k in t.records if isinstance(k, tuple) and _outside(k, wanted)]:
        del t.records[key], t.people[key]
    return t


def touch_all(t: Tally, months: list[str], categories: Callable[[str], list[str]]) -> None:
    """Add every figure of the tables that counts nothing (zeros are figures too)."""
    for key, _ in equations(months=months, categories=categories):
        t.touch(key)


def _outside(key: tuple[str, ...], months: set[str]) -> bool:
    """A month after ``until``'s month cannot occur; this guards the window's edges."""
    if key[0] in ("month", "alerts_month"):
        return key[1] not in months
    return key[0] == "cell" and key[1] == "month" and key[3] not in months
