"""The real-time benchmark's store and the look-up's bounded shortlist."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from violeta.core.management.commands.bench import bench_database_url
from violeta.linkage import realtime
from violeta.linkage.bench_realtime import (
    _generated,
    _split,
    bench_realtime,
    build_store,
    identity_input,
)
from violeta.people.identity import IdentityInput
from violeta.people.models import Person, PersonKind
from violeta.people.services import person_create

pytestmark = pytest.mark.django_db


def test_the_built_store_is_found_by_the_lookup_the_form_uses(catalogs: None) -> None:
    frame, truth = _generated(400, seed=5)
    picked, stored = _split(frame, truth, lookups=20, seed=5)
    assert set(picked["unique_id"]).isdisjoint(stored["unique_id"])

    store_truth = build_store(stored)

    assert Person.objects.count() == len(stored) == len(store_truth)
    named = stored[
        (stored["given_names"].fillna("") != "") & (stored["first_surname"].fillna("") != "")
    ]
    for row in named.sample(n=15, random_state=1).to_dict("records"):  # a key to look up by
        found = realtime.candidates_for(data=identity_input(row))
        assert found, row["unique_id"]
        assert store_truth[found[0].person.pk] == row["true_id"]


def test_the_shortlist_is_bounded_however_common_the_name(
    catalogs: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(realtime, "PER_KEY", 12)
    monkeypatch.setattr(realtime, "SHORTLIST", 8)
    made = {}
    for day in range(1, 26):
        phone = f"55{day:08d}"
        data = IdentityInput(given_names="María", first_surname="García", phone=phone)
        made[phone] = person_create(kind=PersonKind.WOMAN, data=data, alcaldia=None).pk
    query = IdentityInput(given_names="María", first_surname="García", phone="5500000007")

    ids = realtime._shortlist(query, PersonKind.WOMAN)
    assert len(ids) == 8  # 12 namesakes probed (whichever the database returns first), 8 kept
    assert set(ids) <= set(made.values())

    # Every namesake probed: the one matching two keys (name and phone) ranks before the rest.
    # (With 12 of 25 probed, which 12 is the database's physical order: she may be left out.)
    monkeypatch.setattr(realtime, "PER_KEY", 30)
    ids = realtime._shortlist(query, PersonKind.WOMAN)
    found = realtime.candidates_for(data=query)
    phone_match = made["5500000007"]
    assert len(ids) == 8 and ids[0] == phone_match
    assert len(found) <= realtime.MAX_CANDIDATES and found[0].person.pk == phone_match


def test_the_benchmark_prints_one_line_of_figures_beside_splink(
    catalogs: None, settings: Any, tmp_path: Path
) -> None:
    settings.DATA_DIR = tmp_path
    line = bench_realtime(500, lookups=15, seed=3)
    assert re.search(r"violeta: p50 [\d.]+ ms, p95 [\d.]+ ms, p99 [\d.]+ ms, top-1 [\d.]+", line)
    assert "splink compare_records vs" in line and "built in" in line
    again = bench_realtime(500, lookups=15, seed=3)
    assert "reused" in again
    # The look-up scored with the benchmark's trained model, never the deployment's.
    assert not (tmp_path / "linkage").exists()
    assert list((tmp_path / "bench" / "models-500-3" / "linkage").glob("model-*.json"))


def test_the_benchmark_database_is_its_own(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path
    url = bench_database_url("violeta_bench_rt_test_1")
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        assert url == f"sqlite:///{tmp_path}/bench/violeta_bench_rt_test_1.sqlite3"
        return
    import psycopg

    assert url.endswith("/violeta_bench_rt_test_1")
    with psycopg.connect(url, autocommit=True) as made:  # created on the same server
        assert made.execute("SELECT current_database()").fetchone() == ("violeta_bench_rt_test_1",)
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as server:
        server.execute('DROP DATABASE "violeta_bench_rt_test_1"')


def test_each_key_is_probed_on_its_own_index(catalogs: None) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    query = IdentityInput(
        given_names="María",
        first_surname="García",
        second_surname="López",
        birth_date=dt.date(1989, 6, 15),
        phone="5512345678",
        curp="GAXM890615MDFRXR01",
    )
    with CaptureQueriesContext(connection) as captured:
        realtime._shortlist(query, PersonKind.WOMAN)
    people = [q["sql"] for q in captured if 'FROM "people_person"' in q["sql"]]
    # The key and "not merged" (what its partial index holds); kind is checked in Python. The
    # CURP's probe is apart: it follows a merged file to the file in use.
    probes = [sql for sql in people if '"merged_into_id" IS NULL' in sql]
    assert len(probes) == len(realtime._blocking_keys(query)) >= 4
    assert len(people) > len(probes)  # the CURP's
    for sql in probes:
        assert "kind" not in sql.split("WHERE", 1)[1], sql
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for sql in probes:
                plan = cursor.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()
                assert "USING INDEX" in plan[0][3] and "kind" not in plan[0][3], plan
