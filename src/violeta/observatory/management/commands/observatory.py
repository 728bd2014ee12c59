"""``violeta observatory SUBCOMMAND``: the public observatory's operations.

* ``refresh``: recompute the figures and publish them as the current release (the same as
  ``violeta observatory_refresh``; every few minutes from the worker, cron or a timer).

Each subcommand is a small function below, registered in ``SUBCOMMANDS``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from violeta.observatory.services import observatory_refresh


def add_refresh(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--k", type=int, default=None, help="minimum women per figure")


def run_refresh(command: BaseCommand, options: dict[str, Any]) -> None:
    if options["k"] is not None and options["k"] < 1:
        raise CommandError("--k debe ser 1 o más.")
    release = observatory_refresh(k=options["k"])
    command.stdout.write(
        f"Publicación {release.pk}: {release.first_month} a {release.last_month}, "
        f"modo {release.mode}, k={release.k}, {release.suppressed} cifras ocultas, "
        f"{release.held} retenidas, {release.seconds:.1f} s"
    )


Adder = Callable[[argparse.ArgumentParser], None]
Runner = Callable[[BaseCommand, dict[str, Any]], None]

SUBCOMMANDS: dict[str, tuple[str, Adder, Runner]] = {
    "refresh": ("recompute and publish the figures", add_refresh, run_refresh),
}


class Command(BaseCommand):
    help = "The public observatory: " + ", ".join(SUBCOMMANDS)

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        for name, (text, add, _run) in SUBCOMMANDS.items():
            add(sub.add_parser(name, help=text))

    def handle(self, *args: Any, **options: Any) -> None:
        _text, _add, run = SUBCOMMANDS[options["subcommand"]]
        run(self, options)
