"""The load bench's verdict: which step held p95 < 300 ms with no errors, which broke and how."""

from __future__ import annotations

from violeta.loadbench.report import percentile, step_lines, summarise, verdict


def _step(users: int, times: dict[str, list[float]], errors: dict[str, int] | None = None) -> dict:
    samples = []
    for kind, values in times.items():
        for n, ms in enumerate(values):
            failed = n < (errors or {}).get(kind, 0)
            samples.append((kind, ms, "HTTPError: 500" if failed else ""))
    return summarise(users, samples, 10.0)


def test_percentiles_are_nearest_rank() -> None:
    values = [float(n) for n in range(1, 101)]
    assert (percentile(values, 0.5), percentile(values, 0.95), percentile(values, 0.99)) == (
        50.0,
        95.0,
        99.0,
    )
    assert percentile([], 0.95) == 0.0


def test_summary_by_kind() -> None:
    step = _step(10, {"search": [100.0] * 19 + [900.0], "person file": [50.0] * 10})
    assert step["all"]["requests"] == 30 and step["all"]["rps"] == 3.0
    assert step["kinds"]["search"]["p95"] == 100.0 and step["kinds"]["search"]["max"] == 900.0
    assert step_lines(step)[0].startswith("step 10 users, 10 s: 3.0 req/s, p50 100 ms")


def test_verdict_names_the_highest_held_step_and_the_first_broken() -> None:
    fast = _step(10, {"search": [120.0] * 40, "observatory": [80.0] * 40})
    slow = _step(20, {"search": [120.0] * 10 + [450.0] * 30, "observatory": [90.0] * 40})
    failing = _step(40, {"search": [100.0] * 40, "api: POST record": [100.0] * 10}, {"search": 3})
    text = verdict([fast, slow, failing])
    assert text.startswith("held 10 users at 8.0 req/s (p95 120 ms, 0 errors); broke at 20 users")
    assert "p95 450 ms (slowest: search, p95 450 ms)" in text
    assert verdict([fast, failing]).endswith("3 errors (most: search, 3)")
    assert verdict([fast]).endswith("did not break up to 10 users")
    assert verdict([slow]).startswith("held no step; broke at 20 users")
