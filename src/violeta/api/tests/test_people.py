"""Searching a woman (POST, scored, within need-to-know, values never audited) and reading her
alerts (only those sent to the client's agency; evidence the client may open)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from violeta.agencies.models import User
from violeta.alerts.models import Alert
from violeta.alerts.ruleset import active_ruleset
from violeta.api.tests.conftest import Api
from violeta.api.tests.test_auth import _problem
from violeta.audit.models import AuditEntry
from violeta.linkage.tests.test_services import _register
from violeta.records.tests.factories import VALID_CURP, canonical_record

SEARCH = "/api/v1/women/search/"
CURP = VALID_CURP


def _register_api(client: Api, folio: str, **victim: str) -> dict[str, int]:
    body = canonical_record(agency_record_id=folio, victim=victim)
    resp = client.send("POST", "/api/v1/records/", body)
    assert resp.status_code == 201, resp.content
    data: dict[str, int] = resp.json()
    return data


def test_search_scores_candidates_and_says_which_the_client_reaches(
    api: Callable[..., Api],
) -> None:
    sem = api(scopes="records:write,people:search")
    hers = _register_api(sem, "SEM-1", curp=CURP)["victim"]
    stranger = _register(
        "C5-9", agency="C5", given_names="Rosa", first_surname="Hernández"
    ).victim.pk

    found = sem.send(
        "POST", SEARCH, {"first_surname": "HERNANDEZ", "given_names": "guadalupe", "curp": ""}
    )
    assert found.status_code == 200, found.content
    rows = found.json()["results"]
    assert [r["id"] for r in rows] == [hers]  # Rosa's given name does not match
    assert rows[0]["reachable"] and rows[0]["records"] == 1
    assert rows[0]["evidence"]["surnames"] in {"agree", "partial"}

    by_surname = sem.send("POST", SEARCH, {"first_surname": "Hernández"}).json()["results"]
    assert {r["id"] for r in by_surname} == {hers, stranger}
    assert {r["id"]: r["reachable"] for r in by_surname} == {hers: True, stranger: False}
    assert set(by_surname[0]) == {"id", "score", "evidence", "records", "reachable"}
    scores = [r["score"] for r in by_surname]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)

    by_curp = sem.send("POST", SEARCH, {"curp": CURP.lower()}).json()["results"]
    assert [r["id"] for r in by_curp] == [hers] and by_curp[0]["evidence"]["curp"] == "agree"
    assert by_curp[0]["score"] > 0.8 > by_surname[-1]["score"]

    # from another agency she is a candidate it cannot open, and nothing else is told
    ssc = api(agency="SSC", role="operator", scopes="people:search")
    other = ssc.send("POST", SEARCH, {"curp": CURP}).json()["results"]
    assert other[0]["id"] == hers and not other[0]["reachable"]
    assert "Guadalupe" not in str(other) and "1990" not in str(other)


def test_age_narrows_and_pages_follow_next(api: Callable[..., Api]) -> None:
    sem = api(scopes="records:write,people:search")
    for n, year in enumerate((1990, 1991, 1970)):
        _register_api(sem, f"SEM-{n}", given_names=f"Ana{'a' * n}", birth_date=f"{year}-05-05")
    today = timezone.localdate()
    age = today.year - 1990 - ((today.month, today.day) < (5, 5))
    rows = sem.send("POST", SEARCH, {"first_surname": "Hernández", "age": age}).json()
    assert len(rows["results"]) == 2 and rows["next"] is None

    first = sem.send("POST", f"{SEARCH}?limit=2", {"first_surname": "Hernández"}).json()
    assert len(first["results"]) == 2 and first["next"] and first["previous"] is None
    second = sem.send("POST", first["next"], {"first_surname": "Hernández"}).json()
    assert len(second["results"]) == 1 and second["next"] is None and second["previous"]
    ids = {r["id"] for r in first["results"]} | {r["id"] for r in second["results"]}
    assert len(ids) == 3


def test_search_bad_input_scope_and_audit_without_values(api: Callable[..., Api]) -> None:
    sem = api(scopes="people:search")
    assert "body" in _problem(sem.send("POST", SEARCH, {"given_names": "Ana"}), 422)["errors"]
    assert "curp" in _problem(sem.send("POST", SEARCH, {"curp": "XXXX"}), 422)["errors"]
    bad_date = sem.send("POST", SEARCH, {"birth_date": "15/02/1990"})
    assert "birth_date" in _problem(bad_date, 422)["errors"]
    assert "age" in _problem(sem.send("POST", SEARCH, {"age": 300}), 422)["errors"]
    no_scope = api(scopes="records:read", name="reader")
    _problem(no_scope.send("POST", SEARCH, {"curp": CURP}), 403)
    _problem(sem.get(SEARCH), 405)

    assert sem.send("POST", SEARCH, {"curp": CURP}).status_code == 200
    entry = AuditEntry.objects.get(action="search")
    assert entry.details["fields"] == ["curp"] and CURP not in str(entry.details)
    call = AuditEntry.objects.filter(subject_type="api_call").last()
    assert call is not None and call.details["path"] == SEARCH


def _alert(person_id: int, to: User, evidence: list[int], days: int = 0) -> Alert:
    now = timezone.now() - dt.timedelta(days=days)
    alert = Alert.objects.create(
        person_id=person_id,
        rule_code="many_records",
        ruleset=active_ruleset(),
        level="alarma",
        cause_key=f"c{now.timestamp()}",
        evidence=evidence,
        facts={"records": 2, "agencies": 2, "days": 30},
        created_at=now,
        deadline=now + dt.timedelta(hours=4),
    )
    alert.recipients.add(to)
    return alert


def test_her_alerts_sent_to_the_agency_with_the_evidence_it_may_open(
    api: Callable[..., Api], make_user: Callable[..., User]
) -> None:
    sem = api(scopes="records:write,alerts:read")
    mine = _register_api(sem, "SEM-1", curp=CURP)
    theirs = _register("C5-1", agency="C5", curp=CURP)
    assert theirs.victim.pk == mine["victim"]
    sem_user = make_user("caseworker", "SEMUJERES", username="sem.cw")
    c5_user = make_user("caseworker", "C5", username="c5.cw")
    older = _alert(mine["victim"], sem_user, [mine["id"], theirs.record.pk], days=2)
    newer = _alert(mine["victim"], sem_user, [theirs.record.pk])
    _alert(mine["victim"], c5_user, [theirs.record.pk], days=1)  # sent to C5 only

    page = sem.get(f"/api/v1/women/{mine['victim']}/alerts/?limit=1").json()
    assert [a["id"] for a in page["results"]] == [newer.pk] and page["next"]
    rest = sem.get(page["next"]).json()["results"]
    assert [a["id"] for a in rest] == [older.pk]
    row = rest[0]
    assert row["level"] == "alarma" and row["rule"] == "many_records" and row["state"] == "open"
    assert row["evidence"] == [mine["id"]] and row["evidence_total"] == 2
    assert "2" in row["why"] and row["rule_title"]
    seen = AuditEntry.objects.filter(subject_type="person", details__what="alerts")
    assert seen.count() == 2


def test_alerts_need_to_know_and_scope(api: Callable[..., Api]) -> None:
    sem = api(scopes="records:write,alerts:read")
    c5_woman = _register("C5-1", agency="C5", curp=CURP).victim
    _problem(sem.get(f"/api/v1/women/{c5_woman.pk}/alerts/"), 404)
    _problem(sem.get("/api/v1/women/999999/alerts/"), 404)
    hers = _register_api(sem, "SEM-1")["victim"]
    assert sem.get(f"/api/v1/women/{hers}/alerts/").json()["results"] == []
    no_scope = api(scopes="records:read", name="reader")
    _problem(no_scope.get(f"/api/v1/women/{hers}/alerts/"), 403)


def test_an_unknown_query_parameter_is_refused_not_ignored(api: Callable[..., Api]) -> None:
    """A misspelt filter must not answer as if it had not been sent."""
    sem = api(scopes="records:write,people:search,alerts:read,risk:read")
    hers = _register_api(sem, "SEM-1", curp=CURP)["victim"]

    ok = sem.send("POST", f"{SEARCH}?limit=5", {"curp": CURP})
    assert ok.status_code == 200 and [r["id"] for r in ok.json()["results"]] == [hers]
    wrong = sem.send("POST", f"{SEARCH}?limt=5", {"curp": CURP})
    body = _problem(wrong, 422)
    assert "cursor, limit" in body["errors"]["limt"][0]
    assert sem.get(f"/api/v1/women/{hers}/alerts/?limit=1").status_code == 200  # its paginator's
    refused = sem.get(f"/api/v1/women/{hers}/alerts/?state=open")
    assert "state" in _problem(refused, 422)["errors"]
    assert sem.get("/api/v1/risk/instruments/?x=1").status_code == 422
