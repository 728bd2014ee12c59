"""A period of days [from, to] for the national registry's export, and reading one from text."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

MAX_PERIOD_DAYS = 366 * 5


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """From the first instant of ``start`` to the first of the day after ``end``, local."""
        zone = ZoneInfo(settings.TIME_ZONE)
        first = dt.datetime.combine(self.start, dt.time.min, tzinfo=zone)
        after = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        return first, after


def _date(text: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        message = _("%(field)s: «%(value)s» is not a date (YYYY-MM-DD).")
        raise ValidationError(message % {"field": field, "value": text}) from None


def period_parse(start: str, end: str, *, today: dt.date | None = None) -> Period:
    """The period from ``start`` to ``end`` (ISO dates), or a ValidationError saying what is
    wrong and in which field: not a date, ``from`` after ``to``, in the future, too long."""
    today = today or timezone.localdate()
    first, last = _date(start, _("First day")), _date(end, _("Last day"))
    return period_check(first, last, today=today)


def period_check(first: dt.date, last: dt.date, *, today: dt.date | None = None) -> Period:
    today = today or timezone.localdate()
    if first > last:
        message = _("The first day (%(start)s) is after the last day (%(end)s).")
        raise ValidationError(message % {"start": first.isoformat(), "end": last.isoformat()})
    if last > today:
        message = _(
            "The last day (%(end)s) is in the future; the latest possible is today (%(today)s)."
        )
        raise ValidationError(message % {"end": last.isoformat(), "today": today.isoformat()})
    if (last - first).days + 1 > MAX_PERIOD_DAYS:
        message = _("The period is longer than %(days)s days; split it.")
        raise ValidationError(message % {"days": MAX_PERIOD_DAYS})
    return Period(first, last)
