"""The indicators of her whole file as her file's page shows them (see :mod:`indicators`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from violeta.risk.indicators import FileIndicators

LABELS = {
    "escalation_frequency": _("Incidents are more frequent"),
    "escalation_severity": _("Violence is more severe than before"),
    "order_breach": _("A protection order was breached"),
    "weapons": _("The aggressor has access to weapons"),
    "other_women": _("The aggressor is linked to other women"),
    "children_at_home": _("Children at home"),
    "vicarious_violence": _("Violence through her children or relatives"),
    "sexual_violence": _("Sexual violence"),
}


@dataclass(frozen=True)
class IndicatorRow:
    """One indicator as a page shows it: evidence the user may open, and how many she may not."""

    code: str
    label: str
    present: bool | None
    count: int
    visible: tuple[int, ...]
    hidden: int


def indicator_rows(indicators: FileIndicators, visible: set[int]) -> list[IndicatorRow]:
    return [
        IndicatorRow(
            i.code,
            str(LABELS[i.code]),
            i.present,
            i.count,
            tuple(pk for pk in i.evidence if pk in visible),
            sum(1 for pk in i.evidence if pk not in visible),
        )
        for i in indicators.indicators
    ]
