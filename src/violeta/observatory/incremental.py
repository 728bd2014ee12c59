"""Counting again only what changed since the last count: the observatory fresh at scale.

A full count (``counting.records_tally``) reads every victim's record: about 45 ``GROUP BY …
COUNT(DISTINCT woman)`` queries, minutes at 10,000,000 records (docs/benchmarks.md). Between two
refreshes a few minutes apart, though, the registers have almost always only *grown*: new
records, of new women or of women counted before. Every figure then changes by exactly what the
women touched since contribute: their facts now minus their facts then, counted over
``facts.facts_of`` of those women alone with ``tables.tally`` (the same rules as the full count;
the tests check both give the same counts). Nothing is estimated.

Anything else (a record corrected, files merged or split, identities re-linked by ``violeta
link``, a record deleted, a record committed late with an id below the last one counted) is
caught by a checksum over the identities counted last time (how many, and whose each one is)
and by the records' ``updated_at``; then every record is counted again, as it is at least every
OBSERVATORY_FULL_COUNT_HOURS. Each count reads one snapshot (REPEATABLE READ on PostgreSQL, the
read transaction on SQLite), so its figures and its checksum describe the same moment.

Written here because nothing maintained does it for us: PostgreSQL's materialised views refresh
whole, and incremental COUNT(DISTINCT) is what streaming databases offer, not a library.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, IntegerField, Max, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Mod
from django.utils import timezone

from violeta.observatory.counting import alerts_tally, records_tally
from violeta.observatory.disclosure import Key
from violeta.observatory.facts import CHUNK, Victims, facts_of
from violeta.observatory.models import CountState
from violeta.observatory.tables import Tally, tally
from violeta.people.models import Person
from violeta.records.choices import PartyRole
from violeta.records.models import AgencyRecord, ReportedIdentity

Counts = dict[Key, tuple[int, int]]  # key -> (records, women)


def fresh_tally(*, months: list[str], until: dt.datetime) -> tuple[Tally, CountState]:
    """Every figure's records and women over ``months`` up to ``until``: the same as
    ``counting.sql_tally``, counting again only the women touched since the last count when
    the registers only grew. Returns the tally and the saved state (``state.how`` says how)."""
    started = time.perf_counter()
    wall = timezone.now()
    state = CountState.objects.order_by("-pk").first()
    with _snapshot():
        mark = _watermark()
        counts: Counts | None = None
        if state is not None and _only_grown(state, months, until, wall):
            counts = _grown(state, months, until, mark)
        how = CountState.How.DELTA if counts is not None else CountState.How.FULL
        if counts is None or state is None:
            counts, checksum = _as_counts(records_tally(months=months, until=until)), None
        else:
            checksum = _add(state.checksum, _checksum(low=state.watermark, high=mark))
        checksum = checksum or _checksum(low=0, high=mark)
        alerts = alerts_tally(months=months, until=until)
    full_at = wall if how == CountState.How.FULL or state is None else state.full_at
    saved, _ = CountState.objects.update_or_create(
        pk=1,
        defaults={
            "first_month": months[0] if months else "",
            "until": until,
            "counted_at": wall,
            "full_at": full_at,
            "how": how,
            "watermark": mark,
            "checksum": checksum,
            "counts": [[list(key), r, w] for key, (r, w) in counts.items()],  # type: ignore[call-overload]
            "seconds": time.perf_counter() - started,
        },
    )
    return _as_tally(counts, alerts), saved


@contextmanager
def _snapshot() -> Iterator[None]:
    """One consistent read of the registers for the whole count."""
    outer = connection.in_atomic_block
    with transaction.atomic():
        if not outer and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def _victims() -> QuerySet[ReportedIdentity]:
    return ReportedIdentity.objects.filter(role=PartyRole.VICTIM)


def _who() -> Coalesce:
    """A victim identity's woman: her file, past merges."""
    return Coalesce("person__merged_into_id", "person_id", output_field=IntegerField())


def _watermark() -> int:
    return int(_victims().aggregate(m=Max("pk"))["m"] or 0)


