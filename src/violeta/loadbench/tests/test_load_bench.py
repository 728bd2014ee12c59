"""``violeta bench load`` end to end at a tiny size: the real server (gunicorn), the worker and
Locust as processes of their own, against the bench's own database beside ``DATABASE_URL``'s
(PostgreSQL when it is one, otherwise a SQLite file in a throw-away data folder)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from violeta.loadbench.report import KINDS  # not the locustfile: gevent would patch pytest

FINAL = re.compile(
    r"^load: 2,000 records \((postgresql|sqlite)\), 2 workers, steps 10 users × 10 s, "
    r"load average [\d.]+: (held 10 users at [\d.]+ req/s \(p95 \d+ ms, 0 errors\)|held no step)"
    r"; (did not break up to 10 users|broke at 10 users \([\d.]+ req/s\): p95 \d+ ms "
    r"\(slowest: [^)]+, p95 \d+ ms\)); (\d+) records registered, each stored once, "
    r"audit chain verified; CPU per request (\d+) ms \(server \d+, worker \d+, "
    r"postgresql (\d+)\)$"
)


def test_load_bench_end_to_end(tmp_path: Path) -> None:
    env = {**os.environ, "VIOLETA_DATA_DIR": str(tmp_path)}
    argv = [sys.executable, "-m", "violeta.cli", "bench", "load", "--records", "2000"]
    argv += ["--users-steps", "10", "--step-seconds", "10", "--workers", "2"]
    done = subprocess.run(  # noqa: S603 - our own command, no shell
        argv, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.strip().splitlines()
    final = FINAL.match(lines[-1])
    assert final, lines[-1]
    engine = "postgresql" if "postgres" in os.environ.get("DATABASE_URL", "") else "sqlite"
    assert final.group(1) == engine
    assert (int(final.group(6)) > 0) == (engine == "postgresql")  # its backends measured
    step = next(line for line in lines if line.startswith("step 10 users"))
    assert re.search(r", 0 errors of [1-9]\d*$", step), step
    assert int(final.group(5)) > 0  # the server's processes were measured
    for kind in KINDS:  # every kind of request was made, none failed
        found = [line for line in lines if line.startswith(f"  {kind}: ")]
        assert found and re.search(r", 0 errors of [1-9]\d*$", found[0]), (kind, found)
    logins = next(line for line in lines if line.startswith("logins: "))
    assert re.match(r"logins: [1-9]\d* requests, p95 \d+ ms, 0 errors$", logins), logins
    registered = next(line for line in lines if line.startswith("registered: "))
    counts = re.match(
        r"registered: (\d+) answered \(form (\d+), API (\d+)\), (\d+) rows; missing 0, "
        r"doubled 0, stored unanswered 0; alerts delivered (\d+)/(\d+); audit chain verified$",
        registered,
    )
    assert counts, registered
    answered, form, api, rows, sent, made = map(int, counts.groups())
    assert form > 0 and api > 0 and answered == form + api == rows == int(final.group(4))
    assert sent == made
    cleanup = next(line for line in lines if line.startswith("cleanup: "))
    assert cleanup.startswith(f"cleanup: {rows} records of the load removed"), cleanup
