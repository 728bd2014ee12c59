"""``violeta observatory SUBCOMMAND``: the public observatory's operations.

* ``refresh``: recompute the figures and publish them as the current release (the same as
  ``violeta observatory_refresh``; every few minutes from the worker, cron or a timer).
* ``import-official PATH``: load an official public dataset (FGJ CDMX, SESNSP) to show beside
  Violeta's figures (observatory.official_import).

Each subcommand is a small function below, registered in ``SUBCOMMANDS``.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from violeta.observatory.official_import import FORMATS, OfficialImportError, import_official
from violeta.observatory.services import observatory_refresh


def add_refresh(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--k", type=int, default=None, help="minimum women per figure")


def run_refresh(command: BaseCommand, options: dict[str, Any]) -> None:
    if options["k"] is not None and options["k"] < 1:
        raise CommandError("--k debe ser 1 o más.")
    release = observatory_refresh(k=options["k"])
    command.stdout.write(
        f"Publicación {release.pk}: {release.first_month} a {release.last_month}, "
        f"k={release.k}, {release.suppressed} cifras ocultas, {release.seconds:.1f} s"
    )


def add_import_official(parser: argparse.ArgumentParser) -> None:
    sources = sorted({f.source.value for f in FORMATS})
    parser.add_argument("path", help="CSV file (or .csv.gz)")
    parser.add_argument("--source", default="auto", choices=["auto", *sources],
                        help="the file's format (default: told by its header)")  # fmt: skip
    parser.add_argument(
        "--release-date",
        default="",
        help="the publisher's release date, YYYY-MM-DD (default: today)",
    )


def run_import_official(command: BaseCommand, options: dict[str, Any]) -> None:
    release = None
    if options["release_date"]:
        try:
            release = dt.date.fromisoformat(options["release_date"])
        except ValueError:
            raise CommandError(
                f"--release-date «{options['release_date'][:20]}» no es una fecha AAAA-MM-DD."
            ) from None
    try:
        dataset = import_official(
            Path(options["path"]), source=options["source"], release_date=release
        )
    except OfficialImportError as error:
        raise CommandError(str(error)) from None
    skipped = ", ".join(f"{n} {reason}" for reason, n in dataset.skipped.items()) or "ninguna"
    command.stdout.write(
        f"Carga {dataset.pk} ({dataset.source}, publicada {dataset.release_date}): "
        f"{dataset.rows_read} filas leídas, {dataset.rows_counted} contadas, "
        f"{dataset.figures.count()} cifras de {dataset.first_period} a {dataset.last_period}; "
        f"no contadas: {skipped}."
    )


Adder = Callable[[argparse.ArgumentParser], None]
Runner = Callable[[BaseCommand, dict[str, Any]], None]

SUBCOMMANDS: dict[str, tuple[str, Adder, Runner]] = {
    "refresh": ("recompute and publish the figures", add_refresh, run_refresh),
    "import-official": (
        "load an official public dataset (FGJ CDMX, SESNSP)",
        add_import_official,
        run_import_official,
    ),
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
