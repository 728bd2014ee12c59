"""Two API clients of one agency change the same record or the same draft assessment.

A read's ETag is the version; a write with If-Match naming an older one gets 412 and stores
nothing, so the first writer's change is never silently overwritten. Concurrent PATCHes of
different items are merged under the row's lock (neither is lost), and the true race is run
in threads with a connection each where the database serialises writers (PostgreSQL).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client

from violeta.api.tests.conftest import Api
from violeta.records.models import AgencyRecord, AgencyRecordVersion
from violeta.records.tests.factories import canonical_record
from violeta.risk.models import RiskAssessment
from violeta.risk.services import assessment_start
from violeta.risk.tests.factories import shipped

RECORDS = "/api/v1/records/"
ASSESSMENTS = "/api/v1/risk/assessments/"
RW = "records:read,records:write"


def _put(client: Api, folio: str, body: dict[str, Any], etag: str | None) -> Any:
    headers = {"If-Match": etag} if etag is not None else None
    return client.send("PUT", f"{RECORDS}{folio}/", body, headers=headers)


@pytest.mark.django_db
def test_record_put_with_a_stale_etag_is_412_and_the_first_update_stays(
    api: Callable[..., Api],
) -> None:
    first, second = api(scopes=RW, name="sistema A"), api(scopes=RW, name="sistema B")
    created = first.send("POST", RECORDS, canonical_record(agency_record_id="SEM-LOCK-1"))
    record_id = created.json()["id"]

    read_a = first.get(f"{RECORDS}{record_id}/")
    read_b = second.get(f"{RECORDS}{record_id}/")
    assert read_a["ETag"] == read_b["ETag"] == '"1"' and read_a.json()["version"] == 1

    a_body = canonical_record(agency_record_id="SEM-LOCK-1", risk_level="alto")
    b_body = canonical_record(agency_record_id="SEM-LOCK-1", colonia="Otra colonia")
    won = _put(first, "SEM-LOCK-1", a_body, read_a["ETag"])
    assert won.status_code == 200 and won["ETag"] == '"2"' and won.json()["version"] == 2

    lost = _put(second, "SEM-LOCK-1", b_body, read_b["ETag"])
    assert lost.status_code == 412
    problem = lost.json()
    assert lost["Content-Type"] == "application/problem+json"
    assert problem["current_version"] == 2
    assert "Otra persona modificó este registro mientras tanto" in problem["detail"]
    record = AgencyRecord.objects.get(pk=record_id)
    assert (record.version, record.risk_level, record.colonia) == (
        2,
        "alto",
        "Santa Cruz Meyehualco",
    )  # the first update is whole, nothing of the second got in
    assert AgencyRecordVersion.objects.filter(record=record).count() == 1

    # The second client reads again and sends its change on top: both changes now stand.
    fresh = second.get(f"{RECORDS}{record_id}/")
    merged = {**b_body, "risk_level": fresh.json()["risk_level"]}
    again = _put(second, "SEM-LOCK-1", merged, fresh["ETag"])
    assert again.status_code == 200 and again["ETag"] == '"3"'
    record.refresh_from_db()
    assert (record.risk_level, record.colonia) == ("alto", "Otra colonia")

    # Without If-Match the update applies to the current version (machine sync, as before);
    # a malformed If-Match never matches.
    assert _put(first, "SEM-LOCK-1", a_body, None).status_code == 200
    assert _put(first, "SEM-LOCK-1", b_body, '"abc"').status_code == 412
    assert _put(first, "SEM-LOCK-1", b_body, '"4"').status_code == 200


def _draft(caseworker: Any) -> RiskAssessment:
    from violeta.risk.tests.factories import a_woman

    return assessment_start(person=a_woman(), instrument=shipped()["vpr"], actor=caseworker)


@pytest.mark.django_db
def test_assessment_answers_with_a_stale_etag_are_412_and_patches_merge(
    api: Callable[..., Api], make_user: Callable[..., Any]
) -> None:
    draft = _draft(make_user("caseworker"))
    first, second = api(name="tableta 1"), api(name="tableta 2")
    url = f"{ASSESSMENTS}{draft.pk}/"
    seen_a, seen_b = first.get(url), second.get(url)
    assert seen_a["ETag"] == seen_b["ETag"] == '"1"' and seen_a.json()["revision"] == 1

    won = first.send(
        "PUT", f"{url}answers/", {"answers": {"h1": "yes", "h2": "no"}}, {"If-Match": '"1"'}
    )
    assert won.status_code == 200 and won["ETag"] == '"2"'
    lost = second.send("PUT", f"{url}answers/", {"answers": {"h1": "no"}}, {"If-Match": '"1"'})
    assert lost.status_code == 412 and lost.json()["current_version"] == 2
    completing = second.send("POST", f"{url}complete/", {}, {"If-Match": '"1"'})
    assert completing.status_code == 412
    draft.refresh_from_db()
    assert (draft.answer_dict(), draft.version, draft.status) == (
        {"h1": "yes", "h2": "no"},
        2,
        "draft",
    )

    # PATCH without If-Match changes only the items it names, on top of what is saved.
    assert second.send("PATCH", f"{url}answers/", {"answers": {"h3": "yes"}}).status_code == 200
    assert first.send("PATCH", f"{url}answers/", {"answers": {"h2": None}}).status_code == 200
    draft.refresh_from_db()
    assert (draft.answer_dict(), draft.version) == ({"h1": "yes", "h3": "yes"}, 4)


@pytest.mark.django_db(transaction=True)
def test_concurrent_patches_of_different_items_both_stand(
    api: Callable[..., Api], make_user: Callable[..., Any]
) -> None:
    """Threads with a connection each: before the merge moved under the row's lock, each
    PATCH read the answers, added its own and wrote them back, so one of two lost."""
    draft = _draft(make_user("caseworker"))
    url = f"{ASSESSMENTS}{draft.pk}/answers/"
    clients = [api(name=f"tableta {n}") for n in range(6)]
    items = ["h1", "h2", "h3", "h4", "h5", "h6"]
    statuses: list[int] = []
    start = threading.Barrier(len(clients))

    def patch(client: Api, item: str) -> None:
        try:
            start.wait(10)
            statuses.append(client.send("PATCH", url, {"answers": {item: "yes"}}).status_code)
        finally:
            connections.close_all()

    if connection.vendor == "sqlite":  # one writer at a time: the threads would only queue
        for client, item in zip(clients, items, strict=True):
            statuses.append(client.send("PATCH", url, {"answers": {item: "yes"}}).status_code)
    else:
        threads = [
            threading.Thread(target=patch, args=(c, i)) for c, i in zip(clients, items, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert statuses == [200] * len(items)
    draft.refresh_from_db()
    assert draft.answer_dict() == dict.fromkeys(items, "yes")
    assert draft.version == 1 + len(items)


@pytest.mark.django_db(transaction=True)
def test_concurrent_puts_with_the_same_etag_one_wins(api: Callable[..., Api]) -> None:
    """Two clients read version 1 and PUT at the same instant: exactly one 200, one 412,
    and the record holds the winner's content whole."""
    clients = [api(scopes=RW, name="A"), api(scopes=RW, name="B")]
    clients[0].send("POST", RECORDS, canonical_record(agency_record_id="SEM-RACE-1"))
    bodies = [
        canonical_record(agency_record_id="SEM-RACE-1", risk_level="alto"),
        canonical_record(agency_record_id="SEM-RACE-1", risk_level="bajo"),
    ]
    results: dict[int, int] = {}
    start = threading.Barrier(2)

    def put(n: int) -> None:
        try:
            start.wait(10)
            results[n] = _put(clients[n], "SEM-RACE-1", bodies[n], '"1"').status_code
        finally:
            connections.close_all()

    if connection.vendor == "sqlite":
        for n in (0, 1):
            results[n] = _put(clients[n], "SEM-RACE-1", bodies[n], '"1"').status_code
    else:
        threads = [threading.Thread(target=put, args=(n,)) for n in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert sorted(results.values()) == [200, 412]
    winner = next(n for n, status in results.items() if status == 200)
    record = AgencyRecord.objects.get(agency_record_id="SEM-RACE-1")
    assert (record.version, record.risk_level) == (2, bodies[winner]["risk_level"])


@pytest.mark.django_db
def test_the_openapi_document_says_if_match_and_412() -> None:
    schema = Client().get("/api/v1/schema/?format=json").json()
    paths = schema["paths"]
    for path, method in [
        ("/api/v1/records/{ref}/", "put"),
        ("/api/v1/risk/assessments/{id}/answers/", "put"),
        ("/api/v1/risk/assessments/{id}/answers/", "patch"),
        ("/api/v1/risk/assessments/{id}/complete/", "post"),
    ]:
        operation = paths[path][method]
        headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
        assert "If-Match" in headers, (path, method)
        assert "application/problem+json" in operation["responses"]["412"]["content"]
    revision = schema["components"]["schemas"]["AssessmentOut"]["properties"]["revision"]
    assert revision["type"] == "integer"
