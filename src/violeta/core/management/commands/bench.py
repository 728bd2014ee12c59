"""``violeta bench NAME``: benchmarks, each ending with one line of figures.

Figures go to ``docs/benchmarks.md`` with the command, the data size and the date.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from violeta import synth


def bench_generate(records: int, seed: int) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        summary = synth.bench_generate(records, out_dir=Path(tmp), seed=seed)
        size = sum(p.stat().st_size for p in Path(tmp).glob("*.csv"))
    elapsed = summary.elapsed_seconds
    return (
        f"generate: {summary.total_records} records, {summary.women} women, {elapsed:.1f} s, "
        f"{summary.total_records / elapsed:,.0f} records/s, {size / 1e6:.0f} MB of CSV"
    )


class Command(BaseCommand):
    help = "Run a benchmark: generate, link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", choices=["generate", "link"])
        parser.add_argument("--records", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--corruption", choices=["none", "default", "hard"], default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["name"] == "generate":
            self.stdout.write(bench_generate(options["records"], options["seed"]))
        elif options["name"] == "link":
            from violeta.linkage.bench import bench_link

            line = bench_link(
                options["records"], corruption=options["corruption"], seed=options["seed"]
            )
            self.stdout.write(line)
        else:  # pragma: no cover - argparse restricts the choices
            raise CommandError(f"unknown benchmark {options['name']}")
