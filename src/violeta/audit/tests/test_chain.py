"""The hash chain on its own, without a database."""

from __future__ import annotations

import datetime as dt
from typing import Any

from violeta.audit import chain

KEY = "unit-test-key"


def _rows(n: int, key: str = KEY) -> list[dict[str, Any]]:
    rows = []
    prev = chain.GENESIS
    start = dt.datetime(2025, 3, 8, 12, 0, tzinfo=dt.UTC)
    for seq in range(1, n + 1):
        fields = {
            "seq": seq,
            "at": start + dt.timedelta(seconds=seq, microseconds=seq),
            "actor_id": 7,
            "actor_label": "semujeres.caseworker",
            "agency_code": "SEMUJERES",
            "action": "view",
            "subject_type": "person",
            "subject_id": str(seq * 10),
            "ip": "127.0.0.1",
            "reason": "",
            "details": {"records": seq},
        }
        digest = chain.entry_hash(key, prev, fields)
        rows.append({**fields, "prev_hash": prev, "hash": digest})
        prev = digest
    return rows


def test_a_sound_chain_verifies() -> None:
    result = chain.verify(iter(_rows(20)), KEY)
    assert result.ok and result.count == 20
    assert str(result) == "OK: 20 audit entries verified"
    assert chain.verify([], KEY).ok


def test_the_first_entry_links_to_the_genesis_hash() -> None:
    rows = _rows(2)
    assert rows[0]["prev_hash"] == "0" * 64
    assert rows[1]["prev_hash"] == rows[0]["hash"]


def test_an_edited_field_breaks_the_chain_at_that_entry() -> None:
    rows = _rows(10)
    rows[4]["subject_id"] = "999"
    result = chain.verify(rows, KEY)
    assert not result.ok and result.bad_seq == 5 and result.count == 4
    assert "content" in result.problem


def test_a_deleted_entry_shows_as_a_gap() -> None:
    rows = _rows(10)
    del rows[6]
    result = chain.verify(rows, KEY)
    assert (result.ok, result.bad_seq, result.problem) == (False, 7, "entry 7 is missing")


def test_entries_cut_from_the_start_are_detected() -> None:
    result = chain.verify(_rows(10)[3:], KEY)
    assert not result.ok and result.bad_seq == 1


def test_renumbering_after_a_deletion_breaks_the_links() -> None:
    rows = _rows(10)
    del rows[6]
    for row in rows[6:]:
        row["seq"] -= 1
    result = chain.verify(rows, KEY)
    assert not result.ok and result.bad_seq == 7
    assert "prev_hash" in result.problem


def test_a_chain_recomputed_without_the_key_does_not_verify() -> None:
    forged = _rows(5, key="a-guess")
    result = chain.verify(forged, KEY)
    assert not result.ok and result.bad_seq == 1


def test_hash_covers_seq_and_timestamp_and_ignores_key_order() -> None:
    row = _rows(1)[0]
    base = chain.entry_hash(KEY, chain.GENESIS, row)
    assert chain.entry_hash(KEY, chain.GENESIS, dict(reversed(list(row.items())))) == base
    later = {**row, "at": row["at"] + dt.timedelta(microseconds=1)}
    assert chain.entry_hash(KEY, chain.GENESIS, later) != base
    assert chain.entry_hash(KEY, chain.GENESIS, {**row, "seq": 2}) != base
    # The same instant in another time zone is the same entry.
    local = row["at"].astimezone(dt.timezone(dt.timedelta(hours=-6)))
    assert chain.entry_hash(KEY, chain.GENESIS, {**row, "at": local}) == base


def test_details_and_addresses_are_normalised_as_the_database_returns_them() -> None:
    assert chain.normalize_details({"b": (1, 2), "a": None}) == {"a": None, "b": [1, 2]}
    assert chain.normalize_ip("2001:0db8:0000:0000:0000:0000:0000:0001") == "2001:db8::1"
    assert chain.normalize_ip("") is None
