"""Records endpoints: register, update by folio with history, read own agency only, 422 naming
fields (future dates, unknown codes, markup and SQL in text), nothing half-saved, scopes,
idempotent replays and the audit trail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from violeta.api.tests.conftest import Api
from violeta.api.tests.test_auth import _problem
from violeta.audit.models import AuditEntry
from violeta.people.models import Person
from violeta.records.models import AgencyRecord, AgencyRecordVersion
from violeta.records.tests.factories import canonical_record

BASE = "/api/v1/records/"
RW = "records:read,records:write"


def _record(**overrides: Any) -> dict[str, Any]:
    return canonical_record(**overrides)


def test_register_read_and_update_with_history(api: Callable[..., Api]) -> None:
    client = api(scopes=RW)
    created = client.send("POST", BASE, _record(agency_record_id="SEM-API-1"))
    assert created.status_code == 201, created.content
    body = created.json()
    record = AgencyRecord.objects.get(pk=body["id"])
    assert record.source == "api" and record.agency.code == "SEMUJERES"
    assert body["created"] and body["victim"] == body["file"] and body["aggressor"]
    assert Person.objects.get(pk=body["victim"]).kind == "woman"
    assert created["Location"] == f"{BASE}{body['id']}/"

    read = client.get(f"{BASE}{body['id']}/").json()
    assert read["agency_record_id"] == "SEM-API-1" and read["kind"] == "service_session"
    assert read["victim"]["first_surname"] == "Hernández" and read["victim"]["alcaldia"] == "09007"
    assert read["victim"]["person"] == body["victim"]
    assert sorted(read["violence_types"]) == ["fisica", "psicologica"]
    assert AuditEntry.objects.filter(subject_type="record", action="view").exists()

    again = client.send("POST", BASE, _record(agency_record_id="SEM-API-1"))  # a retry
    assert again.status_code == 200, again.content
    assert again.json()["id"] == body["id"] and not again.json()["created"]
    assert AgencyRecord.objects.filter(agency_record_id="SEM-API-1").count() == 1
    other_content = client.send("POST", BASE, _record(agency_record_id="SEM-API-1", colonia="X"))
    assert _problem(other_content, 409)["errors"]["agency_record_id"]

    changed = _record(agency_record_id="SEM-API-1", risk_level="alto")
    updated = client.send("PUT", f"{BASE}SEM-API-1/", changed)
    assert updated.status_code == 200, updated.content
    assert updated.json()["version"] == 2 and updated.json()["changed"]
    assert AgencyRecordVersion.objects.filter(record_id=body["id"], version=1).exists()
    put_call = AuditEntry.objects.filter(subject_type="api_call", details__method="PUT").get()
    assert put_call.details["path"] == "/api/v1/records/<agency_record_id>/"
    same = client.send("PUT", f"{BASE}SEM-API-1/", changed).json()
    assert same["version"] == 2 and not same["changed"]
    assert client.send("PUT", f"{BASE}SEM-NOPE/", changed).status_code == 404
    other = client.send("PUT", f"{BASE}SEM-API-1/", {**changed, "agency_record_id": "X"})
    assert _problem(other, 422)["errors"]["agency_record_id"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"occurred_at": "2999-01-01T10:00:00"}, "occurred_at"),
        ({"occurred_at": "ayer"}, "occurred_at"),
        ({"violence_types": ["golpes"]}, "violence_types"),
        ({"violence_types": "fisica"}, "violence_types"),
        ({"kind": "emergency_call"}, "kind"),
        ({"victim": {"curp": "NOTACURP"}}, "victim.curp"),
        ({"victim": {"birth_date": "2999-01-01"}}, "victim.birth_date"),
        ({"victim": {"given_names": "<script>alert(1)</script>"}}, "victim.given_names"),
        ({"victim": {"first_surname": "x'; DROP TABLE people_person;--"}}, "victim.first_surname"),
        ({"narrative": "<img src=x onerror=alert(1)>"}, "narrative"),
        ({"colour": "red"}, "colour"),
        ({"aggressor": "Juan"}, "aggressor"),
    ],
)
def test_bad_input_gives_422_naming_the_field_and_stores_nothing(
    api: Callable[..., Api], change: dict[str, Any], field: str
) -> None:
    body = _record(agency_record_id="SEM-BAD")
    if "victim" in change:
        body["victim"].update(change.pop("victim"))
    body.update(change)
    resp = api(scopes=RW).send("POST", BASE, body)
    problem = _problem(resp, 422)
    assert field in problem["errors"], problem
    assert not AgencyRecord.objects.exists() and not Person.objects.exists()


def test_sql_in_a_narrative_is_kept_as_text(api: Callable[..., Api]) -> None:
    text = "Refiere: '; DROP TABLE records_agencyrecord; -- y golpes"
    resp = api(scopes=RW).send("POST", BASE, _record(narrative=text))
    assert resp.status_code == 201, resp.content
    assert AgencyRecord.objects.get().narrative == text


def test_body_not_an_object_and_malformed_json(api: Callable[..., Api]) -> None:
    client = api(scopes=RW)
    assert "body" in _problem(client.send("POST", BASE, [1, 2]), 422)["errors"]
    _problem(client.send("POST", BASE, "{not json"), 400)


def test_another_agencys_record_is_404_and_scopes_are_enforced(api: Callable[..., Api]) -> None:
    mine = api(scopes=RW)
    pk = mine.send("POST", BASE, _record()).json()["id"]
    other = api(agency="C5", role="supervisor", scopes=RW)
    _problem(other.get(f"{BASE}{pk}/"), 404)
    _problem(other.get(f"{BASE}abc/"), 404)
    # the C5 client's folio space is its own: the same folio is not SEMUJERES' record
    _problem(other.send("PUT", f"{BASE}SEM-0001/", _record(kind="emergency_call")), 404)

    reader = api(scopes="records:read", name="reader")
    assert reader.get(f"{BASE}{pk}/").status_code == 200
    assert "records:write" in _problem(reader.send("POST", BASE, _record()), 403)["detail"]
    risk_only = api(scopes="risk:read", name="risk")
    _problem(risk_only.get(f"{BASE}{pk}/"), 403)


def test_idempotent_replay_and_every_call_audited(api: Callable[..., Api]) -> None:
    client = api(scopes=RW)
    key = {"Idempotency-Key": "rec-1"}
    first = client.send("POST", BASE, _record(), headers=key)
    assert first.status_code == 201
    replay = client.send("POST", BASE, _record(), headers=key)
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json() and AgencyRecord.objects.count() == 1
    _problem(client.send("POST", BASE, _record(risk_level="alto"), headers=key), 422)

    calls = AuditEntry.objects.filter(subject_type="api_call").order_by("pk")
    assert [c.details["status"] for c in calls] == [201, 201, 422]
    assert all(c.details["path"] == BASE for c in calls)
    created = AuditEntry.objects.get(subject_type="record", action="create")
    assert created.details["source"] == "api"
    assert "Hernández" not in str([c.details for c in AuditEntry.objects.all()])
