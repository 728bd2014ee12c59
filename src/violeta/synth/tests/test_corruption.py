"""The corruption knobs change what the agencies typed, never the truth."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from pathlib import Path

import pytest
from stdnum.mx import curp as stdnum_curp

from violeta.synth import PRESETS, CorruptionConfig, generate
from violeta.synth.config import corruption_config
from violeta.synth.names_data import NICKNAMES
from violeta.synth.tests import canonical_records, full_name, people

CURP_AGENCIES = {"FGJ": 1.0, "SEMUJERES": 1.0, "SEDESA": 1.0, "LINEA": 0.5}
ZERO = dataclasses.replace(PRESETS["none"])
FULL_NAME_AGENCIES = {"C5", "LINEA"}


def _names_by_woman(out: Path) -> dict[str, set[str]]:
    names: dict[str, set[str]] = defaultdict(set)
    for pid, record in canonical_records(out):
        names[pid].add(full_name(record["victim"]))
    return names


def test_presets() -> None:
    none = PRESETS["none"]
    assert none.curp_present == 1.0
    rates = [f.name for f in dataclasses.fields(CorruptionConfig) if f.name != "curp_present"]
    assert all(getattr(none, name) == 0 for name in rates)
    hard, default = PRESETS["hard"], PRESETS["default"]
    assert all(getattr(hard, name) >= getattr(default, name) for name in rates)
    assert hard.curp_present < default.curp_present
    assert CorruptionConfig(nickname=0.7).scaled(2.0).nickname == 1.0
    assert corruption_config("hard") is hard
    with pytest.raises(ValueError, match="unknown corruption preset"):
        corruption_config("extreme")


def test_without_corruption_every_record_of_a_woman_has_the_same_identity(tmp_path: Path) -> None:
    generate(tmp_path, women=200, seed=5, corruption="none")
    truth = people(tmp_path)
    seen: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for pid, record in canonical_records(tmp_path):
        victim = record["victim"]
        seen[pid]["name"].add(full_name(victim))
        for key in ("birth_date", "curp", "phone"):
            if victim[key]:
                seen[pid][key].add(victim[key])
        if victim["address"]:  # each agency writes addresses its own way
            seen[pid][f"address {record['agency']}"].add(victim["address"])
        if victim["curp"]:
            assert victim["curp"] == truth[pid]["curp"]
        if victim["birth_date"]:
            assert victim["birth_date"] == truth[pid]["birth_date"]
    assert len(seen) > 150
    for pid, values in seen.items():
        assert all(len(v) == 1 for v in values.values()), (pid, dict(values))


def test_default_corruption_makes_records_of_one_woman_differ(tmp_path: Path) -> None:
    generate(tmp_path, women=300, seed=5)
    names = _names_by_woman(tmp_path)
    several = [n for n in names.values() if n]
    varied = sum(len(n) > 1 for n in several) / len(several)
    assert 0.2 < varied < 0.9
    nicknames = {nick for known in NICKNAMES.values() for nick in known}
    typed_given = {
        record["victim"]["given_names"].title() for _, record in canonical_records(tmp_path)
    }
    assert typed_given & nicknames  # some agency used "Lupita", "Lety"...


def test_hard_corruption_mistypes_curps_and_drops_them_at_its_rate(tmp_path: Path) -> None:
    generate(tmp_path, women=400, seed=8, corruption="hard")
    truth = people(tmp_path)
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    invalid = 0
    for pid, record in canonical_records(tmp_path):
        agency, curp = record["agency"], record["victim"]["curp"]
        if agency in CURP_AGENCIES:
            totals[agency][0] += 1
            totals[agency][1] += bool(curp)
        if curp and curp != truth[pid]["curp"]:
            invalid += not stdnum_curp.is_valid(curp)
    assert invalid > 10
    rate = PRESETS["hard"].curp_present
    for agency, (rows, with_curp) in totals.items():
        assert rows > 100
        assert abs(with_curp / rows - rate * CURP_AGENCIES[agency]) < 0.08, agency


def test_each_knob_does_what_it_says(tmp_path: Path) -> None:
    config = dataclasses.replace(
        ZERO, nickname=1.0, age_instead_of_birth_date=1.0, second_surname_dropped=1.0
    )
    generate(tmp_path, women=150, seed=2, corruption=config)
    truth = people(tmp_path)
    for pid, record in canonical_records(tmp_path):
        victim = record["victim"]
        assert victim["birth_date"] == ""
        assert victim["age"] is not None
        if record["agency"] not in FULL_NAME_AGENCIES:  # "ANA LAURA FLORES" splits wrongly
            assert victim["second_surname"] == ""
        given = truth[pid]["given_names"]
        if given in NICKNAMES:
            assert victim["given_names"].title() in NICKNAMES[given]


def test_birth_dates_typed_with_day_and_month_swapped(tmp_path: Path) -> None:
    generate(
        tmp_path, women=150, seed=4, corruption=dataclasses.replace(ZERO, birth_date_swapped=1)
    )
    truth = people(tmp_path)
    swapped = 0
    for pid, record in canonical_records(tmp_path):
        typed = record["victim"]["birth_date"]
        if not typed:
            continue
        year, month, day = truth[pid]["birth_date"].split("-")
        if int(day) <= 12 and day != month:
            assert typed == f"{year}-{day}-{month}"
            swapped += 1
        else:
            assert typed == truth[pid]["birth_date"]
    assert swapped > 20


def test_women_move_and_change_phones_only_when_asked(tmp_path: Path) -> None:
    generate(tmp_path, women=200, seed=6, corruption=dataclasses.replace(ZERO, moved=1.0))
    addresses: dict[str, set[str]] = defaultdict(set)
    for pid, record in canonical_records(tmp_path):
        if record["agency"] == "FGJ":
            addresses[pid].add(record["victim"]["address"])
    assert sum(len(a) > 1 for a in addresses.values()) > 10
