"""``violeta serve``: the production web server (gunicorn) with static files (whitenoise)."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve Violeta with gunicorn (collects static files first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("VIOLETA_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("VIOLETA_WORKERS", "3"))
        )
        parser.add_argument("--no-collectstatic", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "violeta.wsgi:application",
            "--bind",
            options["bind"],
            "--workers",
            str(options["workers"]),
        ]
        if settings.LOG_FORMAT != "json":  # in JSON, violeta.request writes the access lines
            command += [
                "--access-logfile",
                "-",
                # The access log carries method, path and status only: no query strings.
                "--access-logformat",
                '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',
            ]
        self.stdout.write(f"Violeta on http://{options['bind']}/")
        sys.stdout.flush()
        os.execv(sys.executable, command)  # noqa: S606 - replaces this process by gunicorn
