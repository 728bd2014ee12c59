"""``violeta bench alerts``: how fast an alert reaches the inbox, and what the rules catch.

Run in a database of the bench's own (emptied first; see ``core/management/commands/bench.py``).

1. **Latency.** Records arrive at ``rate`` per second for ``seconds`` (each an order breach a
   police unit registers, for a new woman: one alarma each), through ``record_register`` as the
   pages and imports call it, while ``violeta worker`` runs in its own process. For each record,
   from its commit to its message in the on-duty operator's inbox (the row the page polls):
   p50, p99 and max. The page itself asks every few seconds (``data-poll-seconds``): that wait
   comes on top and is reported beside.
2. **Trajectories.** The generator's files (``women``, ``seed``) are replayed in the order the
   events happened, each record registered at its own time (the clock is moved to it), so every
   rule sees the file as it stood then. With the truth's escalating women and their severe
   event: the share of them with an alarma before it, the median lead time, and the alarms per
   1,000 women per month. These are properties of the synthetic data and of the shipped rules,
   not evidence about real women; no risk assessments are made in the replay, so the rules that
   need a level (``record_at_high_risk``, ``order_expiring``, ``unanswered_followup``) stay
   silent.
"""

from __future__ import annotations

import csv
import datetime as dt
import multiprocessing
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

from django.db import connections, transaction
from django.utils import timezone
from faker import Faker

from violeta.agencies.models import Agency, User
from violeta.alerts.models import Alert
from violeta.delivery.models import InboxMessage
from violeta.intake.mapping import load_mapping, read_rows, translate_row
from violeta.records.choices import PartyRole, RecordSource
from violeta.records.models import ReportedIdentity
from violeta.records.services import record_register
from violeta.records.validation import Catalogs, RecordInput, RecordInvalid, validate_record
from violeta.synth.generate import generate

INBOX_POLL_SECONDS = 5  # live.js default for [data-poll-url]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# -- 1. latency --------------------------------------------------------------------------------


def _breach(fake: Faker, n: int, when: dt.datetime) -> dict[str, Any]:
    return {
        "agency_record_id": f"BENCH-{n:07d}",
        "kind": "police_intervention",
        "occurred_at": when.replace(tzinfo=None, microsecond=0).isoformat(),
        "alcaldia": "09007",
        "violence_types": ["fisica"],
        "modalities": ["familiar"],
        "relationship": "pareja",
        "weapons": [],
        "details": {"event": "order_breach"},
        "victim": {
            "given_names": fake.first_name_female(),
            "first_surname": fake.last_name(),
            "second_surname": fake.last_name(),
            "age": str(18 + n % 50),
            "sex": "M",
        },
        "aggressor": {"given_names": fake.first_name_male(), "first_surname": fake.last_name()},
    }


@dataclass
class Latency:
    records: int
    rate: float  # achieved, records per second
    seconds: list[float]  # commit → inbox, one per record


def _produce(
    rank: int, producers: int, rate: float, total: int, start: float, seed: int, out: Any
) -> None:
    """One producer process (as one of the server's workers): records rank, rank+producers…,
    each at its time on the shared schedule; puts {record id: commit time} on ``out``."""
    ssc = Agency.objects.get(code="SSC")
    cats = Catalogs.load()
    fake = Faker("es_MX")
    fake.seed_instance(seed + rank)
    committed: dict[int, float] = {}
    for n in range(rank, total, producers):
        pause = start + n / rate - time.time()
        if pause > 0:
            time.sleep(pause)
        data = validate_record(_breach(fake, n, timezone.localtime()), agency=ssc, cats=cats)
        with transaction.atomic():
            outcome = record_register(actor=None, data=data, source=RecordSource.API)
        committed[outcome.record.pk] = time.time()
    out.put(committed)


def measure_latency(*, rate: float, seconds: float, producers: int, seed: int) -> Latency:
    """Register records at ``rate`` per second from ``producers`` processes (the server's
    workers) with ``violeta worker`` running; time each record from commit to the inbox."""
    c5 = Agency.objects.get(code="C5")
    operator = User.objects.create_user(username="bench-c5", agency=c5, role="operator")
    worker = subprocess.Popen(
        [sys.executable, "-m", "violeta.cli", "worker", "--sleep", "0.05"],
        stdout=subprocess.DEVNULL,
    )
    committed: dict[int, float] = {}
    try:
        time.sleep(3)  # the worker's start-up (Django's set-up), not part of any latency
        total = int(rate * seconds)
        connections.close_all()  # each forked producer opens its own connection
        context = multiprocessing.get_context("fork")
        out = context.Queue()
        start = time.time() + 1
        args = [(rank, producers, rate, total, start, seed, out) for rank in range(producers)]
        processes = [context.Process(target=_produce, args=a) for a in args]
        for process in processes:
            process.start()
        for _process in processes:
            committed.update(out.get(timeout=seconds * 10 + 60))
        for process in processes:
            process.join()
        achieved = total / max(max(committed.values()) - start, 1e-9)
        arrived = _wait_for_inbox(operator, committed, timeout=60)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    return Latency(records=total, rate=achieved, seconds=arrived)


