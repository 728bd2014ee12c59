"""True CURPs built by the published rules, checked with python-stdnum."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from stdnum.mx import curp as stdnum_curp

from violeta.synth import generate
from violeta.synth.curp import build_curp, check_digit, curp_given_name, homoclave_for


def _curp(given: str, first: str, second: str, born: dt.date, sex: str = "M") -> str:
    return build_curp(
        given_names=given, first_surname=first, second_surname=second, birth_date=born,
        sex=sex, state="DF", homoclave=homoclave_for(born, 0.0),
    )  # fmt: skip


def test_known_curp() -> None:
    # The same synthetic woman the records tests use (built by hand from the rules).
    assert _curp("Guadalupe", "Hernández", "López", dt.date(1990, 2, 15)) == "HELG900215MDFRPD07"


def test_maria_and_jose_are_skipped_when_a_second_name_follows() -> None:
    born = dt.date(1990, 2, 15)
    assert _curp("María Guadalupe", "Hernández", "López", born)[:16] == "HELG900215MDFRPD"
    assert _curp("María", "Hernández", "López", born)[3] == "M"
    assert _curp("José Luis", "Pérez", "García", born, "H")[:16] == "PEGL900215HDFRRS"
    assert curp_given_name("Ma. de los Ángeles") == "ANGELES"
    assert curp_given_name("José de Jesús") == "JESUS"


def test_particles_enye_missing_surname_and_forbidden_words() -> None:
    born = dt.date(1987, 11, 3)
    # "de la Cruz" counts as CRUZ; Ñ becomes X; Ana is not skipped.
    assert _curp("Ana María", "de la Cruz", "Núñez", born)[:16] == "CUNA871103MDFRXN"
    # No second surname: X for its initial and its consonant.
    assert _curp("Juana", "Pérez", "", born)[:16] == "PEXJ871103MDFRXN"
    # PUTO is on RENAPO's list: the second letter becomes X.
    assert _curp("Osvaldo", "Putnam", "Torres", born, "H")[:4] == "PXTO"


def test_century_character_and_check_digit() -> None:
    assert _curp("Itzel", "Luna", "Ríos", dt.date(1999, 12, 31))[16].isdigit()
    assert _curp("Itzel", "Luna", "Ríos", dt.date(2005, 1, 9))[16].isalpha()
    value = _curp("Itzel", "Luna", "Ríos", dt.date(2005, 1, 9))
    assert check_digit(value[:17]) == value[17] == stdnum_curp.calc_check_digit(value)


def test_a_thousand_generated_curps_are_valid(tmp_path: Path) -> None:
    generate(tmp_path, women=700, seed=21, records_per_woman=1.0)
    with (tmp_path / "truth_people.csv").open(encoding="utf-8") as handle:
        people = list(csv.DictReader(handle))
    assert len(people) >= 1000
    for person in people[:1000]:
        curp = person["curp"]
        assert stdnum_curp.is_valid(curp), (curp, person)
        assert stdnum_curp.get_birth_date(curp).isoformat() == person["birth_date"]
        assert curp[10] == person["sex"]
        assert curp[11:13] == person["birth_state"]
    states = {p["birth_state"] for p in people}
    assert "DF" in states and len(states) > 5
    share_df = sum(p["birth_state"] == "DF" for p in people) / len(people)
    assert 0.65 < share_df < 0.9
