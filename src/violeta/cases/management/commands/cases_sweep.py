"""``violeta cases_sweep``: follow-ups silent for too long become supervised (never closed)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from violeta.cases.services import cases_sweep


class Command(BaseCommand):
    help = (
        "Open follow-ups for records that have none (bulk imports), then move follow-ups with "
        "no activity for VIOLETA_CASE_INACTIVE_DAYS to supervised. Idempotent; closes nothing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = cases_sweep()
        self.stdout.write(
            f"opened {result.opened}, refreshed {result.refreshed}, "
            f"moved to supervised {result.supervised} "
            f"(inactive after {settings.CASE_INACTIVE_DAYS} days)"
        )
