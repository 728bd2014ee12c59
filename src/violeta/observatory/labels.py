"""Human names for the observatory's dimensions and categories, in the page's language."""

from __future__ import annotations

from django.utils.translation import gettext as _

from violeta.agencies.models import Agency
from violeta.alerts.choices import Level
from violeta.catalogs.models import Alcaldia, Modality, ViolenceType
from violeta.records.choices import RiskLevel


def dimension_title(dim: str) -> str:
    return {
        "alcaldia": _("alcaldía"),
        "age": _("age group"),
        "agency": _("agency that attended"),
        "risk": _("risk level"),
        "type": _("type of violence"),
        "modality": _("modality of violence"),
        "stage": _("path of justice"),
        "alert_level": _("level of the alerts raised"),
    }[dim]


class Labels:
    """Category names, read once per page."""

    def __init__(self) -> None:
        self.names: dict[str, dict[str, str]] = {
            "alcaldia": dict(Alcaldia.objects.values_list("inegi_code", "name")),
            "agency": {a.code: a.name for a in Agency.objects.all()},
            "type": {t.code: t.label for t in ViolenceType.objects.all()},
            "modality": {m.code: m.label for m in Modality.objects.all()},
            "risk": {str(v): str(n) for v, n in RiskLevel.choices},
            "alert_level": {str(v): str(n) for v, n in Level.choices},
            "stage": {
                "report": _("Reports (complaints)"),
                "investigation": _("Criminal investigations opened"),
                "protection_order": _("Protection orders"),
            },
            "age": {
                "0_17": _("0 to 17"),
                "18_29": _("18 to 29"),
                "30_44": _("30 to 44"),
                "45_59": _("45 to 59"),
                "60_mas": _("60 or more"),
            },
        }

    def __call__(self, dim: str, code: str) -> str:
        if code == "sin_dato":
            return _("Not recorded")
        return self.names.get(dim, {}).get(code, code)
