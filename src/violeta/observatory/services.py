"""Computing a release: read the registers once, count, protect, swap in one transaction.

Two modes (docs/observatory.md): "k" (default) publishes exact counts with k-thresholding,
complementary suppression and the rule across releases (a figure's value changes only by
nothing or by at least k, else it is *held* at its earlier value); "dp" (when
OBSERVATORY_DP_EPSILON is set) publishes OpenDP-noised counts, thresholded at k."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from violeta.agencies.models import Agency
from violeta.alerts.choices import Level
from violeta.catalogs.models import Alcaldia, Modality, ViolenceType
from violeta.observatory import across, disclosure, privacy
from violeta.observatory.counting import first_month, touch_all
from violeta.observatory.disclosure import Equation, Key
from violeta.observatory.facts import AGE_GROUPS, STAGES, UNKNOWN, alert_facts, record_facts
from violeta.observatory.incremental import fresh_tally
from violeta.observatory.models import Figure, Mode, PublishedValue, Release, ReleaseCounts
from violeta.observatory.tables import Tally, equation_list, key_text, month_range, tally
from violeta.records.choices import RiskLevel

Shown = dict[str, tuple[int | None, int | None]]
logger = logging.getLogger(__name__)


def catalog_categories(seen: dict[str, set[str]]) -> Callable[[str], list[str]]:
    """Every category of every dimension: the catalog's, then any other value the data has."""
    base = {
        "alcaldia": [*Alcaldia.objects.order_by("inegi_code").values_list("inegi_code", flat=True),
                     UNKNOWN],
        "age": list(AGE_GROUPS),
        "agency": list(Agency.objects.order_by("code").values_list("code", flat=True)),
        "risk": [*RiskLevel.values, UNKNOWN],
        "type": list(ViolenceType.objects.values_list("code", flat=True)),
        "modality": list(Modality.objects.values_list("code", flat=True)),
        "stage": list(STAGES),
        "alert_level": list(Level.values),
    }  # fmt: skip
    for dim, values in seen.items():
        if dim in base:
            base[dim] += sorted(values - set(base[dim]))
    return lambda dim: base[dim]


def _seen(counts: Tally) -> dict[str, set[str]]:
    seen: dict[str, set[str]] = {}
    for key in counts.records:
        if isinstance(key, tuple) and len(key) == 2 and key[0] not in ("month", "alerts_month"):
            seen.setdefault(key[0], set()).add(key[1])
    return seen


def _epsilon(value: float | str | None) -> float | None:
    if value is None:
        value = settings.OBSERVATORY_DP_EPSILON
    if value in ("", None):
        return None
    epsilon = float(value)
    if not epsilon > 0:
        raise ValueError("the DP epsilon must be a positive number")
    return epsilon


@dataclass
class Outcome:
    shown: Shown
    hidden: int
    held: int
    known: dict[str, tuple[int, int]]  # exact values published as current (mode k)
    noise_scale: float | None = None
    max_records: int | None = None
    counts: dict[str, tuple[int, int]] | None = None  # every figure's exact value (mode k)


def history() -> dict[str, list[tuple[int, int, int]]]:
    """Every exact value each figure was published with: key -> [(records, women, last release)]."""
    found: dict[str, list[tuple[int, int, int]]] = {}
    for key, records, women, last in PublishedValue.objects.values_list(
        "key", "records", "women", "last_release_id"
    ).iterator():
        found.setdefault(key, []).append((records, women, last))
    return found


def _values(earlier: dict[str, list[tuple[int, int, int]]], key: Key) -> list[tuple[int, int]]:
    return [(records, women) for records, women, _ in earlier.get(key_text(key), [])]


def protect_k(
    records: Mapping[Key, int],
    women: Mapping[Key, int],
    equations: list[Equation],
    k: int,
    earlier: dict[str, list[tuple[int, int, int]]],
    previous: across.Previous | None = None,
) -> Outcome:
    """Mode k. A figure whose exact value is too close to one it had in an earlier release
    (``disclosure.too_close``) is *held*: it shows its latest earlier value, and for this
    release it counts as hidden, so complementary suppression protects it like any hidden
    figure (its current value, hence its small change, cannot be worked out by subtraction).
    Then, against the ``previous`` release, the attacker who assumes records were only added
    (``across``): while she pins a figure down, one more is held or hidden near it. Holding
    more figures can only add complements, never new conflicts, so this ends."""
    held: set[Key] = set()
    fixed = across.unchanged(previous, records, women) if previous else set()
    by_key = disclosure.index_by_key(equations)
    while True:
        hidden = disclosure.suppress(
            records=records, people=women, equations=equations, k=k, forced=held, fixed=fixed
        )
        more = {
            key
            for key in records
            if key not in hidden
            and disclosure.too_close((records[key], women[key]), _values(earlier, key), k)
        }
        if not more and previous is not None:
            current = set(records) - hidden
            found = _across(previous, current, fixed, records, women, equations, by_key, k)
            if found is None:  # exposed, nothing near it to hide: hold every changed figure,
                found = current - fixed  # so that nothing current is new to her
            more = found - held
        if not more:
            break
        held |= more
    small = disclosure.primary(women, k)
    shown: Shown = {}
    known: dict[str, tuple[int, int]] = {}
    kept = 0
    for key in records:
        text = key_text(key)
        if key in held and key not in small and text in earlier:
            latest = max(earlier[text], key=lambda value: value[2])
            shown[text] = (latest[0], latest[1])
            kept += 1
        elif key in hidden:
            shown[text] = (None, None)
        else:
            shown[text] = known[text] = (records[key], women[key])
    counts = {key_text(key): (records[key], women[key]) for key in records}
    return Outcome(shown=shown, hidden=len(hidden) - kept, held=kept, known=known, counts=counts)


