"""The load bench's figures: each step summarised by request kind, and the verdict (which step
held p95 < 300 ms with no errors, which one broke it and how). Plain Python: the driver (Locust's
process) and the bench (Django's) both use it."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

P95_LIMIT_MS = 300.0
LOGIN = "login"
REGISTER_FORM, REGISTER_SAVE = "register: form", "register: save"
SEARCH, PERSON_FILE = "search", "person file"
OBSERVATORY, FILTERED, DOWNLOAD = "observatory", "observatory: filtered", "observatory: download"
API_RECORD = "api: POST record"
KINDS = (  # every kind but the login
    REGISTER_FORM,
    REGISTER_SAVE,
    SEARCH,
    PERSON_FILE,
    OBSERVATORY,
    FILTERED,
    DOWNLOAD,
    API_RECORD,
)
Sample = tuple[str, float, str]  # request kind, response time in ms, error ("" when none)


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def _figures(times: list[float], errors: int, seconds: float) -> dict[str, float]:
    return {
        "requests": len(times),
        "errors": errors,
        "rps": len(times) / seconds if seconds else 0.0,
        "p50": percentile(times, 0.50),
        "p95": percentile(times, 0.95),
        "p99": percentile(times, 0.99),
        "max": max(times, default=0.0),
    }


def summarise(users: int, samples: list[Sample], seconds: float) -> dict[str, Any]:
    """One step: the figures of all requests together and of each kind; the commonest errors."""
    kinds: dict[str, list[float]] = {}
    failed: Counter[str] = Counter()
    messages: Counter[str] = Counter()
    for kind, ms, error in samples:
        kinds.setdefault(kind, []).append(ms)
        if error:
            failed[kind] += 1
            messages[f"{kind}: {error[:160]}"] += 1
    return {
        "users": users,
        "seconds": seconds,
        "all": _figures([ms for _, ms, _ in samples], sum(failed.values()), seconds),
        "kinds": {k: _figures(v, failed[k], seconds) for k, v in sorted(kinds.items())},
        "messages": messages.most_common(5),
    }


def step_lines(step: dict[str, Any]) -> list[str]:
    a = step["all"]
    lines = [
        f"step {step['users']} users, {step['seconds']:.0f} s: {a['rps']:.1f} req/s, "
        f"p50 {a['p50']:.0f} ms, p95 {a['p95']:.0f} ms, p99 {a['p99']:.0f} ms, "
        f"{a['errors']} errors of {a['requests']}"
    ]
    if step.get("cpu") and a["requests"]:
        ms = {name: 1000 * seconds / a["requests"] for name, seconds in step["cpu"].items()}
        lines.append(
            "  CPU per request: "
            + ", ".join(f"{name} {value:.0f} ms" for name, value in ms.items())
            + f" (all {sum(ms.values()):.0f} ms)"
        )
    for kind, f in step["kinds"].items():
        lines.append(
            f"  {kind}: {f['rps']:.1f}/s, p50 {f['p50']:.0f}, p95 {f['p95']:.0f}, "
            f"p99 {f['p99']:.0f}, max {f['max']:.0f} ms, {f['errors']} errors of {f['requests']}"
        )
    lines += [f"  error ×{n}: {text}" for text, n in step["messages"]]
    return lines


def held(step: dict[str, Any]) -> bool:
    return step["all"]["requests"] > 0 and not broken_by(step)


def broken_by(step: dict[str, Any]) -> str:
    """What broke the step ("" if nothing): errors first (the kind with most), then p95 (the
    kind with the slowest p95)."""
    a, kinds = step["all"], step["kinds"]
    if a["errors"]:
        kind = max(kinds, key=lambda k: kinds[k]["errors"])
        return f"{a['errors']} errors (most: {kind}, {kinds[kind]['errors']})"
    if a["p95"] >= P95_LIMIT_MS:
        kind = max(kinds, key=lambda k: kinds[k]["p95"])
        return f"p95 {a['p95']:.0f} ms (slowest: {kind}, p95 {kinds[kind]['p95']:.0f} ms)"
    return ""


def verdict(steps: list[dict[str, Any]]) -> str:
    """The highest step held with p95 < 300 ms and no errors, and the first that broke."""
    good = [s for s in steps if held(s)]
    if good:
        best = max(good, key=lambda s: s["users"])
        a = best["all"]
        text = (
            f"held {best['users']} users at {a['rps']:.1f} req/s (p95 {a['p95']:.0f} ms, 0 errors)"
        )
    else:
        text = "held no step"
    bad = [s for s in steps if not held(s)]
    if bad:
        first = bad[0]
        text += f"; broke at {first['users']} users ({first['all']['rps']:.1f} req/s): "
        text += broken_by(first) or "no requests"
    else:
        text += f"; did not break up to {max(s['users'] for s in steps)} users"
    return text