def _wait_for_inbox(operator: User, committed: dict[int, float], timeout: float) -> list[float]:
    """Commit → inbox seconds for each record (a record never delivered fails the bench)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if InboxMessage.objects.filter(user=operator).count() >= len(committed):
            break
        time.sleep(0.2)
    alert_record = {a.pk: a.evidence[0] for a in Alert.objects.filter(rule_code="order_breach")}
    seconds = []
    for message in InboxMessage.objects.filter(user=operator).select_related("delivery"):
        if message.delivery is None:
            continue
        record = alert_record.get(message.delivery.subject_id)
        if record in committed:
            seconds.append(message.created_at.timestamp() - committed[record])
    if len(seconds) != len(committed):
        raise RuntimeError(f"{len(committed) - len(seconds)} records never reached the inbox")
    return seconds


# -- 2. trajectories ---------------------------------------------------------------------------


@contextmanager
def _clock_at(when: dt.datetime) -> Iterator[None]:
    """Every ``timezone.now()`` of the registration (windows, alert times) answers ``when``."""
    with mock.patch("django.utils.timezone.now", return_value=when):
        yield


def _files_in_order(folder: Path) -> list[tuple[dt.datetime, RecordInput]]:
    cats = Catalogs.load()
    rows: list[tuple[dt.datetime, RecordInput]] = []
    for agency in Agency.objects.order_by("code"):
        path = folder / f"{agency.code}.csv"
        if not path.exists():
            continue
        mapping = load_mapping(agency.code)
        for number, row in read_rows(path, mapping):
            canonical, errors = translate_row(mapping, row, number)
            if errors or canonical is None:
                continue
            try:
                data = validate_record(canonical, agency=agency, cats=cats, keep_invalid_curp=True)
            except RecordInvalid:
                continue
            rows.append((data.occurred_at, data))
    rows.sort(key=lambda pair: pair[0])
    return rows


@dataclass
class Trajectories:
    women: int
    records: int
    escalating: int
    preceded: int  # escalating women with an alarma before their severe event
    lead_days: list[float]
    alarms: int
    alarms_on_others: int  # alarms about women who were not escalating
    months: float
    replay_seconds: float


def replay_trajectories(*, women: int, seed: int) -> Trajectories:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        generate(folder, women=women, seed=seed, records_per_woman=3.0)
        rows = _files_in_order(folder)
        truth_of = _truth(folder / "truth.csv")
        people = list(csv.DictReader((folder / "truth_people.csv").open(encoding="utf-8")))
    before = Alert.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    started = time.perf_counter()
    for when, data in rows:
        with _clock_at(when), transaction.atomic():
            record_register(actor=None, data=data, source=RecordSource.IMPORT)
    replay_seconds = time.perf_counter() - started
    severe = {
        p["person_id"]: timezone.make_aware(dt.datetime.fromisoformat(p["severe_event_at"]))
        for p in people
        if p.get("severe_event_at")
    }
    file_truth = _file_truth(truth_of)
    first_alarm: dict[str, dt.datetime] = {}
    alarms = alarms_on_others = 0
    for alert in Alert.objects.filter(level="alarma", pk__gt=before).order_by("created_at"):
        alarms += 1
        woman = file_truth.get(alert.person_id)
        if woman not in severe:
            alarms_on_others += 1
        elif alert.created_at < severe[woman]:
            first_alarm.setdefault(woman, alert.created_at)
    lead = [(severe[w] - at).total_seconds() / 86400 for w, at in first_alarm.items()]
    span = (rows[-1][0] - rows[0][0]).days / 30.44 if rows else 0.0
    return Trajectories(
        women=women,
        records=len(rows),
        escalating=len(severe),
        preceded=len(first_alarm),
        lead_days=lead,
        alarms=alarms,
        alarms_on_others=alarms_on_others,
        months=span,
        replay_seconds=replay_seconds,
    )


def _truth(path: Path) -> dict[tuple[str, str], str]:
    with path.open(encoding="utf-8") as handle:
        return {
            (row["agency"], row["agency_record_id"]): row["person_id"]
            for row in csv.DictReader(handle)
            if row["role"] == "victim"
        }


def _file_truth(truth_of: dict[tuple[str, str], str]) -> dict[int, str]:
    """Each woman's file → the true woman most of its records are about."""
    votes: dict[int, Counter[str]] = {}
    parties = ReportedIdentity.objects.filter(role=PartyRole.VICTIM).values_list(
        "person_id", "record__agency__code", "record__agency_record_id"
    )
    for person, agency, record_id in parties:
        woman = truth_of.get((agency, record_id))
        if woman is not None:
            votes.setdefault(person, Counter())[woman] += 1
    return {person: counter.most_common(1)[0][0] for person, counter in votes.items()}


def bench_alerts(*, women: int, rate: float, seconds: float, producers: int, seed: int) -> str:
    latency = measure_latency(rate=rate, seconds=seconds, producers=producers, seed=seed)
    t = replay_trajectories(women=women, seed=seed)
    share = t.preceded / t.escalating if t.escalating else 0.0
    median_lead = statistics.median(t.lead_days) if t.lead_days else 0.0
    per_1000 = t.alarms / women * 1000 / t.months if t.months else 0.0
    lat = latency.seconds
    return (
        f"alerts: latency {latency.records} records at {latency.rate:.1f}/s from {producers} "
        f"processes: commit→inbox "
        f"p50 {_percentile(lat, 0.5):.3f} s, p99 {_percentile(lat, 0.99):.3f} s, "
        f"max {max(lat):.3f} s (+ page poll ≤{INBOX_POLL_SECONDS} s); "
        f"trajectories {t.women} women, {t.records} records replayed in {t.replay_seconds:.0f} s: "
        f"{t.preceded}/{t.escalating} escalating women ({share:.1%}) had an alarma before the "
        f"severe event, median lead {median_lead:.0f} days; {t.alarms} alarms "
        f"({t.alarms_on_others} about non-escalating women) over {t.months:.0f} months = "
        f"{per_1000:.2f} alarms per 1,000 women per month"
    )
