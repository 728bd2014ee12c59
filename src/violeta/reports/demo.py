"""A few synthetic public reports for the demo, one per routing path (made once)."""

from __future__ import annotations

from violeta.catalogs.models import Alcaldia, ViolenceType
from violeta.reports.choices import Channel, ReporterRole
from violeta.reports.models import PublicReport
from violeta.reports.services import report_create

_SAMPLES = [
    # (role, type codes, alcaldía code, immediate danger, description)
    (ReporterRole.WITNESS, ["fisica"], "09015", True, "Escucho golpes y gritos en el depto. 3."),
    (ReporterRole.WOMAN, ["sexual"], "09003", False, "Un compañero de trabajo me agredió."),
    (ReporterRole.WOMAN, ["fisica"], "09007", False, "Mi pareja me empuja cuando se enoja."),
    (ReporterRole.WOMAN, ["economica"], "09012", False, "Me quita el dinero de mi salario."),
]


def demo_public_reports() -> list[tuple[str, str]]:
    """Create the samples once; return (folio, secret) of each made now, else nothing."""
    if PublicReport.objects.exists():
        return []
    made = []
    for role, codes, place, danger, text in _SAMPLES:
        created = report_create(
            reporter_role=role,
            description=text,
            channel=Channel.WEB,
            violence_types=list(ViolenceType.objects.filter(code__in=codes)),
            alcaldia=Alcaldia.objects.filter(inegi_code=place).first(),
            immediate_danger=danger,
        )
        made.append((created.report.folio, created.secret))
    return made
