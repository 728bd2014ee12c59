"""``violeta retention [--dry-run] [--today YYYY-MM-DD]``: anonymise closed files past retention."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from violeta.lifecycle.services import retention_run

SHOWN = 50  # file ids listed; the audit trail has every one


class Command(BaseCommand):
    help = (
        "Find women's files that are closed and past the retention of their records' kinds, and "
        "destroy their identities (one transaction and one audit entry per file), keeping what "
        "the statistics count. --dry-run lists them and changes nothing. Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="list, change nothing")
        parser.add_argument("--today", help="the day to judge retention at (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as error:
                wrong = options["today"]
                raise CommandError(f"--today: not a date YYYY-MM-DD: {wrong!r}") from error
        result = retention_run(today=today, dry_run=options["dry_run"])
        verb = "would anonymise" if options["dry_run"] else "anonymised"
        shown = ", ".join(str(pk) for pk in result.files[:SHOWN]) or "none"
        more = f" and {len(result.files) - SHOWN} more" if len(result.files) > SHOWN else ""
        self.stdout.write(
            f"{result.examined} files examined, {verb} {len(result.files)}: {shown}{more}; "
            f"{result.records} records kept for statistics"
        )
