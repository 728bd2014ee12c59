"""Events an agency registers that early-warning rules read (``AgencyRecord.details``).

The convention, shared by the intake mappings, the generator and the alerts:

* ``details["event"]``: one of :data:`EVENT_CODES`, only on the record kinds of
  :data:`EVENT_KINDS` (a breach: a police intervention or a complaint; the aggressor's release or
  leave: a prosecutor's notice, ``justice_event``; a missing-woman report: a 911 call or a
  prosecutor's notice).
* ``details["order_valid_from"]``, ``details["order_valid_until"]`` (ISO dates) and
  ``details["order_measures"]`` (codes of :data:`ORDER_MEASURES`) on protection orders.
* ``details["answered"]`` (true/false) on follow-up calls.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

ORDER_BREACH = "order_breach"
AGGRESSOR_RELEASE = "aggressor_release"
AGGRESSOR_LEAVE = "aggressor_leave"
MISSING_REPORT = "missing_report"
EVENT_CODES = (ORDER_BREACH, AGGRESSOR_RELEASE, AGGRESSOR_LEAVE, MISSING_REPORT)
EVENT_LABELS = {
    ORDER_BREACH: gettext_lazy("Breach of a protection order"),
    AGGRESSOR_RELEASE: gettext_lazy("Aggressor released"),
    AGGRESSOR_LEAVE: gettext_lazy("Aggressor on leave from prison"),
    MISSING_REPORT: gettext_lazy("Missing-woman report"),
}
EVENT_KINDS = {
    ORDER_BREACH: frozenset({"police_intervention", "complaint"}),
    AGGRESSOR_RELEASE: frozenset({"justice_event"}),
    AGGRESSOR_LEAVE: frozenset({"justice_event"}),
    MISSING_REPORT: frozenset({"emergency_call", "justice_event"}),
}
EVENT_RECORD_KINDS = frozenset().union(*EVENT_KINDS.values())
ORDER_MEASURES = (
    "no_acercarse",
    "no_comunicarse",
    "salida_domicilio",
    "vigilancia_policial",
    "entrega_armas",
    "refugio",
)
ORDER_MAX_DAYS = 90  # LGAMVLV: up to 60 days, extendable by 30


def is_breach(details: Any) -> bool:
    """Whether a record's details say it is a breach of a protection order: the event, or the
    flag ``order_breach: true`` some agencies' systems send (read the same everywhere)."""
    if not isinstance(details, dict):
        return False
    return details.get("event") == ORDER_BREACH or details.get("order_breach") is True


def details_problems(kind: str, details: dict[str, Any]) -> list[tuple[str, str]]:
    """What is wrong with the event fields of a record's details: (field, message) pairs."""
    problems: list[tuple[str, str]] = []
    event = details.get("event")
    if event is not None:
        if event not in EVENT_CODES:
            problems.append(("details.event", _("Unknown event «%(value)s».") % {"value": event}))
        elif kind not in EVENT_KINDS[event]:
            message = _("A record of the kind «%(kind)s» cannot carry the event «%(event)s».")
            problems.append(("details.event", message % {"kind": kind, "event": event}))
    if "answered" in details and not isinstance(details["answered"], bool):
        problems.append(("details.answered", _("Answered must be true or false.")))
    measures = details.get("order_measures")
    if measures is not None and (
        not isinstance(measures, list) or any(m not in ORDER_MEASURES for m in measures)
    ):
        problems.append(("details.order_measures", _("Unknown protection measure.")))
    start, end = details.get("order_valid_from"), details.get("order_valid_until")
    for name, value in (("order_valid_from", start), ("order_valid_until", end)):
        if value is not None and _iso_date(value) is None:
            message = _("Not a date (YYYY-MM-DD): «%(value)s».") % {"value": value}
            problems.append((f"details.{name}", message))
    first, last = _iso_date(start), _iso_date(end)
    if first and last and not 0 <= (last - first).days <= ORDER_MAX_DAYS:
        message = _("A protection order is valid from 0 to %(days)s days.")
        problems.append(("details.order_valid_until", message % {"days": ORDER_MAX_DAYS}))
    return problems


def _iso_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None
