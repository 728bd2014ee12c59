"""``violeta import --agency CODE FILE``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

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
        finally:
            if writer is not None:
                writer.close()
        self.stdout.write(report.summary())
        for error in report.rejected[:20]:
            self.stdout.write(f"  {path.name} fila {error.row}, {error.field}: {error.message}")
        if writer is not None:
            self.stdout.write(f"Rejected rows written to {options['rejected']}")
