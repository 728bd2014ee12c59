"""A refresh that counts again only the women touched gives exactly what a full count gives,
and counts everything again whenever the registers did anything but grow."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import timezone

from violeta.agencies.models import Agency
from violeta.catalogs.models import Alcaldia
from violeta.intake.loader import import_file
from violeta.observatory.counting import first_month, sql_tally
from violeta.observatory.incremental import fresh_tally
from violeta.observatory.models import CountState
from violeta.observatory.services import observatory_refresh
from violeta.observatory.tables import month_range
from violeta.people.models import Person, PersonKind
from violeta.records.choices import PartyRole
from violeta.records.models import AgencyRecord, ReportedIdentity
from violeta.synth.generate import generate

FIRST = ("C5", "SSC")  # imported before the first count; the other agencies' files after it
pytestmark = pytest.mark.django_db


def _import(folder: Path, codes: set[str]) -> None:
    for path in sorted(folder.glob("*.csv")):
        if path.stem in codes:
            import_file(agency=Agency.objects.get(code=path.stem), path=path)


@pytest.fixture
def city(catalogs: None, tmp_path: Path) -> Path:
    out = tmp_path / "city"
    generate(out, women=120, seed=11)
    _import(out, set(FIRST))
    return out


def _count(now: dt.datetime) -> tuple[dict[object, int], dict[object, int], str]:
    months = month_range(first_month(now), timezone.localtime(now).strftime("%Y-%m"))
    t, state = fresh_tally(months=months, until=now)
    return t.records, t.women(), state.how


def _full(now: dt.datetime) -> tuple[dict[object, int], dict[object, int]]:
    months = month_range(first_month(now), timezone.localtime(now).strftime("%Y-%m"))
    t = sql_tally(months=months, until=now)
    return t.records, t.women()


def test_new_records_are_counted_by_difference_and_equal_a_full_count(city: Path) -> None:
    now = timezone.now()
    records, women, how = _count(now)
    assert how == CountState.How.FULL and (records, women) == _full(now)
    before = records[("total",)]
    mark = ReportedIdentity.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    _import(city, {"FGJ", "SEMUJERES", "LINEA", "SEDESA"})  # other agencies, new women
    # Some new records attached to files counted before, as a registration that links her
    # to her file does: their women's figures move by difference, not by one per record.
    earlier = Person.objects.filter(mentions__pk__lte=mark, mentions__role=PartyRole.VICTIM)
    counted = list(earlier.distinct().values_list("pk", flat=True)[:20])
    new = ReportedIdentity.objects.filter(role=PartyRole.VICTIM, pk__gt=mark).order_by("pk")
    for n, identity in enumerate(new[:40]):
        ReportedIdentity.objects.filter(pk=identity.pk).update(person_id=counted[n % 20])
    later = now + dt.timedelta(minutes=5)
    records, women, how = _count(later)
    assert how == CountState.How.DELTA
    assert (records, women) == _full(later)
    assert records[("total",)] > before
    # Nothing new: the same counts, still by difference.
    assert _count(later + dt.timedelta(minutes=5))[:2] == (records, women)


def test_a_release_uses_the_counts_by_difference(city: Path) -> None:
    now = timezone.now()
    first = observatory_refresh(k=5, now=now)
    _import(city, {"FGJ", "SEMUJERES"})
    second = observatory_refresh(k=5, now=now + dt.timedelta(minutes=5))
    assert CountState.objects.get().how == CountState.How.DELTA
    assert second.pk != first.pk
    total = second.figures.get(key="total")
    assert (total.records, total.women) == tuple(v[("total",)] for v in _full(now))


def _grow_then(city: Path, change: object) -> tuple[str, bool]:
    now = timezone.now()
    _count(now)
    _import(city, {"FGJ"})
    change()  # type: ignore[operator]
    later = now + dt.timedelta(minutes=5)
    records, women, how = _count(later)
    return how, (records, women) == _full(later)


def _relink() -> None:
    """As ``violeta link`` re-points identities: a queryset update, no timestamp moves."""
    a, b = Person.objects.filter(kind=PersonKind.WOMAN, merged_into=None).order_by("pk")[:2]
    ReportedIdentity.objects.filter(person=b).update(person=a)


def _merge() -> None:
    """Two files counted before merged (the absorbed file keeps its identities)."""
    a, b = Person.objects.filter(kind=PersonKind.WOMAN, merged_into=None).order_by("pk")[2:4]
    Person.objects.filter(pk=b.pk).update(merged_into=a)


def _correct() -> None:
    """A record of the first count moved to another alcaldía (its ``updated_at`` moves)."""
    record = AgencyRecord.objects.filter(agency__code="C5", alcaldia__isnull=False).first()
    assert record is not None
    record.alcaldia = Alcaldia.objects.exclude(pk=record.alcaldia_id).first()
    record.save()


def _delete() -> None:
    AgencyRecord.objects.filter(agency__code="SSC").order_by("pk").first().delete()  # type: ignore[union-attr]


@pytest.mark.parametrize("change", [_relink, _merge, _correct, _delete])
def test_anything_but_growth_counts_everything_again(city: Path, change: object) -> None:
    how, equal = _grow_then(city, change)
    assert how == CountState.How.FULL
    assert equal


def test_without_the_checks_a_change_would_go_unseen(city: Path) -> None:
    """Control: with the checksum switched off, a re-link is counted by difference, and the
    figures come out wrong: the checks above are what keeps them right."""
    from violeta.observatory import incremental

    real = incremental._checksum

    def blind(*, low: int, high: int) -> list[int]:
        return [0, 0, 0]

    incremental._checksum = blind  # type: ignore[assignment]
    try:
        how, equal = _grow_then(city, _relink)
    finally:
        incremental._checksum = real  # type: ignore[assignment]
    assert how == CountState.How.DELTA
    assert not equal


def test_too_many_women_touched_or_too_long_since_a_full_count(city: Path) -> None:
    now = timezone.now()
    _count(now)
    _import(city, {"FGJ"})
    with override_settings(OBSERVATORY_DELTA_MAX_WOMEN=1):
        assert _count(now + dt.timedelta(minutes=5))[2] == CountState.How.FULL
    _import(city, {"SEMUJERES"})
    assert _count(now + dt.timedelta(minutes=10))[2] == CountState.How.DELTA
    CountState.objects.update(full_at=timezone.now() - dt.timedelta(hours=25))
    assert _count(now + dt.timedelta(minutes=15))[2] == CountState.How.FULL
    # A count up to an earlier moment than the last one cannot build on it.
    assert _count(now)[2] == CountState.How.FULL
