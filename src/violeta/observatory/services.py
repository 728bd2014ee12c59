"""Computing a release: read the registers once, count, suppress, swap in one transaction."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from violeta.agencies.models import Agency
from violeta.alerts.choices import Level
from violeta.catalogs.models import Alcaldia, Modality, ViolenceType
from violeta.observatory import disclosure
from violeta.observatory.counting import first_month, sql_tally, touch_all
from violeta.observatory.facts import AGE_GROUPS, STAGES, UNKNOWN
from violeta.observatory.models import Figure, Release
from violeta.observatory.tables import equation_list, key_text, month_range
from violeta.records.choices import RiskLevel


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


def observatory_refresh(
    *, k: int | None = None, since: str | None = None, now: dt.datetime | None = None
) -> Release:
    """Rebuild every published figure from the registers and make it the current release.
    ``since`` (YYYY-MM, default OBSERVATORY_FIRST_MONTH) is the first month published."""
    started = time.perf_counter()
    k = settings.OBSERVATORY_K if k is None else k
    since = settings.OBSERVATORY_FIRST_MONTH if since is None else since
    now = now or timezone.now()
    last = timezone.localtime(now).strftime("%Y-%m")
    first = first_month(now)
    first = max(first, since) if since else first
    months = month_range(first, last)
    counts = sql_tally(months=months, until=now)
    seen: dict[str, set[str]] = {}
    for key in counts.records:
        if isinstance(key, tuple) and len(key) == 2 and key[0] not in ("month", "alerts_month"):
            seen.setdefault(key[0], set()).add(key[1])
    categories = catalog_categories(seen)
    touch_all(counts, months, categories)
    women = counts.women()
    hidden = disclosure.suppress(
        records=counts.records,
        people=women,
        equations=equation_list(months, categories),
        k=k,
    )
    figures = [
        Figure(
            key=key_text(key),
            records=None if key in hidden else counts.records[key],
            women=None if key in hidden else women[key],
        )
        for key in counts.records
    ]
    with transaction.atomic():
        release = Release.objects.create(
            k=k, first_month=first, last_month=last, suppressed=len(hidden),
            seconds=time.perf_counter() - started,
        )  # fmt: skip
        for figure in figures:
            figure.release = release
        Figure.objects.bulk_create(figures, batch_size=2000)
        # Keep the release being replaced: a page that started reading it still finds it.
        previous = Release.objects.filter(is_current=True).values_list("pk", flat=True)
        Release.objects.exclude(pk__in=[release.pk, *previous]).delete()
        Release.objects.filter(pk__in=list(previous)).update(is_current=False)
        release.is_current = True
        release.save(update_fields=["is_current"])
    return release
