"""The load's own process: ``python -m violeta.loadbench.driver CONFIG.json OUT.json``.

Locust's Python API (``Environment`` and a local runner), headless: one step per user count.
Each step adds users (the ones already there keep their sessions), waits until the new ones
have logged in, settles for ``warmup_seconds``, then measures ``step_seconds``. Every response
is kept with its kind and time (exact percentiles, not Locust's rounded ones); logins are
reported apart. At the end users finish what they were doing (``stop_timeout``), so every
record they sent has its answer. No Django here: gevent patches this process.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import gevent
import psutil
from locust.env import Environment

from violeta.loadbench import locustfile, report


def _seconds(processes: list[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.Error:  # gone meanwhile
            continue
        total += times.user + times.system
    return total


def cpu(config: dict[str, Any]) -> dict[str, float]:
    """CPU seconds used so far by the server (gunicorn's master and workers), the worker, and
    the PostgreSQL backends of the bench's database (none on SQLite): the cost of a request
    apart from how busy the machine is."""
    found = {}
    for name in ("server", "worker"):
        try:
            top = psutil.Process(config["pids"][name])
            found[name] = _seconds([top, *top.children(recursive=True)])
        except psutil.Error:
            found[name] = 0.0
    backends = []
    database = config.get("database")
    for process in psutil.process_iter(["cmdline"]) if database else []:
        words = " ".join(process.info["cmdline"] or []).split()
        if words[:1] == ["postgres:"] and database in words:
            backends.append(process)
    found["postgresql"] = _seconds(backends)
    return found


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
        started, before = time.monotonic(), cpu(config)
        gevent.sleep(config["step_seconds"])
        step = report.summarise(count, list(samples), time.monotonic() - started)
        after = cpu(config)
        step["cpu"] = {name: after[name] - before[name] for name in after}
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
