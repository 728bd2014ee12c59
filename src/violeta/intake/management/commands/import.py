"""``violeta import --agency CODE FILE``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from violeta.agencies.models import Agency
from violeta.intake.loader import import_file, write_rejections


class Command(BaseCommand):
    help = "Import an agency's registry file (CSV) through its mapping."

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
        report = import_file(agency=agency, path=path, progress=not options["no_progress"])
        self.stdout.write(report.summary())
        for error in report.rejected[:20]:
            self.stdout.write(f"  {path.name} fila {error.row}, {error.field}: {error.message}")
        if options["rejected"]:
            write_rejections(report, options["rejected"])
            self.stdout.write(f"Rejected rows written to {options['rejected']}")
