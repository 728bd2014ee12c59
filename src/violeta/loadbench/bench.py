"""``violeta bench load --records N [--users-steps 10,20,40,80] [--step-seconds S] [--workers W]``.

In a database of its own (``violeta_bench_load_N`` beside ``DATABASE_URL``'s, filled once by the
observatory bench's set-based fill and reused), the production server (``violeta serve``,
gunicorn with W workers) on a free loopback port and ``violeta worker`` beside it, both real
processes; then Locust (``driver.py``, the people of ``locustfile.py``) in a process of its own,
one step per user count. Afterwards: every record the load registered (answered 2xx) is stored
exactly once, the alerts it raised were delivered, the audit chain verifies; the load's records
are removed again so that the database is reused at N. One final line of figures.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from violeta.audit.selectors import audit_verify
from violeta.delivery.models import Delivery, State
from violeta.loadbench import report
from violeta.loadbench.setup import FOLIO_PREFIXES, forget_load, load_records, prepare
from violeta.records.models import AgencyRecord

Say = Callable[[str], None]
UNLIMITED = "1000000/min"  # the API's per-client and the open data's per-address rate limits


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_ready(url: str, server: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited ({server.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 - loopback
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the server did not answer {url} within {seconds:.0f} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process group we started (gunicorn's master and its workers), then KILL."""
    if process.poll() is None:
        os.killpg(process.pid, 15)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()


@contextmanager
def _serving(workers: int, logs: Path) -> Iterator[tuple[str, dict[str, int]]]:
    """``violeta serve`` and ``violeta worker`` against this database; the server's base URL
    and the processes' ids."""
    port = _free_port()
    env = {**os.environ, "VIOLETA_API_RATE": UNLIMITED, "VIOLETA_OBSERVATORY_API_RATE": UNLIMITED}
    cli = [sys.executable, "-m", "violeta.cli"]
    serve = [*cli, "serve", "--no-collectstatic", "--workers", str(workers)]
    serve += ["--bind", f"127.0.0.1:{port}"]
    processes = []
    try:
        for name, argv in (("server", serve), ("worker", [*cli, "worker", "--sleep", "0.5"])):
            log = (logs / f"{name}.log").open("wb")
            processes.append(
                subprocess.Popen(  # noqa: S603 - our own commands, no shell
                    argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
                )
            )
        base = f"http://127.0.0.1:{port}"
        _wait_ready(f"{base}/cuenta/entrar/", processes[0])
        yield base, {"server": processes[0].pid, "worker": processes[1].pid}
    finally:
        for process in processes:
            _stop(process)


