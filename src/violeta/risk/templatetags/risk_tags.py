"""The risk level where other modules show a woman: her file, search results and lists."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from violeta.people.models import Person
from violeta.risk import selectors
from violeta.risk.access import may_assess
from violeta.risk.selectors import CurrentLevel

register = template.Library()


def _badge(level: CurrentLevel) -> SafeString:
    title = _("Final level of the assessment of %(date)s (%(agency)s, %(instrument)s)") % {
        "date": timezone.localtime(level.completed_at).strftime("%d/%m/%Y"),
        "agency": level.agency_code,
        "instrument": level.instrument,
    }
    overdue = format_html(' <span class="meta">{}</span>', _("re-assessment overdue"))
    return format_html(
        '<span class="risk risk-{}" title="{}">{}</span>{}',
        level.equivalent,
        title,
        level.label,
        overdue if level.overdue else "",
    )


@register.filter
def may_assess_risk(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and may_assess(user)


@register.simple_tag
def current_levels_for(hits: Iterable[Any]) -> dict[int, CurrentLevel]:
    """``{% current_levels_for hits as levels %}``: every listed woman's level in one go
    (items are people or objects with a ``person``)."""
    ids = [getattr(h, "person", h).pk for h in hits or []]
    return selectors.current_levels(ids)


@register.simple_tag
def risk_badge(levels: dict[int, CurrentLevel], person_id: int) -> SafeString:
    level = levels.get(person_id)
    return _badge(level) if level else format_html("{}", "—")


@register.simple_tag
def risk_current_badge(
    person: Person, record_level: str = "", record_label: str = ""
) -> SafeString:
    """Her assessed level, or else the level her newest record states, or "Not assessed"."""
    level = selectors.current_level(person.pk)
    if level:
        return _badge(level)
    if record_level:
        return format_html('<span class="risk risk-{}">{}</span>', record_level, record_label)
    return format_html("{}", _("Not assessed"))


@register.inclusion_tag("risk/_file_section.html", takes_context=True)
def risk_file_section(context: dict[str, Any], person: Person) -> dict[str, Any]:
    user = context["request"].user
    return {
        "person": person,
        "current": selectors.current_level(person.pk),
        "history": selectors.history_for(user=user, person=person),
        "can_assess": may_assess(user),
    }
