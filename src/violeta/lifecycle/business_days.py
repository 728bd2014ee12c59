"""Business days (días hábiles) for the answer to an ARCO request.

The law gives the body 20 business days from the day after the request is received to answer
it. Business days here: Monday to Friday, less the federal rest days of the Ley Federal del
Trabajo (Art. 74) and any day an administrator lists as non-working (the transparency unit's
published calendar, :class:`~violeta.lifecycle.models.NonWorkingDay`). Written here because
the well-kept calendar libraries (``holidays``) are not a dependency of Violeta, and Art. 74's
list is short and fixed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

ANSWER_DAYS = 20


def _nth_monday(year: int, month: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    offset = (7 - first.weekday()) % 7  # days to the first Monday
    return first + dt.timedelta(days=offset + 7 * (n - 1))


def federal_rest_days(year: int) -> set[dt.date]:
    """Art. 74 LFT: 1 January, first Monday of February, third Monday of March, 1 May,
    16 September, third Monday of November, 25 December, and 1 October every six years when
    the federal executive changes (2024, 2030, …)."""
    days = {
        dt.date(year, 1, 1),
        _nth_monday(year, 2, 1),
        _nth_monday(year, 3, 3),
        dt.date(year, 5, 1),
        dt.date(year, 9, 16),
        _nth_monday(year, 11, 3),
        dt.date(year, 12, 25),
    }
    if year >= 2024 and (year - 2024) % 6 == 0:
        days.add(dt.date(year, 10, 1))
    return days


def is_business_day(day: dt.date, extra: set[dt.date] | frozenset[dt.date] = frozenset()) -> bool:
    return day.weekday() < 5 and day not in federal_rest_days(day.year) and day not in extra


def add_business_days(start: dt.date, days: int, *, non_working: Iterable[dt.date] = ()) -> dt.date:
    """The ``days``-th business day after ``start`` (counting starts the day after)."""
    extra = set(non_working)
    day, counted = start, 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_business_day(day, extra):
            counted += 1
    return day