def _checksum(*, low: int, high: int) -> list[int]:
    """How many victim identities have ids in (low, high], and two sums of their ids and their
    women's: a merge, a split, a re-link or a deletion changes them."""
    found = (
        _victims()
        .filter(pk__gt=low, pk__lte=high)
        .aggregate(
            n=Count("pk"),
            a=Sum(Mod(F("pk"), Value(65521)) * Mod(_who(), Value(65521))),
            b=Sum(Mod(_who(), Value(999983))),
        )
    )
    return [int(found["n"] or 0), int(found["a"] or 0), int(found["b"] or 0)]


def _add(one: list[int], other: list[int]) -> list[int]:
    return [a + b for a, b in zip(one, other, strict=True)]


def _only_grown(
    state: CountState, months: list[str], until: dt.datetime, wall: dt.datetime
) -> bool:
    """Whether the registers only grew since ``state`` was counted (and it may be built on)."""
    if not months or state.first_month != months[0] or until < state.until:
        return False
    if wall - state.full_at > dt.timedelta(hours=settings.OBSERVATORY_FULL_COUNT_HOURS):
        return False
    changed = AgencyRecord.objects.filter(
        updated_at__gt=state.counted_at, registered_at__lte=state.counted_at
    )
    if changed.exists():
        return False
    return _checksum(low=0, high=state.watermark) == list(state.checksum)


def _grown(state: CountState, months: list[str], until: dt.datetime, mark: int) -> Counts | None:
    """``state``'s counts plus what the women touched since add (None: too many to be worth
    it, or something did not add up: count everything)."""
    limit = settings.OBSERVATORY_DELTA_MAX_WOMEN
    new = _victims().filter(pk__gt=state.watermark, pk__lte=mark)
    late = _victims().filter(
        pk__lte=state.watermark, record__occurred_at__gt=state.until, record__occurred_at__lte=until
    )  # counted before, but they had not happened yet by then's "until"
    touched: set[int] = set()
    for rows in (new, late):
        touched |= set(rows.annotate(who=_who()).values_list("who", flat=True)[: limit + 1])
    if len(touched) > limit:
        return None
    counts: Counts = {tuple(key): (r, w) for key, r, w in state.counts}
    if not touched:
        return counts
    now, then = _their_records(touched, state, until, mark)
    after = tally(facts_of(now, until=until).values(), [], months=months, categories=_none)
    before = tally(facts_of(then, until=state.until).values(), [], months=months, categories=_none)
    for key in set(after.records) | set(before.records):
        records = after.records.get(key, 0) - before.records.get(key, 0)
        women = len(after.people.get(key, ())) - len(before.people.get(key, ()))
        if records or women:
            old = counts.get(key, (0, 0))
            counts[key] = (old[0] + records, old[1] + women)
            if min(counts[key]) < 0:
                return None
    return counts


def _none(dimension: str) -> list[str]:
    return []


def _their_records(
    women: set[int], state: CountState, until: dt.datetime, mark: int
) -> tuple[Victims, Victims]:
    """Every victim record of these women (under any of their merged files): as they are now,
    and as they were at ``state``'s count."""
    ids = sorted(women)
    persons: list[int] = []
    for n in range(0, len(ids), CHUNK):
        chunk = ids[n : n + CHUNK]
        found = Person.objects.filter(Q(pk__in=chunk) | Q(merged_into_id__in=chunk))
        persons += found.values_list("pk", flat=True)
    now: Victims = {}
    then: Victims = {}
    for n in range(0, len(persons), CHUNK):
        rows = _victims().filter(person_id__in=persons[n : n + CHUNK], pk__lte=mark)
        for pk, record, person, merged, age, occurred in rows.values_list(
            "pk", "record_id", "person_id", "person__merged_into_id", "age", "record__occurred_at"
        ):
            if occurred <= until:
                now[record] = (merged or person, age)
            if pk <= state.watermark and occurred <= state.until:
                then[record] = (merged or person, age)
    return now, then


def _as_counts(t: Tally) -> Counts:
    return {key: (t.records[key], len(t.people[key])) for key in t.records}


def _as_tally(counts: Counts, alerts: Tally) -> Tally:
    t = Tally()
    for key, (records, women) in counts.items():
        t.records[key] = records
        t.people[key] = set(range(women))  # only the number of women is kept
    t.records.update(alerts.records)
    t.people.update(alerts.people)
    return t
