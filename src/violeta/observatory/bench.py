"""``violeta bench observatory --records N [--database sqlite|postgres]``.

In a database of its own (``violeta_bench_obs_N``, built once by ``bench_fill`` and reused), it
measures what issue 7 asks: the refresh (how fresh the observatory can be), every public URL
requested ``--repeat`` times through Django's test client (p50 / p95 / max), and the limit: the
same figures computed directly by DuckDB over a Parquet export of the same facts, in the same
run, checked equal to the release's published figures. One final line of figures.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from violeta.cases.models import CaseFollowUp
from violeta.observatory import bench_duckdb, disclosure, services
from violeta.observatory.bench_fill import TEMPLATE_WOMEN, fill
from violeta.observatory.models import CountState, Release
from violeta.observatory.selectors import SECTIONS, figures
from violeta.observatory.tables import ALCALDIA_TABLES, month_range
from violeta.people.models import Person, PersonKind
from violeta.records.models import AgencyRecord, ReportedIdentity

Say = Callable[[str], None]


def _timed(store: dict[str, float], name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            store[name] = store.get(name, 0.0) + time.perf_counter() - started

    return wrapper


def refresh() -> tuple[Release, float, dict[str, float]]:
    """``observatory_refresh`` timed whole and by part (counting, disclosure, the rest)."""
    parts: dict[str, float] = {}
    with (
        mock.patch.object(services, "fresh_tally", _timed(parts, "counting", services.fresh_tally)),
        mock.patch.object(disclosure, "suppress", _timed(parts, "disclosure", disclosure.suppress)),
    ):
        started = time.perf_counter()
        release = services.observatory_refresh()
        seconds = time.perf_counter() - started
    parts["writing and the rest"] = seconds - sum(parts.values())
    return release, seconds, parts


FRESH = 100  # records registered between the full count and the refresh that follows it


def register_now(count: int) -> list[int]:
    """``count`` records of new women registered now through ``record_register`` (what an
    operator's form does, linkage included), spread over alcaldías and types; their ids."""
    from violeta.agencies.models import Agency
    from violeta.catalogs.models import Alcaldia, Modality, RecordKind, ViolenceType
    from violeta.people.identity import IdentityInput
    from violeta.records.choices import RecordSource
    from violeta.records.services import record_register
    from violeta.records.validation import PartyInput, RecordInput

    agency, kind = (
        Agency.objects.get(code="SEMUJERES"),
        RecordKind.objects.get(code="service_session"),
    )
    places, types = list(Alcaldia.objects.all()), list(ViolenceType.objects.all())
    modality, ids, now = Modality.objects.get(code="familiar"), [], timezone.now()
    for n in range(count):
        victim = IdentityInput(given_names=f"Fresca{n}", first_surname=f"Bench{n % 37}")
        outcome = record_register(
            actor=None,
            source=RecordSource.API,
            new_victim=True,
            data=RecordInput(
                agency=agency, agency_record_id=f"BENCH-FRESH-{now:%Y%m%d%H%M%S}-{n}", kind=kind,
                occurred_at=now - dt.timedelta(minutes=n % 50), alcaldia=places[n % len(places)],
                colonia="", violence_types=[types[n % len(types)]], modalities=[modality],
                relationship="", weapons=[], risk_level="", narrative="", details={},
                victim=PartyInput(victim, age=18 + n % 50), aggressor=None,
            ),
        )  # fmt: skip
        ids.append(outcome.record.pk)
    return ids


def forget(records: list[int]) -> None:
    """The bench's registered records and their women removed (the fill is reused)."""
    people = list(
        ReportedIdentity.objects.filter(record_id__in=records).values_list("person_id", flat=True)
    )
    AgencyRecord.objects.filter(pk__in=records).delete()
    alone = Person.objects.filter(pk__in=people, mentions__isnull=True)
    CaseFollowUp.objects.filter(person__in=alone).delete()
    alone.delete()
    CountState.objects.all().delete()


def _largest(data: dict[str, tuple[int | None, int | None]], dim: str) -> str:
    published = [(r or 0, k.split("|")[1]) for k, (r, _) in data.items() if k.startswith(f"{dim}|")]
    return max(published)[1]


def public_urls(release: Release) -> list[str]:
    """Every public URL: the page with no filter, with a period, an alcaldía, a type and their
    combinations; each table's CSV; the open data."""
    data = figures(release)
    home = reverse("observatory:home")
    months = month_range(release.first_month, release.last_month)
    period = f"desde={months[max(0, len(months) - 12)]}&hasta={release.last_month}"
    place, kind = f"alcaldia={_largest(data, 'alcaldia')}", f"tipo={_largest(data, 'type')}"
    queries = ["", period, place, kind, f"{place}&{kind}", f"{period}&{place}&{kind}"]
    urls = [f"{home}?{q}" if q else home for q in queries]
    urls += [reverse("observatory:csv", args=[slug]) for slug in SECTIONS]
    urls += [
        f"{reverse('observatory:csv', args=[f'alcaldia-{d}'])}?{place}" for d in ALCALDIA_TABLES
    ]
    urls.append(f"{reverse('observatory:csv', args=['type-alcaldia'])}?{kind}")
    names = ("figures_csv", "figures_json", "dictionary", "datapackage")
    return urls + [reverse(f"observatory:{name}") for name in names]


def time_urls(urls: list[str], repeat: int) -> dict[str, tuple[float, float, float]]:
    """Each URL requested ``repeat`` times (after one warm-up): p50, p95, max in ms."""
    hosts = [h for h in settings.ALLOWED_HOSTS if h != "*"] or ["localhost"]
    client = Client(HTTP_HOST=hosts[0])
    secure = bool(getattr(settings, "SECURE_SSL_REDIRECT", False))
    found = {}
    # The bench has no collected static files: plain storage (a manifest look-up costs nothing).
    plain = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # fmt: skip
    with override_settings(STORAGES=plain):
        for url in urls:
            found[url] = _time_url(client, url, repeat, secure)
    return found


def _time_url(client: Client, url: str, repeat: int, secure: bool) -> tuple[float, float, float]:
    times = []
    for n in range(repeat + 1):
        started = time.perf_counter()
        response = client.get(url, secure=secure)
        _ = response.content
        if n:
            times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    p50, p95 = (bench_duckdb._percentile(times, p) for p in (0.5, 0.95))
    return p50, p95, max(times)


def run(
    records: int,
    *,
    repeat: int = 50,
    runs: int = 20,
    seed: int = 42,
    template_women: int = TEMPLATE_WOMEN,
    say: Say = print,
) -> tuple[str, dict[str, Any]]:
    """The whole bench in this process's database; the final line and what it measured."""
    filled = fill(records, seed=seed, template_women=template_women)
    women = Person.objects.filter(kind=PersonKind.WOMAN, merged_into=None).count()
    how = f"{filled:.1f} s" if filled else "reused"
    say(f"fill: {AgencyRecord.objects.count():,} records, {women:,} women, {how} "
        f"({connection.vendor})")  # fmt: skip
    CountState.objects.all().delete()  # the first refresh counts every record
    release, seconds, parts = refresh()
    data = figures(release)
    detail = ", ".join(f"{name} {value:.1f} s" for name, value in parts.items())
    say(f"refresh: {seconds:.1f} s ({detail}); {len(data):,} figures, {release.suppressed:,} "
        f"hidden, months {release.first_month}..{release.last_month}")  # fmt: skip
    added = register_now(FRESH)
    try:
        fresh, fresh_seconds, fresh_parts = refresh()
        how = CountState.objects.get().how
        total = fresh.figures.get(key="total").records
    finally:
        forget(added)
    if total != (data["total"][0] or 0) + FRESH:
        raise RuntimeError(f"after {FRESH} new records the total is {total}, not +{FRESH}")
    detail = ", ".join(f"{name} {value:.1f} s" for name, value in fresh_parts.items())
    say(f"refresh after {FRESH} new records: {fresh_seconds:.1f} s ({how}: {detail})")
    timings = time_urls(public_urls(release), repeat)
    for url, (p50, p95, top) in timings.items():
        say(f"  {url}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {top:.1f} ms")
    worst = max(timings, key=lambda u: timings[u][1])
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        exported = bench_duckdb.export(release, Path(tmp))
        export_seconds = time.perf_counter() - started
        say(f"duckdb export: {export_seconds:.1f} s ({exported})")
        stats, duck = bench_duckdb.aggregate(Path(tmp), runs)
    differ = list(bench_duckdb.compare(data, duck))
    compared = sum(1 for r, _ in data.values() if r)
    say(f"check: {compared:,} published figures compared with DuckDB's, {len(differ)} differ"
        + (f" (first: {differ[0]})" if differ else ""))  # fmt: skip
    line = (
        f"observatory: {records:,} records, refresh {seconds:.1f} s (after {FRESH} new records "
        f"{fresh_seconds:.1f} s), public queries p95 max "
        f"{timings[worst][1]:.1f} ms ({worst}), DuckDB aggregate p95 "
        f"{stats['p95_max'] * 1000:.1f} ms per table / {stats['all_tables']:.2f} s all tables"
    )
    return line, {
        "fill": filled, "refresh": seconds, "parts": parts, "fresh": fresh_seconds,
        "urls": timings, "duck": duck,
        "duck_stats": stats, "export": export_seconds, "differ": differ, "release": release,
        "compared": compared,
    }  # fmt: skip


def child(records: int, *, repeat: int, seed: int) -> str:
    """In the bench's database (this process): migrate, fill, measure."""
    call_command("migrate", verbosity=0)

    def say(text: str) -> None:
        print(text, flush=True)

    runs = max(2, min(20, 20_000_000 // max(1, records)))  # DuckDB's repeats: fewer at 10M
    line, _ = run(records, repeat=repeat, runs=runs, seed=seed, say=say)
    return line


def default_engine() -> str:
    """PostgreSQL when the configured database is one or ``VIOLETA_BENCH_POSTGRES_URL`` is set."""
    current = settings.DATABASES["default"]["ENGINE"]
    if current.endswith("postgresql") or os.environ.get("VIOLETA_BENCH_POSTGRES_URL"):
        return "postgres"
    return "sqlite"


def database_url(engine: str, name: str) -> str:
    """The bench's own database (created if missing, kept: a fill is reused)."""
    if engine == "sqlite":
        path = Path(settings.DATA_DIR) / "bench" / f"{name}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    from violeta.intake.bench import _connect, postgres_server

    server = postgres_server()
    with _connect(server) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')
    user, password = server.get("USER"), server.get("PASSWORD")
    auth = f"{user}:{password}@" if user else ""
    host, port = server.get("HOST") or "127.0.0.1", server.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{name}"


def run_child_bench(url: str, argv: list[str], name: str) -> str:
    """``violeta bench NAME ARGV`` in a child process pointed at the bench's database
    (``url``); its lines are echoed as they come and its final line (the figures) returned."""
    env = {**os.environ, "DATABASE_URL": url, "VIOLETA_BENCH_DATABASE": "1"}
    command = [sys.executable, "-m", "violeta.cli", "bench", name, *argv]
    process = subprocess.Popen(  # noqa: S603 - our own command, no shell
        command, env=env, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    last = ""
    for text in process.stdout:
        if last:
            print(last, flush=True)
        last = text.rstrip("\n")
    if process.wait() != 0:
        raise RuntimeError(f"the {name} bench failed (exit {process.returncode})")
    return last


def bench_observatory(records: int, *, database: str | None, repeat: int, seed: int) -> str:
    """The observatory bench in a child process pointed at its own database."""
    engine = database if database in ("sqlite", "postgres") else default_engine()
    url = database_url(engine, f"violeta_bench_obs_{records}")
    argv = ["--records", str(records), "--repeat", str(repeat), "--seed", str(seed)]
    return run_child_bench(url, argv, "observatory")
