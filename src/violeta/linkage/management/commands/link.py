"""``violeta link``: (re)link every record to one person; ``--evaluate``, ``export``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from violeta.audit.services import audit_log
from violeta.linkage import model as link_model
from violeta.linkage import spark as link_spark
from violeta.linkage.batch import Score, evaluate_database, link_all
from violeta.linkage.export import link_export

BACKENDS: dict[str, Score] = {"duckdb": link_model.predict, "spark": link_spark.predict}

# read, features, train (first run), score, cluster, write: persons, links, merges, review
STAGES_PER_ROLE = 9


class Command(BaseCommand):
    help = (
        "Link every agency record to one person (women first, then aggressors); "
        "'export' writes how each record was linked; --evaluate compares with a truth file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", nargs="?", choices=["export"])
        parser.add_argument("--out", type=Path, help="export: the CSV file to write")
        parser.add_argument(
            "--evaluate",
            type=Path,
            metavar="TRUTH.csv",
            help="print pairwise precision, recall and F1 against a generator truth file",
        )
        parser.add_argument("--retrain", action="store_true", help="train the model again")
        parser.add_argument(
            "--threshold", type=float, help="match probability to link (default: settings)"
        )
        parser.add_argument(
            "--backend",
            choices=sorted(BACKENDS),
            default="duckdb",
            help="where pairs are scored: duckdb (this machine) or spark (VIOLETA_SPARK_MASTER)",
        )
        parser.add_argument(
            "--rebuild-indexes",
            action="store_true",
            help=(
                "first run after a bulk import: where most rows change, rebuild the tables' "
                "indexes after writing (PostgreSQL: locks the tables until the run commits)"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "export":
            self._export(options["out"])
            return
        if options["evaluate"]:
            self._evaluate(options["evaluate"])
            return
        threshold = options["threshold"]
        if threshold is not None and not 0 < threshold < 1:
            raise CommandError("--threshold must be between 0 and 1")
        with tqdm(total=2 * STAGES_PER_ROLE, desc="link", unit="stage") as bar:

            def progress(stage: str) -> None:
                bar.set_postfix_str(stage)
                bar.update(1)

            try:
                reports = link_all(
                    retrain=options["retrain"],
                    threshold=threshold,
                    progress=progress,
                    score=BACKENDS[options["backend"]],
                    rebuild_indexes=options["rebuild_indexes"],
                )
            except link_spark.SparkUnavailable as error:
                raise CommandError(str(error)) from error
            bar.update(2 * STAGES_PER_ROLE - bar.n)
        for report in reports:
            self.stdout.write(report.summary())

    def _export(self, out: Path | None) -> None:
        if not out:
            raise CommandError("link export needs --out FILE.csv")
        count = link_export(out)
        audit_log(
            actor=None,
            actor_label="system:link-export",
            action="export",
            subject_type="linkage",
            subject_id="",
            details={"rows": count},
        )
        self.stdout.write(f"{count} rows written to {out}")

    def _evaluate(self, truth: Path) -> None:
        if not truth.is_file():
            raise CommandError(f"truth file not found: {truth}")
        for role, quality in evaluate_database(truth).items():
            self.stdout.write(f"{role}: {quality.line()}")
