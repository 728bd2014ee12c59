"""``violeta bench NAME``: benchmarks, each ending with one line of figures.

Figures go to ``docs/benchmarks.md`` with the command, the data size and the date.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from violeta.synth import generate


def bench_generate(records: int, seed: int) -> str:
    women = max(1, round(records / 5))
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        summary = generate(Path(tmp), women=women, seed=seed)
        elapsed = time.perf_counter() - started
        size = sum(p.stat().st_size for p in Path(tmp).glob("*.csv"))
        written = summary.total_records
    return (
        f"generate: {written} records, {women} women, {elapsed:.1f} s, "
        f"{written / elapsed:,.0f} records/s, {size / 1e6:.0f} MB of CSV"
    )


class Command(BaseCommand):
    help = "Run a benchmark: generate."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", choices=["generate"])
        parser.add_argument("--records", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=42)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["name"] == "generate":
            self.stdout.write(bench_generate(options["records"], options["seed"]))
        else:  # pragma: no cover - argparse restricts the choices
            raise CommandError(f"unknown benchmark {options['name']}")
