"""Which agency receives a public report: rules kept as data (``data/routing.json``).

Rules are tried in order; the first whose conditions all hold decides, else the default.
Conditions a rule may carry: ``immediate_danger`` (true), ``types`` (any of these violence
type codes), ``alcaldias`` (any of these INEGI codes). A rule without conditions matches all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

RULES_FILE = Path(__file__).resolve().parent / "data" / "routing.json"

# What each reason code means, for the staff queue.
REASONS = {
    "immediate_danger": _("The reporter says she is in immediate danger"),
    "sexual_violence_health_first": _("Sexual violence: medical attention first (NOM-046)"),
    "physical_violence_followup_line": _(
        "Physical violence in an alcaldía the follow-up line covers"
    ),
    "default_womens_services": _("Women's services by default"),
}


@dataclass(frozen=True)
class Route:
    agency_code: str
    reason: str


@cache
def routing_rules() -> dict[str, Any]:
    with RULES_FILE.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def _matches(rule: Mapping[str, Any], types: set[str], alcaldia: str, danger: bool) -> bool:
    if rule.get("immediate_danger") and not danger:
        return False
    wanted_types = set(rule.get("types", []))
    if wanted_types and not wanted_types & types:
        return False
    wanted_places = set(rule.get("alcaldias", []))
    return not (wanted_places and alcaldia not in wanted_places)


def report_route(
    *,
    type_codes: Iterable[str],
    alcaldia_code: str = "",
    immediate_danger: bool = False,
    rules: Mapping[str, Any] | None = None,
) -> Route:
    """The agency a report goes to and why, from the rules (the file's by default)."""
    data = rules if rules is not None else routing_rules()
    types = set(type_codes)
    for rule in data.get("rules", []):
        if _matches(rule, types, alcaldia_code, immediate_danger):
            return Route(agency_code=rule["agency"], reason=rule["reason"])
    default = data["default"]
    return Route(agency_code=default["agency"], reason=default["reason"])


def reason_label(code: str) -> str:
    return str(REASONS.get(code, code))
