"""The attacker who keeps every release: differencing across releases (mode k).

Between releases the data grows (time passes: records of new days and a new month), is
corrected (records moved to another alcaldía) and linked (women merged). The attacker keeps
every release ever published. Each figure of release ``r`` counts *atoms* (as in
test_attacker.py) that came into existence in some interval ``t <= r`` between releases, so
her unknowns are (atom, interval) pairs and a figure published as its value at ``r`` is the
sum over its atoms and intervals ``1..r``. She recovers:

* a hidden (or held) figure of release ``r`` iff its vector lies in the span of the published
  ones (of every release);
* a *change* of a figure between releases ``r' < r`` (its atoms over intervals ``r'+1..r``) the
  same way. No change of fewer than k records or women may be recoverable.

She is told which published values are current (stronger than reality: a held value looks
like any other). Told also that in some intervals records were only added, she drops the
(atom, interval) unknowns inside every figure that kept its exact value (nonnegativity).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.utils import timezone

from violeta.agencies.models import Agency
from violeta.intake.loader import import_file
from violeta.observatory import across, disclosure, services
from violeta.observatory.facts import alert_facts, record_facts
from violeta.observatory.models import Figure, PublishedValue, Release, ReleaseCounts
from violeta.observatory.services import observatory_refresh
from violeta.observatory.tables import key_text, month_range
from violeta.observatory.tests.test_attacker import _atom, _categories, _member, _random_atoms
from violeta.people.models import Person
from violeta.records.models import AgencyRecord
from violeta.synth.generate import generate

K = 5
SINCE = "2026-07"
RANDOM_ATOMS = 500
WOMEN = int(__import__("os").environ.get("OBS_WOMEN", "500"))
pytestmark = pytest.mark.django_db


def _at(day: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(day + "T12:00"))


def _correct(rng: random.Random, n: int) -> None:
    """Move ``n`` records of the published period to another alcaldía (a correction; saved,
    as the record's update does: its ``updated_at`` moves)."""
    records = list(
        AgencyRecord.objects.filter(occurred_at__gte=_at("2026-07-01"), alcaldia__isnull=False)
        .order_by("pk")
        .values_list("pk", "alcaldia_id")
    )
    places = sorted({place for _, place in records})
    for pk, place in rng.sample(records, n):
        AgencyRecord.objects.filter(pk=pk).update(
            alcaldia_id=rng.choice([p for p in places if p != place]), updated_at=timezone.now()
        )


def _merge(rng: random.Random, n: int) -> None:
    """Link ``n`` pairs of women (the later found to be the earlier)."""
    people = list(Person.objects.filter(merged_into__isnull=True).order_by("pk"))
    for a, b in zip(rng.sample(people, n), rng.sample(people, n), strict=True):
        if a.pk != b.pk and not Person.objects.filter(merged_into=a).exists():
            Person.objects.filter(pk=a.pk).update(merged_into=b)
            Person.objects.filter(merged_into=a).update(merged_into=b)


@pytest.fixture
def city(catalogs: None, tmp_path: Path) -> Path:
    """A bigger synthetic city than ``synthetic``: recent months have figures of k or more."""
    out = tmp_path / "city"
    generate(out, women=WOMEN, seed=7)
    for path in sorted(out.glob("*.csv")):
        if path.stem not in {"truth", "truth_people"}:
            import_file(agency=Agency.objects.get(code=path.stem), path=path)
    return out


@pytest.fixture
def releases(city: Path, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Five releases over two months, with corrections and merges between them, and for
    each: what was published, the true counts and the atoms that existed."""
    truths: list[tuple[dict[Any, int], dict[Any, int]]] = []
    original = services.protect_k

    def spy(records: Any, women: Any, *args: Any, **kwargs: Any) -> Any:
        truths.append((dict(records), dict(women)))
        return original(records, women, *args, **kwargs)

    monkeypatch.setattr(services, "protect_k", spy)
    rng = random.Random(11)
    steps = [
        ("2026-08-12", None),
        ("2026-08-26", None),
        ("2026-09-09", lambda: _correct(rng, 8)),
        ("2026-09-23", lambda: _merge(rng, 6)),
        ("2026-10-07", lambda: (_correct(rng, 4), _merge(rng, 3))),
    ]
    found = []
    for day, change in steps:
        if change:
            change()
        now = _at(day)
        release = observatory_refresh(k=K, since=SINCE, now=now)
        records, women = truths[-1]
        months = month_range(release.first_month, release.last_month)
        facts = Counter(_atom(f) for f in record_facts(until=now) if f.month in months)
        facts.update(("a", a.month, a.level) for a in alert_facts(until=now) if a.month in months)
        found.append({
            "release": release,
            "published": {f.key: (f.records, f.women) for f in release.figures.all()},
            "truth": {key_text(key): (records[key], women[key]) for key in records},
            "atoms": facts, "months": months,
        })  # fmt: skip
    return found


def _attack(
    releases: list[dict[str, Any]], only_added: tuple[int, ...] = ()
) -> list[tuple[str, ...]]:
    """What the attacker recovers that she must not: hidden or held figures, small changes.
    ``only_added``: intervals in which she knows records were only added (no corrections):
    there a figure whose exact value did not change had no atom added (nonnegativity), so she
    drops those (atom, interval) unknowns, as she drops atoms inside a published zero."""
    keys = sorted(set().union(*(r["published"] for r in releases)))
    months = releases[-1]["months"]
    cats = _categories(keys)
    real = set().union(*(r["atoms"] for r in releases))
    atoms = sorted(real | _random_atoms(random.Random(3), months, cats, RANDOM_ATOMS), key=repr)
    member = np.array([[_member(k, a) for a in atoms] for k in keys], dtype=float)
    index = {k: i for i, k in enumerate(keys)}
    n = len(releases)
    last = [r["months"][-1] for r in releases]
    # An atom of month m cannot have come into existence before a release that had month m.
    alive = np.array(
        [[(a[1] <= last[t]) for a in atoms] for t in range(n)], dtype=float
    )  # interval t x atom

    for t in only_added:
        for key, value in releases[t]["published"].items():
            before = releases[t - 1]["published"].get(key)
            current = value == releases[t]["truth"][key] and before == releases[t - 1]["truth"][key]
            if value[0] is not None and value == before and current:  # known: nothing added
                alive[t] *= 1 - member[index[key]]

    def vector(key: str, intervals: range) -> np.ndarray:
        row = np.zeros((n, len(atoms)))
        for t in intervals:
            row[t] = member[index[key]] * alive[t]
        return row.ravel()

    rows = []
    targets: list[tuple[tuple[Any, ...], str, range]] = []
    for r, rel in enumerate(releases):
        for key, value in rel["published"].items():
            if value[0] is not None and value == rel["truth"][key]:  # current
                rows.append(vector(key, range(r + 1)))
            else:
                targets.append((("hidden or held", r, key), key, range(r + 1)))
        for earlier in range(r):
            for key, (records, women) in rel["truth"].items():
                before = releases[earlier]["truth"].get(key)
                pairs = zip((records, women), before or (), strict=False)
                if before and any(0 < abs(a - b) < K for a, b in pairs):
                    label = ("small change", earlier, r, key)
                    targets.append((label, key, range(earlier + 1, r + 1)))
    assert rows and targets
    matrix = np.array(rows)
    _, singular, vt = np.linalg.svd(matrix, full_matrices=False)
    basis = vt[: int((singular > 1e-8 * singular.max() * max(matrix.shape)).sum())]
    recovered = []
    for label, key, intervals in targets:
        target = vector(key, intervals)
        if target.any() and np.linalg.norm(target - basis.T @ (basis @ target)) < 1e-6:
            recovered.append(label)
    return recovered


def test_every_release_is_kept_and_none_reveals_a_small_figure_or_change(
    releases: list[dict[str, Any]],
) -> None:
    # The history: every release's metadata; figures of the current and the replaced one.
    assert Release.objects.count() == len({r["release"].pk for r in releases}) >= 4
    assert Release.objects.filter(is_current=True).count() == 1
    assert Figure.objects.values("release").distinct().count() == 2
    # the exact counts (internal, for the audit of the next release) of those two only
    kept = set(ReleaseCounts.objects.values_list("release", flat=True))
    assert kept == set(Figure.objects.values_list("release", flat=True).distinct())
    for rel in releases:
        for key, (records, women) in rel["published"].items():
            if records is not None and (records, women) == rel["truth"][key]:
                assert PublishedValue.objects.filter(key=key, records=records, women=women).exists()
    # On the values shown: a figure shown in two releases kept its value or moved by at least
    # k records and k women; none counts fewer than k women.
    held = 0
    for r, rel in enumerate(releases):
        for key, (records, women) in rel["published"].items():
            if records is None:
                continue
            assert women is not None and women >= K
            for earlier in releases[:r]:
                old = earlier["published"].get(key, (None, None))
                if old[0] is not None and old != (records, women):
                    assert abs(records - old[0]) >= K and abs(women - (old[1] or 0)) >= K, key
            held += (records, women) != rel["truth"][key]
    assert held >= 10, "the data must have held figures to test the rule"
    # The attacker with every release and the atoms' history.
    assert _attack(releases) == []
    # The attacker who also assumes that in some intervals records were only added: every
    # figure that kept its exact value had nothing added (nonnegativity). The audit against
    # the previous release (``across``) leaves her nothing either.
    assert _attack(releases, only_added=(1, 3)) == []
    assert _attack(releases, only_added=(1, 2, 3, 4)) == []


def test_without_the_audit_across_releases_she_solves_more_assuming_only_additions(
    city: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """Control: without the ``across`` audit the linear rules still hold, yet the attacker who
    assumes additions only pins down hidden figures (before the audit: a provisional-month
    cell of 3 women, hidden, then shown as 9 when everything around it gained nothing)."""
    monkeypatch.setattr(across, "exposed", lambda *args, **kwargs: set())
    monkeypatch.setattr(across, "unchanged", lambda *args, **kwargs: set())
    releases = request.getfixturevalue("releases")
    assert _attack(releases) == []
    assert _attack(releases, only_added=(1, 3))


def test_without_the_rule_across_releases_she_recovers_small_changes(
    city: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """Control: each release on its own is safe, yet without holding small changes the
    attacker subtracts consecutive releases."""
    monkeypatch.setattr(disclosure, "too_close", lambda *a, **kw: False)
    found = _attack(request.getfixturevalue("releases"))
    assert any(label[0] == "small change" for label in found)


def test_a_new_record_shows_in_the_month_total_once_k_new_women_arrived(
    catalogs: None,
) -> None:
    from violeta.observatory.tests.test_pages import _register

    now = _at("2026-11-15")  # mid-month: the records are in the refresh's month
    for n in range(6):
        _register(n, when=now - dt.timedelta(minutes=30))
    month = "month|2026-11"
    first = observatory_refresh(k=K, now=now)
    assert first.figures.get(key=month).women == 6
    for n in range(6, 9):  # three more women: a change of 3 < k is not shown
        _register(n, when=now - dt.timedelta(minutes=20))
    held = observatory_refresh(k=K, now=now)
    assert (held.figures.get(key=month).women, held.figures.get(key="total").women) == (6, 6)
    for n in range(9, 11):  # five new women since the last value shown: shown
        _register(n, when=now - dt.timedelta(minutes=10))
    fresh = observatory_refresh(k=K, now=now)
    assert fresh.figures.get(key=month).women == 11 == fresh.figures.get(key="total").women
    assert fresh.figures.get(key=month).records == 11


def test_too_close_compares_with_every_earlier_value() -> None:
    assert not disclosure.too_close((10, 8), [], 5)
    assert not disclosure.too_close((10, 8), [(10, 8)], 5)
    assert disclosure.too_close((12, 10), [(10, 8)], 5)
    assert not disclosure.too_close((15, 13), [(10, 8)], 5)
    assert disclosure.too_close((15, 9), [(10, 8)], 5)  # 5 records of one new woman
    # 10 -> 15 -> 11: 11 is 4 from 15 and 1 from 10
    assert disclosure.too_close((11, 9), [(10, 8), (15, 13)], 5)
    assert not disclosure.too_close((20, 18), [(10, 8), (15, 13)], 5)
