from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from violeta.alerts.scan import alerts_scan


class Command(BaseCommand):
    help = "Evaluate the scheduled early-warning rules and escalate unanswered alerts."

    def handle(self, *args: Any, **options: Any) -> None:
        outcome = alerts_scan()
        self.stdout.write(
            f"women={outcome.women} raised={outcome.raised} escalated={outcome.escalated}"
        )
