"""``{% official_figures %}``: the official figures' section of the public page (one line in
observatory.html; the page's own view is untouched)."""

from __future__ import annotations

from typing import Any

from django import template

from violeta.observatory.official import official_section

register = template.Library()


@register.inclusion_tag("observatory/_official.html", takes_context=True)
def official_figures(context: template.Context) -> dict[str, Any]:
    page_filters = context.get("filters")
    if page_filters is not None and getattr(page_filters, "problems", None):
        return {"show": False}  # the page already says what is wrong and shows no figures
    request = context["request"]
    section = official_section({k: request.GET.get(k, "") for k in request.GET})
    return {"show": True, "section": section, "query": request.GET.urlencode()}
