"""``violeta observatory_refresh``: recompute the public observatory's figures (every few
minutes from cron or a systemd timer; see docs/observatory.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from violeta.observatory.services import observatory_refresh


class Command(BaseCommand):
    help = "Recompute the public observatory's figures and publish them as the current release."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--k", type=int, default=None, help="minimum women per figure")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["k"] is not None and options["k"] < 1:
            self.stderr.write("--k debe ser 1 o más.")
            raise SystemExit(2)
        release = observatory_refresh(k=options["k"])
        self.stdout.write(
            f"Publicación {release.pk}: {release.first_month} a {release.last_month}, "
            f"modo {release.mode}, k={release.k}, {release.suppressed} cifras ocultas, "
            f"{release.held} retenidas, {release.seconds:.1f} s"
        )
