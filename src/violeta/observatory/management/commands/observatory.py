"""``violeta observatory SUBCOMMAND``: the public observatory's operations.

* ``refresh``: recompute the figures and publish them as the current release (the same as
  ``violeta observatory_refresh``; every few minutes from the worker, cron or a timer).
* ``boundaries PATH [--attribution TEXT] [--code-property NAME] [--tolerance DEGREES]``: load
  the alcaldías' boundaries from a GeoJSON file (WGS84) for the public map; a reload replaces
  them whole, a bad file changes nothing.
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

from violeta.observatory.boundaries import TOLERANCE, BoundaryProblem, boundaries_load
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
        f"modo {release.mode}, k={release.k}, {release.suppressed} cifras ocultas, "
        f"{release.held} retenidas, {release.seconds:.1f} s"
    )


def add_boundaries(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", type=Path, help="GeoJSON FeatureCollection, WGS84 lon/lat")
    parser.add_argument(
        "--attribution", default=None, help='e.g. "Fuente: INEGI, Marco Geoestadístico 2023"'
    )
    parser.add_argument(
        "--code-property", default=None, help="property with the INEGI code (default: cve_geo, "
        "CVEGEO or cvegeo, whichever the file has)"
    )  # fmt: skip
    parser.add_argument(
        "--tolerance", type=float, default=TOLERANCE, help="simplification, in degrees"
    )


def run_boundaries(command: BaseCommand, options: dict[str, Any]) -> None:
    if not 0 <= options["tolerance"] <= 0.01:
        raise CommandError("--tolerance debe estar entre 0 y 0.01 grados.")
    try:
        loaded = boundaries_load(
            options["path"],
            attribution=options["attribution"],
            code_property=options["code_property"],
            tolerance=options["tolerance"],
        )
    except BoundaryProblem as problem:
        raise CommandError(f"No se cargaron los límites: {problem}") from None
    command.stdout.write(
        f"Límites de {loaded.boundaries.count()} alcaldías cargados de {loaded.source} "
        f"(atribución: «{loaded.attribution}»)."
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
    "boundaries": ("load the alcaldías' boundaries for the map", add_boundaries, run_boundaries),
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
