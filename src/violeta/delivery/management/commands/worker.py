"""``violeta worker``: deliver the outbox (inbox, email, webhooks); needs only the database.
It also runs the upload page's import jobs, in a thread of their own (``intake/jobs.py``)."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, close_old_connections

from violeta.delivery.worker import drain, run_once, worker_name
from violeta.intake.jobs import import_jobs_drain, import_jobs_loop

log = logging.getLogger(__name__)


def _refresh_observatory(name: str) -> None:
    from violeta.observatory.services import observatory_refresh

    try:
        observatory_refresh()
    except Exception as error:  # the observatory must never stop the deliveries
        log.warning("worker %s: observatory refresh failed: %s", name, type(error).__name__)


class Command(BaseCommand):
    help = "Deliver pending alerts from the outbox: in-app inbox, email and signed webhooks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Deliver everything due now, then exit."
        )
        parser.add_argument(
            "--batch", type=int, default=50, help="Deliveries claimed at a time (1 to 500)."
        )
        parser.add_argument(
            "--sleep", type=float, default=1.0, help="Seconds to wait when nothing is due."
        )
        parser.add_argument(
            "--observatory-every",
            type=float,
            default=0,
            help="Also recompute the public observatory every so many seconds (0: never; "
            "run one worker with it, e.g. 300).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = worker_name()
        batch = min(max(int(options["batch"]), 1), 500)
        if options["once"]:
            drain(worker=name, batch=batch)
            import_jobs_drain(worker=name)
            return
        sleep = max(float(options["sleep"]), 0.05)
        stop = threading.Event()
        imports = threading.Thread(
            target=import_jobs_loop,
            kwargs={"worker": name, "sleep": max(sleep, 1.0), "stop": stop},
            name="import-jobs",
            daemon=True,
        )
        imports.start()
        every = max(float(options["observatory_every"]), 0)
        refreshed = 0.0
        while True:
            close_old_connections()
            if every and time.monotonic() - refreshed >= every:
                refreshed = time.monotonic()
                _refresh_observatory(name)
            try:
                claimed = run_once(worker=name, batch=batch)
            except DatabaseError as error:  # the database restarting: wait, then go on
                log.warning("worker %s: database error %s", name, type(error).__name__)
                claimed = 0
            if not claimed:
                time.sleep(sleep)
