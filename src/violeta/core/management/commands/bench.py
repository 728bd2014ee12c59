"""``violeta bench NAME``: benchmarks, each ending with one line of figures.

Figures go to ``docs/benchmarks.md`` with the command, the data size and the date.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
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
    help = (
        "Run a benchmark: generate, link, link-realtime, link-batch, alerts, import, "
        "observatory, load."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "name",
            choices=[
                "generate",
                "link",
                "link-realtime",
                "link-batch",
                "alerts",
                "import",
                "observatory",
                "load",
            ],
        )
        parser.add_argument("--rows", type=int, default=20_000, help="import: rows to generate")
        parser.add_argument(
            "--database",
            choices=["sqlite", "postgres", "both"],
            help="import (default both); observatory (default postgres if configured)",
        )
        parser.add_argument("--files", type=Path, help=argparse.SUPPRESS)  # the import's child
        parser.add_argument("--records", type=int, default=100_000)
        parser.add_argument("--lookups", type=int, default=300)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--women", type=int, default=2000, help="alerts: women replayed")
        parser.add_argument("--rate", type=float, default=50.0, help="alerts: records per second")
        parser.add_argument("--seconds", type=float, default=20.0, help="alerts: seconds of load")
        parser.add_argument(
            "--producers", type=int, default=3, help="alerts: processes registering records"
        )
        parser.add_argument("--repeat", type=int, default=50, help="observatory: requests per URL")
        parser.add_argument("--corruption", choices=["none", "default", "hard"], default="default")
        parser.add_argument(
            "--runs",
            default="train,saved,rebuild,relink",
            help="link-batch: which runs, of train, saved, rebuild, relink (comma-separated)",
        )
        parser.add_argument("--users-steps", default="10,20,40,80", help="load: users per step")
        parser.add_argument("--step-seconds", type=float, default=60.0, help="load: per step")
        parser.add_argument("--workers", type=int, default=3, help="load: the server's workers")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["name"] == "generate":
            self.stdout.write(bench_generate(options["records"], options["seed"]))
        elif options["name"] == "link":
            from violeta.linkage.bench import bench_link

            line = bench_link(
                options["records"], corruption=options["corruption"], seed=options["seed"]
            )
            self.stdout.write(line)
        elif options["name"] == "link-realtime":
            self.stdout.write(self._realtime(options))
        elif options["name"] == "link-batch":
            self.stdout.write(self._link_batch(options))
        elif options["name"] == "alerts":
            self.stdout.write(self._alerts(options))
        elif options["name"] == "import":
            from violeta.intake import bench as intake_bench

            if options["files"] and os.environ.get("VIOLETA_BENCH_DATABASE") == "1":
                self.stdout.write(intake_bench.child_import(options["files"]))
                return
            line = intake_bench.bench_import(
                options["rows"], database=options["database"] or "both", seed=options["seed"]
            )
            self.stdout.write(line)
        elif options["name"] == "observatory":
            self.stdout.write(self._observatory(options))
        elif options["name"] == "load":
            self.stdout.write(self._load(options))
        else:  # pragma: no cover - argparse restricts the choices
            raise CommandError(f"unknown benchmark {options['name']}")

    def _realtime(self, options: dict[str, Any]) -> str:
        """In the bench's own database (created and migrated on first use)."""
        records, seed = options["records"], options["seed"]
        if os.environ.get("VIOLETA_BENCH_DATABASE") == "1":
            from violeta.linkage.bench_realtime import bench_realtime

            _bench_database_ready()
            return bench_realtime(records, lookups=options["lookups"], seed=seed)
        return _in_bench_database(
            f"violeta_bench_rt_{records}_{seed}",
            *("link-realtime", "--records", str(records), "--seed", str(seed)),
            *("--lookups", str(options["lookups"])),
        )

    def _link_batch(self, options: dict[str, Any]) -> str:
        """``violeta link`` end to end in the bench's own database (linkage/bench_batch.py)."""
        from violeta.linkage.bench_batch import RUNS, bench_batch

        records, seed, corruption = options["records"], options["seed"], options["corruption"]
        runs = [r.strip() for r in options["runs"].split(",") if r.strip()]
        if not runs or set(runs) - set(RUNS):
            raise CommandError(f"--runs: some of {', '.join(RUNS)}, separated by commas")
        if os.environ.get("VIOLETA_BENCH_DATABASE") == "1":
            _bench_database_ready()
            return bench_batch(records, corruption=corruption, seed=seed, runs=runs)
        return _in_bench_database(
            f"violeta_bench_batch_{records}_{seed}_{corruption}",
            *("link-batch", "--records", str(records), "--seed", str(seed)),
            *("--corruption", corruption, "--runs", ",".join(runs)),
        )

    def _observatory(self, options: dict[str, Any]) -> str:
        from violeta.observatory import bench as observatory_bench

        records, repeat, seed = options["records"], options["repeat"], options["seed"]
        if os.environ.get("VIOLETA_BENCH_DATABASE") == "1":
            return observatory_bench.child(records, repeat=repeat, seed=seed)
        return observatory_bench.bench_observatory(
            records, database=options["database"], repeat=repeat, seed=seed
        )

    def _load(self, options: dict[str, Any]) -> str:
        from violeta.loadbench import bench as load_bench

        try:
            steps = [int(n) for n in options["users_steps"].split(",")]
        except ValueError:
            raise CommandError("--users-steps: user counts separated by commas") from None
        if not steps or min(steps) < 1 or options["workers"] < 1:
            raise CommandError("--users-steps and --workers: at least 1")
        records, seed = options["records"], options["seed"]
        if os.environ.get("VIOLETA_BENCH_DATABASE") == "1":
            return load_bench.child(
                records, steps=steps, step_seconds=options["step_seconds"],
                workers=options["workers"], seed=seed,
            )  # fmt: skip
        argv = ["--records", str(records), "--seed", str(seed), "--workers"]
        argv += [str(options["workers"]), "--users-steps", options["users_steps"]]
        argv += ["--step-seconds", str(options["step_seconds"])]
        return load_bench.bench_load(bench_database_url(f"violeta_bench_load_{records}"), argv)

    def _alerts(self, options: dict[str, Any]) -> str:
        """In a database of its own, emptied first: a child process pointed at it."""
        if os.environ.get("VIOLETA_BENCH_DATABASE") == "1":
            from violeta.alerts.bench import bench_alerts

            _bench_database_ready(flush=True)
            return bench_alerts(
                women=options["women"],
                rate=options["rate"],
                seconds=options["seconds"],
                producers=max(1, options["producers"]),
                seed=options["seed"],
            )
        argv = ["alerts"]
        for option in ("women", "rate", "seconds", "producers", "seed"):
            argv += [f"--{option}", str(options[option])]
        return _in_bench_database("violeta_bench_alerts", *argv)


