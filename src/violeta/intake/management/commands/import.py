"""``violeta import --agency CODE FILE``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import InterfaceError, OperationalError

from violeta.agencies.models import Agency
from violeta.intake.loader import FileProblem, RejectionWriter, import_file
from violeta.intake.mapping import MappingError


class Command(BaseCommand):
    help = (
        "Import an agency's registry file (CSV or XLSX) through its active mapping. "
        "Re-running it (also after a crash half-way) creates nothing twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", required=True, help="agency code, e.g. C5")
        parser.add_argument("file", type=Path)
        parser.add_argument("--rejected", type=Path, help="write rejected rows to this CSV")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        agency = Agency.objects.filter(code=options["agency"]).first()
        if agency is None:
            raise CommandError(f"Unknown agency {options['agency']!r}")
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        writer = RejectionWriter(options["rejected"]) if options["rejected"] else None
        try:
            report = import_file(
                agency=agency, path=path, progress=not options["no_progress"], on_batch=writer
            )
        except (FileProblem, MappingError) as problem:
            raise CommandError(str(problem)) from problem
        except (OperationalError, InterfaceError) as lost:
            # The database went away (restarted, network cut): every batch committed before
            # stays, the one under way rolled back whole. Say what to do, not a traceback.
            reason = (str(lost).strip().splitlines() or [type(lost).__name__])[0][:200]
            raise CommandError(
                f"{path.name}: se perdió la conexión con la base de datos ({reason}). Lo "
                "importado hasta el último lote completo quedó guardado; vuelva a ejecutar la "
                "misma importación cuando la base de datos responda: nada se guardará dos veces."
            ) from lost
        finally:
            if writer is not None:
                writer.close()
        self.stdout.write(report.summary())
        for error in report.rejected[:20]:
            self.stdout.write(f"  {path.name} fila {error.row}, {error.field}: {error.message}")
        if writer is not None:
            self.stdout.write(f"Rejected rows written to {options['rejected']}")
