"""``violeta risk_instrument_load FILE…``: load risk instruments from JSON files (checked first).

``--shipped`` loads the instruments that come with Violeta; ``--retire CODE VERSION`` retires a
version so that no new assessment uses it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from violeta.risk.definition import InstrumentError
from violeta.risk.models import InstrumentVersion
from violeta.risk.versions import SHIPPED, instrument_load, instrument_retire


class Command(BaseCommand):
    help = "Load risk instrument versions from JSON files, or retire one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", type=Path)
        parser.add_argument("--shipped", action="store_true", help="load Violeta's instruments")
        parser.add_argument("--retire", nargs=2, metavar=("CODE", "VERSION"))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["retire"]:
            code, version = options["retire"]
            found = InstrumentVersion.objects.filter(code=code, version=version).first()
            if found is None:
                raise CommandError(f"no instrument {code} version {version}")
            instrument_retire(instrument=found, actor=None)
            self.stdout.write(f"{found}: retired")
            return
        files: list[Path] = list(options["files"])
        if options["shipped"]:
            files += sorted(SHIPPED.glob("*.json"))
        if not files:
            raise CommandError("give one or more JSON files, or --shipped")
        failed = False
        for path in files:
            try:
                outcome = instrument_load(text=path.read_text(encoding="utf-8"), actor=None)
            except (OSError, UnicodeDecodeError) as error:
                self.stderr.write(f"{path}: cannot read it: {error}")
                failed = True
            except InstrumentError as error:
                self.stderr.write(f"{path}: not loaded:")
                for line in error.errors:
                    self.stderr.write(f"  - {line}")
                failed = True
            else:
                self.stdout.write(f"{path.name}: {outcome.instrument} {outcome.status}")
        if failed:
            raise CommandError("some files were not loaded")
