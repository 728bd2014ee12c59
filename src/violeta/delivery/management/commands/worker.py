"""``violeta worker``: deliver the outbox (inbox, email, webhooks); needs only the database."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from violeta.delivery.worker import drain, run_once, worker_name


class Command(BaseCommand):
    help = "Deliver pending alerts from the outbox: in-app inbox, email and signed webhooks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Deliver everything due now, then exit."
        )
        parser.add_argument(
            "--sleep", type=float, default=1.0, help="Seconds to wait when nothing is due."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = worker_name()
        if options["once"]:
            drain(worker=name)
            return
        sleep = max(float(options["sleep"]), 0.05)
        while True:
            close_old_connections()
            if not run_once(worker=name):
                time.sleep(sleep)
