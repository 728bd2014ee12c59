"""``violeta export_banavim --from YYYY-MM-DD --to YYYY-MM-DD --format csv|json --out PATH``."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from violeta.exports.banavim import banavim_audit, banavim_rows
from violeta.exports.period import period_parse
from violeta.exports.writers import FORMATS, chunks


class Command(BaseCommand):
    help = "Write the national registry's (BANAVIM) incidents of a period as CSV or JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")
        parser.add_argument("--format", dest="fmt", choices=FORMATS, default="csv")
        parser.add_argument("--out", required=True, help="file to write ('-': standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override("es-mx"):
            try:
                period = period_parse(options["start"], options["end"])
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            out = options["out"]
            target = Path(out)
            if out != "-" and not target.parent.is_dir():
                message = _("%(path)s: the folder does not exist.") % {"path": target.parent}
                raise CommandError(message)
        fmt = options["fmt"]
        rows = 0

        def counted() -> Any:
            nonlocal rows
            for row in banavim_rows(period):
                rows += 1
                yield row

        # Audited when the file is complete, just before it takes its final name (a short
        # transaction: a long export never holds the database's write lock).
        if out == "-":
            banavim_audit(actor=None, label="system:export_banavim", period=period, fmt=fmt)
            for chunk in chunks(fmt, counted(), period=period, agency=None):
                sys.stdout.write(chunk)
        else:
            partial = target.with_name(target.name + ".partial")
            try:
                with partial.open("w", encoding="utf-8", newline="") as handle:
                    for chunk in chunks(fmt, counted(), period=period, agency=None):
                        handle.write(chunk)
                banavim_audit(actor=None, label="system:export_banavim", period=period, fmt=fmt)
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
            os.replace(partial, target)  # never a half-written file under the final name
        self.stderr.write(f"rows={rows} format={fmt} period={period.start}/{period.end}")
