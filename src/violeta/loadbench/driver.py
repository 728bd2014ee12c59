"""The load's own process: ``python -m violeta.loadbench.driver CONFIG.json OUT.json``.

Locust's Python API (``Environment`` and a local runner), headless: one step per user count,
after every public URL was requested twice per server worker (warm, not measured). Each step
adds users (the ones already there keep their sessions), waits until the new ones have logged
in, settles for ``warmup_seconds``, then measures ``step_seconds``. Every response is kept with
its kind and time (exact percentiles, not Locust's rounded ones); logins are reported apart, and
so is the CPU the server, the worker and PostgreSQL used (``CpuMeter``). At the end users finish
what they were doing (``stop_timeout``), so every record they sent has its answer. No Django
here: gevent patches this process, first thing (before ssl is imported).
"""

from __future__ import annotations

from gevent import monkey

# ruff: noqa: E402 (the patch comes before anything imports ssl; the imports follow it)
monkey.patch_all()

import json
import sys
import time
from pathlib import Path
from typing import Any

import gevent
import psutil
import requests
from locust.env import Environment

from violeta.loadbench import locustfile, report


def _processes(config: dict[str, Any]) -> dict[str, list[psutil.Process]]:
    """The server (gunicorn's master and workers), the worker, and the PostgreSQL backends of
    the bench's database (none on SQLite)."""
    found: dict[str, list[psutil.Process]] = {}
    for name in ("server", "worker"):
        try:
            top = psutil.Process(config["pids"][name])
            found[name] = [top, *top.children(recursive=True)]
        except psutil.Error:
            found[name] = []
    database = config.get("database")
    found["postgresql"] = [
        process
        for process in (psutil.process_iter(["cmdline"]) if database else [])
        if (words := " ".join(process.info["cmdline"] or []).split())[:1] == ["postgres:"]
        and database in words
    ]
    return found


class CpuMeter:
    """CPU seconds those processes use during a step: sampled every half second, by process,
    so that a backend that ends (Django reconnects every minute) or starts keeps what it used
    (all but its last half second). The cost of a request apart from how busy the machine is."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.last: dict[int, float] = {}
        self.used: dict[str, float] = {}
        self.sample(count=False)

    def sample(self, *, count: bool = True) -> None:
        for name, processes in _processes(self.config).items():
            for process in processes:
                try:
                    times = process.cpu_times()
                    key = hash((process.pid, process.create_time()))
                except psutil.Error:  # gone meanwhile
                    continue
                now = times.user + times.system
                if count:
                    self.used[name] = self.used.get(name, 0.0) + now - self.last.get(key, 0.0)
                self.last[key] = now
            self.used.setdefault(name, 0.0)

    def watch(self) -> None:
        while True:
            gevent.sleep(0.5)
            self.sample()


def warm(config: dict[str, Any]) -> None:
    """Every public URL twice per server worker before the first step (a server that has been
    up a while has them warm; not measured)."""
    urls = config["observatory"]
    with requests.Session() as session:
        for url in [urls["home"], *urls["filtered"], *urls["downloads"]] * 2 * config["workers"]:
            session.get(f"{config['host']}{url}", timeout=120)


def run(config: dict[str, Any]) -> dict[str, Any]:
    locustfile.configure(config)
    users = [locustfile.Operator, locustfile.Caseworker, locustfile.Public, locustfile.Agency]
    env = Environment(user_classes=users, host=config["host"], stop_timeout=60)  # type: ignore[arg-type]
    samples: list[report.Sample] = []
    logins: list[report.Sample] = []

    def on_request(name: str, response_time: float, exception: Any, **_: Any) -> None:
        error = f"{type(exception).__name__}: {exception}" if exception else ""
        (logins if name == locustfile.LOGIN else samples).append((name, response_time, error))

    env.events.request.add_listener(on_request)
    runner = env.create_local_runner()
    warm(config)
    steps = []
    for count in config["steps"]:
        runner.start(count, spawn_rate=max(1, count))
        deadline = time.monotonic() + config.get("settle_seconds", 120)
        while time.monotonic() < deadline and (
            runner.user_count < count or locustfile.LOGGING_IN[0] > 0
        ):
            gevent.sleep(0.2)
        gevent.sleep(config.get("warmup_seconds", 2))
        samples.clear()
        meter = CpuMeter(config)
        watching = gevent.spawn(meter.watch)
        started = time.monotonic()
        gevent.sleep(config["step_seconds"])
        step = report.summarise(count, list(samples), time.monotonic() - started)
        watching.kill()
        meter.sample()
        step["cpu"] = meter.used
        steps.append(step)
        print("\n".join(report.step_lines(step)), flush=True)
    runner.stop()  # waits up to stop_timeout for users to finish their task
    runner.quit()
    return {
        "steps": steps,
        "logins": report.summarise(max(config["steps"]), logins, 1.0),
        "registered": locustfile.REGISTERED,
    }


def main(argv: list[str]) -> None:
    config = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    Path(argv[1]).write_text(json.dumps(run(config)), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
