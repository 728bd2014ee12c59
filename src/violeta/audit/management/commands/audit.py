"""``violeta audit verify``: recompute the audit trail's hash chain."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from violeta.audit.selectors import VERIFY_CHUNK_SIZE, audit_verify


class Command(BaseCommand):
    help = "Audit trail tools. 'verify' checks that no entry was edited or deleted."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        verify = subcommands.add_parser(
            "verify", help="recompute every hash; exit 1 at the first broken entry"
        )
        verify.add_argument(
            "--chunk-size",
            type=int,
            default=VERIFY_CHUNK_SIZE,
            help=f"rows read per round trip (default {VERIFY_CHUNK_SIZE})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify":
            result = audit_verify(chunk_size=options["chunk_size"])
            if not result.ok:
                raise CommandError(str(result))
            self.stdout.write(self.style.SUCCESS(str(result)))
