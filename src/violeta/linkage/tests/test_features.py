"""The comparable form of an identity: the typing habits it folds away, and what it keeps."""

from __future__ import annotations

import pandas as pd

from violeta.linkage import features as f
from violeta.records.tests.factories import VALID_CURP


def _frame(**overrides: object) -> pd.DataFrame:
    row: dict[str, object] = {
        "unique_id": "1",
        "given_names": "María Guadalupe",
        "first_surname": "Hernández",
        "second_surname": "de la Cruz",
        "birth_date": "",
        "age": None,
        "occurred_at": "2024-05-01T10:00:00",
        "sex": "M",
        "curp": "",
        "phone": "",
        "address": "",
        "colonia": "",
        "alcaldia": "",
    }
    row.update(overrides)
    return pd.DataFrame([row])


def test_given_names_fold_abbreviations_nicknames_and_the_compound_name() -> None:
    full, primary, tokens = f.given_parts("Ma. Guadalupe")
    assert (full, primary) == ("MARIA GUADALUPE", "GUADALUPE")
    assert f.given_parts("Lupita")[1] == "GUADALUPE"
    assert f.given_parts("GUADALUPE")[1] == "GUADALUPE"
    assert f.given_parts("María de los Ángeles")[1] == "ANGELES"
    assert f.given_parts("María")[1] == "MARIA"  # alone, María is the name she goes by
    # An ambiguous nickname keeps every name it may stand for.
    assert {"ALBERTO", "ROBERTO"} <= set(f.given_parts("Beto")[2])
    assert "GUADALUPE" in tokens


def test_surnames_glue_particles_and_fold_accents_and_enye() -> None:
    assert f.surname("de la Cruz") == f.surname("DELACRUZ") == f.surname("De La Cruz")
    assert f.surname("Núñez") == f.surname("NUNEZ")
    assert f.surname("Hernández") != f.surname("Fernández")


def test_a_valid_curp_gives_the_birth_date_when_the_record_lacks_it() -> None:
    out = f.features(_frame(curp=VALID_CURP.lower(), given_names="", first_surname=""))
    assert out.loc[0, "curp"] == VALID_CURP
    assert out.loc[0, "dob"] == f.curp_birth_date(VALID_CURP)
    assert out.loc[0, "birth_year"] == float(out.loc[0, "dob"][:4])


def test_an_invalid_curp_is_kept_only_as_raw_evidence() -> None:
    broken = VALID_CURP[:-1] + ("0" if VALID_CURP[-1] != "0" else "1")
    out = f.features(_frame(curp=broken))
    assert out.loc[0, "curp"] is None
    assert out.loc[0, "curp_raw"] == broken
    assert not out.loc[0, "curp_consistent"]


def test_curp_consistency_checks_the_letters_it_takes_from_the_names() -> None:
    # HEGG900101MDFRRD09-like layout: first surname H-E, second G, given G.
    curp = "HECG900101MDFRRD00"
    assert f.curp_consistent(curp, "Hernández", "Cruz", "GUADALUPE", "1990-01-01")
    assert not f.curp_consistent(curp, "Fernández", "Cruz", "GUADALUPE", "1990-01-01")
    assert not f.curp_consistent(curp, "Hernández", "Cruz", "PATRICIA", "1990-01-01")
    assert not f.curp_consistent(curp, "Hernández", "Cruz", "GUADALUPE", "1991-01-01")
    # Without names to check, the date alone decides.
    assert f.curp_consistent(curp, "", "", "", "")


def test_age_estimates_the_birth_year_on_the_day_it_happened() -> None:
    out = f.features(_frame(age=34))
    assert out.loc[0, "birth_year"] == 1990.0
    assert out.loc[0, "dob"] is None


def test_identity_strength_separates_near_empty_records() -> None:
    only_given = f.features(_frame(first_surname="", second_surname=""))
    only_phone = f.features(_frame(given_names="", first_surname="", phone="55 1234 5678"))
    named = f.features(_frame())
    assert only_given.loc[0, "evidence"] == 1
    assert only_phone.loc[0, "evidence"] == 1
    assert only_phone.loc[0, "phone"] == "5512345678"
    assert named.loc[0, "evidence"] == 2


def test_the_batch_counts_evidence_as_real_time_does() -> None:
    """``features`` counts the evidence on whole columns, real time row by row
    (``strength``): the same count for every kind of record, capped at 5."""
    frames = [
        _frame(first_surname="", second_surname=""),
        _frame(given_names="", first_surname="", phone="55 1234 5678"),
        _frame(),
        _frame(birth_date="1990-02-03", phone="5512345678", partner="PEREZ JESUS"),
        _frame(curp=VALID_CURP, phone="5512345678", partner="PEREZ JESUS"),
        _frame(given_names="", first_surname="", second_surname=""),
        _frame(given_names="", first_surname="", second_surname="", curp=VALID_CURP),
    ]
    frame = pd.concat(frames, ignore_index=True)
    batch = f.features(frame)["evidence"].tolist()
    real_time = [f.feature_row(raw)["evidence"] for raw in frame.to_dict("records")]
    assert batch == real_time
    assert set(batch) >= {0, 1, 2, 3, 5}


def test_the_other_party_is_one_key() -> None:
    assert f.party_key("Chuy", "Pérez") == "PEREZ JESUS"
    assert f.party_key("", "Pérez") == ""


def test_when_it_happened_is_one_minute_whether_read_from_a_file_or_the_database() -> None:
    # A file's time has no zone (Mexico City's, the deployment's); the database's is UTC.
    local = f.occurred_minute("2024-05-01T10:00:00")
    utc = f.occurred_minute("2024-05-01T16:00:00+00:00")
    assert local == utc
    assert f.occurred_minute("2024-05-01T10:07:00") == local + 7  # type: ignore[operator]
    assert f.occurred_minute("") is None
    assert f.occurred_minute("not a date") is None
    out = f.features(_frame())
    assert out.loc[0, "occurred"] == local