def _drive(config: dict[str, Any], work: Path, say: Say) -> dict[str, Any]:
    """Locust in its own process; its step lines echoed as they come."""
    (work / "config.json").write_text(json.dumps(config), encoding="utf-8")
    argv = [sys.executable, "-m", "violeta.loadbench.driver"]
    argv += [str(work / "config.json"), str(work / "out.json")]
    process = subprocess.Popen(  # noqa: S603 - our own command, no shell
        argv, stdout=subprocess.PIPE, stderr=(work / "driver.log").open("wb"), text=True
    )
    assert process.stdout is not None
    for text in process.stdout:
        say(text.rstrip("\n"))
    if process.wait() != 0:
        tail = (work / "driver.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"the load driver failed ({process.returncode}): {tail}")
    result: dict[str, Any] = json.loads((work / "out.json").read_text(encoding="utf-8"))
    return result


def stored_once(registered: dict[str, list[str]], run: str) -> dict[str, int]:
    """The folios answered 2xx against the rows: missing, doubled, and stored unanswered."""
    answered = registered["form"] + registered["api"]
    rows: dict[str, int] = {}
    for prefix in FOLIO_PREFIXES:
        folios = AgencyRecord.objects.filter(agency_record_id__startswith=f"{prefix}{run}-")
        for folio in folios.values_list("agency_record_id", flat=True):
            rows[folio] = rows.get(folio, 0) + 1
    return {
        "answered": len(answered),
        "rows": sum(rows.values()),
        "missing": sum(1 for f in answered if f not in rows),
        "doubled": sum(1 for n in rows.values() if n > 1) + len(answered) - len(set(answered)),
        "unanswered": sum(1 for f in rows if f not in set(answered)),
    }


def _delivered(since: Any, seconds: float = 30) -> tuple[int, int]:
    """Deliveries made since ``since``: (sent, all), once the worker had time to drain them."""
    made = Delivery.objects.filter(created_at__gte=since)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and made.exclude(state=State.SENT).exists():
        time.sleep(0.5)
    return made.filter(state=State.SENT).count(), made.count()


def _cpu_per_request(steps: list[dict[str, Any]]) -> str:
    """Over every step: CPU milliseconds per request, by process (how busy the machine was
    does not change it much; it tells what one core would serve)."""
    requests = sum(s["all"]["requests"] for s in steps)
    if not requests or not all(s.get("cpu") for s in steps):
        return ""
    ms = {name: 1000 * sum(s["cpu"][name] for s in steps) / requests for name in steps[0]["cpu"]}
    parts = ", ".join(f"{name} {value:.0f}" for name, value in ms.items())
    return f"; CPU per request {sum(ms.values()):.0f} ms ({parts})"


def run(
    records: int, *, steps: list[int], step_seconds: float, workers: int, seed: int, say: Say
) -> tuple[str, dict[str, Any]]:
    """The whole bench in this process's database; the final line and what it found."""
    clock = time.perf_counter()
    call_command("migrate", verbosity=0)
    config = prepare(records, seed=seed, users=max(steps), say=say)
    if "Manifest" in settings.STORAGES["staticfiles"]["BACKEND"]:
        call_command("collectstatic", interactive=False, verbosity=0)  # serve --no-collectstatic
    say(f"ready to load: {time.perf_counter() - clock:.1f} s (migrate, fill, accounts, static)")
    config.update(steps=steps, step_seconds=step_seconds, workers=workers)
    load = os.getloadavg()[0]
    started = timezone.now()
    clock = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, _serving(workers, Path(tmp)) as (base, pids):
        say(f"server: {base} ({workers} workers, {connection.vendor}) up in "
            f"{time.perf_counter() - clock:.1f} s, worker running; load average {load:.1f} on "
            f"{os.cpu_count()} cores")  # fmt: skip
        database = (
            settings.DATABASES["default"]["NAME"] if connection.vendor == "postgresql" else ""
        )
        result = _drive(
            {**config, "host": base, "pids": pids, "database": database}, Path(tmp), say
        )
        sent, deliveries = _delivered(started)
    logins = result["logins"]["all"]
    say(f"logins: {logins['requests']} requests, p95 {logins['p95']:.0f} ms, "
        f"{logins['errors']} errors")  # fmt: skip
    stored = stored_once(result["registered"], config["run"])
    verified = audit_verify()
    say(f"registered: {stored['answered']} answered (form {len(result['registered']['form'])}, "
        f"API {len(result['registered']['api'])}), {stored['rows']} rows; missing "
        f"{stored['missing']}, doubled {stored['doubled']}, stored unanswered "
        f"{stored['unanswered']}; alerts delivered {sent}/{deliveries}; audit chain "
        f"{'verified' if verified.ok else 'BROKEN'}")  # fmt: skip
    removed = AgencyRecord.objects.filter(load_records()).count()
    forget_load()
    say(f"cleanup: {removed} records of the load removed (the database holds {records:,} again)")
    once = stored["missing"] == stored["doubled"] == 0 and stored["answered"] == stored["rows"]
    line = (
        f"load: {records:,} records ({connection.vendor}), {workers} workers, steps "
        f"{'/'.join(map(str, steps))} users × {step_seconds:.0f} s, load average {load:.1f}: "
        f"{report.verdict(result['steps'])}; {stored['answered']} records registered, "
        f"{'each stored once' if once else 'NOT each stored once'}, audit chain "
        f"{'verified' if verified.ok else 'BROKEN'}{_cpu_per_request(result['steps'])}"
    )
    return line, {
        **result,
        "stored": stored,
        "verified": verified.ok,
        "delivered": (sent, deliveries),
    }


def child(records: int, *, steps: list[int], step_seconds: float, workers: int, seed: int) -> str:
    def say(text: str) -> None:
        print(text, flush=True)

    line, _ = run(
        records, steps=steps, step_seconds=step_seconds, workers=workers, seed=seed, say=say
    )
    return line


def bench_load(url: str, argv: list[str]) -> str:
    """The load bench in a child process pointed at its own database (``url``)."""
    from violeta.observatory.bench import run_child_bench

    return run_child_bench(url, argv, "load")
