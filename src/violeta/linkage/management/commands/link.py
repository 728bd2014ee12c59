"""``violeta link export --out FILE.csv``: how every record was linked, for quality audits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from violeta.audit.services import audit_log
from violeta.linkage.export import link_export


class Command(BaseCommand):
    help = "Link every agency record to one person, or export how each record was linked."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["export"])
        parser.add_argument("--out", type=Path, help="export: the CSV file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["out"]:
            raise CommandError("link export needs --out FILE.csv")
        count = link_export(options["out"])
        audit_log(
            actor=None,
            actor_label="system:link-export",
            action="export",
            subject_type="linkage",
            subject_id="",
            details={"rows": count},
        )
        self.stdout.write(f"{count} rows written to {options['out']}")