def _across(
    previous: across.Previous,
    shown: set[Key],
    fixed: set[Key],
    records: Mapping[Key, int],
    women: Mapping[Key, int],
    equations: list[Equation],
    by_key: dict[Key, list[Equation]],
    k: int,
) -> set[Key] | None:
    """One more figure to hold or hide near each one the two releases together expose: the
    exposed figure itself when it is shown, else the smallest shown figure sharing an equation
    with it (or, failing that, with the hidden figures linked to it), never one whose value
    is known anyway from the previous release (``fixed``). ``None`` when something is exposed
    and no such figure exists."""
    exposed = across.exposed(
        previous, shown=shown, records=records, women=women, equations=equations, k=k
    )
    added: set[Key] = set()
    for key in sorted(exposed, key=repr):
        if key in shown and key not in fixed:
            added.add(key)
            continue
        seen, queue, near = {key}, [key], set[Key]()
        while queue and not near:  # widen through hidden figures until a candidate shows up
            step = {o for q in queue for e in by_key.get(q, []) for o in e.keys} - seen
            seen |= step
            near = (step & shown) - fixed
            queue = [o for o in step if o not in shown]
        if near & added:
            continue
        if near:
            added.add(min(near, key=lambda o: (records.get(o, 0), repr(o))))
    if exposed and not added:
        logger.warning("observatory: %d figures exposed across releases and none near them left "
                       "to hide: every changed figure is held this time", len(exposed))  # fmt: skip
        return None
    return added


def protect_dp(
    counts: Tally, k: int, epsilon: float, max_records: int, sizes: dict[str, int]
) -> Outcome:
    """Mode dp: noise every figure (records and women), clamp, then k on the noisy women."""
    scale = privacy.sensitivity(max_records, sizes) / epsilon
    records, women = privacy.noisy(counts.records, counts.women(), scale=scale)
    shown: Shown = {}
    hidden = 0
    for key in counts.records:
        if women[key] < k:
            shown[key_text(key)] = (None, None)
            hidden += 1
        else:
            shown[key_text(key)] = (records[key], women[key])
    return Outcome(shown, hidden, 0, {}, noise_scale=scale, max_records=max_records)


def _dp_counts(
    months: list[str], now: dt.datetime, max_records: int
) -> tuple[Tally, Callable[[str], list[str]]]:
    """Counted in Python: the contribution bound needs each woman's records together."""
    wanted = set(months)
    facts = privacy.bound([f for f in record_facts(until=now) if f.month in wanted], max_records)
    alerts = privacy.bound([a for a in alert_facts(until=now) if a.month in wanted], max_records)
    seen: dict[str, set[str]] = {}
    for fact in facts:
        for dim in ("alcaldia", "age", "agency", "risk"):
            seen.setdefault(dim, set()).add(getattr(fact, dim))
        seen.setdefault("type", set()).update(fact.types)
        seen.setdefault("modality", set()).update(fact.modalities)
    categories = catalog_categories(seen)
    return tally(facts, alerts, months=months, categories=categories), categories


def observatory_refresh(
    *,
    k: int | None = None,
    since: str | None = None,
    now: dt.datetime | None = None,
    epsilon: float | str | None = None,
) -> Release:
    """Recompute every figure from the registers and publish it as the current release (or
    keep the current one when nothing published would change). ``since`` (YYYY-MM, default
    OBSERVATORY_FIRST_MONTH) is the first month published; ``epsilon`` (default
    OBSERVATORY_DP_EPSILON; empty: mode k) switches on differential privacy."""
    started = time.perf_counter()
    k = settings.OBSERVATORY_K if k is None else k
    eps = _epsilon(epsilon)
    since = settings.OBSERVATORY_FIRST_MONTH if since is None else since
    now = now or timezone.now()
    current = Release.objects.filter(is_current=True).first()
    if eps and current and current.mode == Mode.DP and current.epsilon == eps:
        every = dt.timedelta(hours=settings.OBSERVATORY_DP_EVERY_HOURS)
        if now - current.created_at < every:  # each noisy release spends epsilon again
            return _checked(current, now)
    last = timezone.localtime(now).strftime("%Y-%m")
    first = first_month(now)
    first = max(first, since) if since else first
    months = month_range(first, last)
    if eps:
        max_records = settings.OBSERVATORY_DP_MAX_RECORDS
        counts, categories = _dp_counts(months, now, max_records)
        touch_all(counts, months, categories)
        sizes = privacy.multi_sizes(len(categories("type")), len(categories("modality")))
        outcome = protect_dp(counts, k, eps, max_records, sizes)
    else:
        counts, _state = fresh_tally(months=months, until=now)
        categories = catalog_categories(_seen(counts))
        touch_all(counts, months, categories)
        outcome = protect_k(
            counts.records, counts.women(), equation_list(months, categories), k, history(),
            previous=_previous(current, counts.records, categories),
        )  # fmt: skip
    mode = Mode.DP if eps else Mode.K
    if current and _same(current, outcome.shown, k, mode, eps, first, last):
        return _checked(current, now)
    return _publish(outcome, k=k, mode=mode, eps=eps, first=first, last=last, now=now,
                    seconds=time.perf_counter() - started)  # fmt: skip