def _bench_database_ready(*, flush: bool = False) -> None:
    """In the bench's child process: its database migrated (emptied first with ``flush``),
    with the catalogs and agencies loaded."""
    from violeta.agencies.services import agencies_load
    from violeta.catalogs.services import catalogs_load

    call_command("migrate", verbosity=0)
    if flush:
        call_command("flush", interactive=False, verbosity=0)
    catalogs_load()
    agencies_load()


def _in_bench_database(name: str, *argv: str) -> str:
    """``violeta bench ARGV`` in a child process pointed at the bench database ``name``; its
    last line of output (the figures)."""
    env = {**os.environ, "DATABASE_URL": bench_database_url(name), "VIOLETA_BENCH_DATABASE": "1"}
    command = [sys.executable, "-m", "violeta.cli", "bench", *argv]
    done = subprocess.run(  # noqa: S603 - our own command, no shell
        command, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise CommandError(done.stderr[-2000:])
    return done.stdout.strip().splitlines()[-1]


def bench_database_url(name: str) -> str:
    """A database of the benchmark's own beside the configured one: a SQLite file in the data
    folder, or a PostgreSQL database on the same server (created if missing)."""
    current = settings.DATABASES["default"]
    if not current["ENGINE"].endswith("postgresql"):
        path = Path(settings.DATA_DIR) / "bench" / f"{name}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    host, port = current["HOST"] or "127.0.0.1", current["PORT"] or 5432
    user, password = current["USER"], current["PASSWORD"]
    with psycopg.connect(
        dbname="postgres", host=host, port=port, user=user, password=password, autocommit=True
    ) as server:
        exists = server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            server.execute(f'CREATE DATABASE "{name}"')
    auth = f"{user}:{password}@" if user else ""
    return f"postgres://{auth}{host}:{port}/{name}"