def _previous(
    release: Release | None, records: Mapping[Key, int], categories: Callable[[str], list[str]]
) -> across.Previous | None:
    """What the current release published as the attacker keeps it (mode k only: noisy
    values cannot be subtracted exactly)."""
    if release is None or release.mode != Mode.K:
        return None
    by_text = {key_text(key): key for key in records}
    keys = frozenset(
        by_text[text] for text in release.figures.values_list("key", flat=True) if text in by_text
    )
    current = {
        by_text[text]: (r, w)
        for text, r, w in PublishedValue.objects.filter(last_release=release).values_list(
            "key", "records", "women"
        )
        if text in by_text
    }
    months = month_range(release.first_month, release.last_month)
    equations = [e for e in equation_list(months, categories) if all(key in keys for key in e.keys)]
    truth = {
        by_text[text]: (r, w)
        for text, (r, w) in (
            ReleaseCounts.objects.filter(release=release).values_list("counts", flat=True).first()
            or {}
        ).items()
        if text in by_text
    }
    return across.Previous(keys=keys, current=current, equations=equations, counts=truth)


def _checked(release: Release, now: dt.datetime) -> Release:
    release.checked_at = now
    release.save(update_fields=["checked_at"])
    return release


def _same(
    release: Release, shown: Shown, k: int, mode: str, eps: float | None, first: str, last: str
) -> bool:
    if (release.k, release.mode, release.epsilon, release.first_month, release.last_month) != (
        k, mode, eps, first, last):  # fmt: skip
        return False
    if mode == Mode.DP:
        return False
    stored = {
        key: (records, women)
        for key, records, women in release.figures.values_list("key", "records", "women")
    }
    return stored == shown


def _publish(
    outcome: Outcome, *, k: int, mode: str, eps: float | None, first: str, last: str,
    now: dt.datetime, seconds: float,
) -> Release:  # fmt: skip
    with transaction.atomic():
        release = Release.objects.create(
            k=k, first_month=first, last_month=last, suppressed=outcome.hidden,
            held=outcome.held, seconds=seconds, mode=mode, epsilon=eps, checked_at=now,
            max_records=outcome.max_records, noise_scale=outcome.noise_scale,
        )  # fmt: skip
        if outcome.counts is not None:
            ReleaseCounts.objects.create(release=release, counts=outcome.counts)
        Figure.objects.bulk_create(
            [Figure(release=release, key=key, records=r, women=w)
             for key, (r, w) in outcome.shown.items()],
            batch_size=2000,
        )  # fmt: skip
        PublishedValue.objects.bulk_create(
            [PublishedValue(key=key, records=r, women=w, first_release=release,
                            last_release=release) for key, (r, w) in outcome.known.items()],
            batch_size=2000, update_conflicts=True, unique_fields=["key", "records", "women"],
            update_fields=["last_release"],
        )  # fmt: skip
        # Keep the release being replaced: a page that started reading it still finds it.
        # Older releases keep their metadata (the public history), not their figures.
        previous = list(Release.objects.filter(is_current=True).values_list("pk", flat=True))
        Figure.objects.exclude(release__in=[release.pk, *previous]).delete()
        ReleaseCounts.objects.exclude(release__in=[release.pk, *previous]).delete()
        Release.objects.filter(pk__in=previous).update(is_current=False)
        release.is_current = True
        release.save(update_fields=["is_current"])
    return release


@dataclass
class Budget:
    per_release: float | None
    this_month: float
    since_first: float
    releases: int
    dp_releases: int


def budget(release: Release) -> Budget:
    """The privacy budget spent so far: by this release, by the releases of its calendar
    month, and by every release since the first (basic composition: epsilons add up)."""
    month_start = timezone.localtime(release.created_at).replace(
        day=1, hour=0, minute=0, second=0, microsecond=0
    )
    upto = Release.objects.filter(created_at__lte=release.created_at)
    month = upto.filter(created_at__gte=month_start).aggregate(s=Sum("epsilon"))["s"]
    total = upto.aggregate(s=Sum("epsilon"))
    return Budget(
        per_release=release.epsilon,
        this_month=month or 0.0,
        since_first=total["s"] or 0.0,
        releases=upto.count(),
        dp_releases=upto.filter(mode=Mode.DP).count(),
    )
