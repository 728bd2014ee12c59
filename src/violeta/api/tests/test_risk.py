"""The risk endpoints: need-to-know, draft → complete with the explanation, bad answers,
idempotent replays, overrides, level and history with cursor pagination."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection

from violeta.api.models import IdempotentResponse
from violeta.api.tests.conftest import Api
from violeta.api.tests.test_auth import _problem
from violeta.audit.models import AuditEntry
from violeta.linkage.tests.test_services import _register
from violeta.people.models import Person
from violeta.risk.models import RiskAssessment
from violeta.risk.tests.factories import a_woman, all_answers, shipped

BASE = "/api/v1/risk/assessments/"
EXTREME = {"h3", "h4", "h5", "h6", "a1", "a3", "v5", "g1", "g3"}  # 28 points: extremo


def _start(client: Api, person: Person, **headers: str):  # type: ignore[no-untyped-def]
    body = {"person": person.pk, "instrument": "vpr", "version": "1"}
    return client.send("POST", BASE, body, headers=headers)


def test_instruments_list_items_answer_types_and_levels(api: Callable[..., Api]) -> None:
    shipped()
    body = api().get("/api/v1/risk/instruments/").json()
    codes = {i["code"] for i in body["results"]}
    assert {"vpr", "vper", "danger"} <= codes
    vpr = next(i for i in body["results"] if i["code"] == "vpr")
    h1 = next(i for i in vpr["items"] if i["id"] == "h1")
    assert h1["type"] == "yes_no" and {o["value"] for o in h1["options"]} == {"yes", "no"}
    assert [lv["code"] for lv in vpr["levels"]][-1] == "extremo"


def test_draft_answer_complete_and_the_explanation(api: Callable[..., Api]) -> None:
    vpr = shipped()["vpr"]
    woman = a_woman()
    client = api()
    created = _start(client, woman)
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["status"] == "draft" and created["Location"].endswith(f"/{pk}/")

    answers = all_answers(vpr, EXTREME)
    first_half = dict(list(answers.items())[:5])
    resp = client.send("PUT", f"{BASE}{pk}/answers/", {"answers": first_half})
    assert resp.status_code == 200 and resp.json()["answers"] == first_half
    rest = dict(list(answers.items())[5:])
    resp = client.send("PATCH", f"{BASE}{pk}/answers/", {"answers": rest})
    assert resp.json()["answers"] == answers

    done = client.send("POST", f"{BASE}{pk}/complete/", {})
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["status"] == "completed" and body["score"] == 28
    assert body["computed_level"] == body["final_level"] == "extremo"
    explanation = body["explanation"]
    assert explanation["total"] == 28 and explanation["level"]["code"] == "extremo"
    assert explanation["next_threshold"] is None
    weights = {line["item"]: line["weight"] for line in explanation["lines"]}
    assert weights["h6"] == 4 and weights["h1"] == 0
    assert body["next_reassessment_due"] is not None

    again = client.get(f"{BASE}{pk}/")
    assert again.json()["explanation"] == explanation
    level = client.get(f"/api/v1/women/{woman.pk}/risk/").json()["current"]
    assert level["level"] == "extremo" and level["assessment"] == pk and not level["overridden"]
    edit = client.send("PATCH", f"{BASE}{pk}/answers/", {"answers": {"h1": "yes"}})
    _problem(edit, 422)


def test_missing_required_items_give_422_and_nothing_is_kept(api: Callable[..., Api]) -> None:
    shipped()
    client = api()
    pk = _start(client, a_woman()).json()["id"]
    resp = client.send("POST", f"{BASE}{pk}/complete/", {"answers": {"h1": "yes"}})
    body = _problem(resp, 422)
    assert "h2" in body["missing"] and "answers.h2" in body["errors"]
    assert "h1" not in body["missing"]
    assessment = RiskAssessment.objects.get(pk=pk)
    assert assessment.status == "draft" and assessment.answer_dict() == {}


def test_an_invalid_answer_is_named_and_nothing_is_stored(api: Callable[..., Api]) -> None:
    shipped()
    client = api()
    pk = _start(client, a_woman()).json()["id"]
    resp = client.send("PUT", f"{BASE}{pk}/answers/", {"answers": {"h1": "yes", "h2": "maybe"}})
    body = _problem(resp, 422)
    assert list(body["errors"]) == ["answers.h2"] and "maybe" in body["errors"]["answers.h2"][0]
    resp = client.send("PATCH", f"{BASE}{pk}/answers/", {"answers": {"zz9": "yes"}})
    assert "answers.zz9" in _problem(resp, 422)["errors"]
    assert RiskAssessment.objects.get(pk=pk).answer_dict() == {}


def test_bad_bodies_never_give_500(api: Callable[..., Api]) -> None:
    shipped()
    client = api()
    woman = a_woman()
    assert "JSON" in _problem(client.send("POST", BASE, "{not json"), 400)["detail"]
    body = _problem(client.send("POST", BASE, {"person": "abc", "instrument": 5}), 422)
    assert {"person", "version"} <= set(body["errors"])
    _problem(client.send("POST", BASE, [1, 2]), 422)
    body = {"person": woman.pk, "instrument": "vpr", "version": "9"}
    assert "instrument" in _problem(client.send("POST", BASE, body), 422)["errors"]
    pk = _start(client, woman).json()["id"]
    _problem(client.send("PUT", f"{BASE}{pk}/answers/", {"answers": ["h1"]}), 422)
    resp = client.client.post(
        BASE,
        data="person=1",
        content_type="text/plain",
        headers={"Authorization": f"Bearer {client.token}"},
    )
    _problem(resp, 415)
    _problem(client.send("DELETE", f"{BASE}{pk}/"), 405)
    _problem(client.get("/api/v1/nothing/here/"), 404)


def test_another_agencys_woman_and_assessment_are_not_found(api: Callable[..., Api]) -> None:
    shipped()
    theirs = _register("C5-1", agency="C5", given_names="Lupita", birth_date="").victim
    ours = a_woman()
    semujeres, c5 = api(), api(agency="C5", role="supervisor")
    _problem(_start(semujeres, theirs), 404)
    _problem(semujeres.get(f"/api/v1/women/{theirs.pk}/risk/"), 404)
    _problem(semujeres.get(f"/api/v1/women/{theirs.pk}/risk/history/"), 404)
    _problem(semujeres.get("/api/v1/women/999999/risk/"), 404)
    pk = _start(semujeres, ours).json()["id"]
    _problem(c5.get(f"{BASE}{pk}/"), 404)
    _problem(c5.send("PATCH", f"{BASE}{pk}/answers/", {"answers": {"h1": "yes"}}), 404)
    assert RiskAssessment.objects.count() == 1


def test_an_operator_of_an_agency_that_does_not_assess_is_forbidden(
    api: Callable[..., Api],
) -> None:
    shipped()
    woman = _register("C5-1", agency="C5", given_names="Lupita", birth_date="").victim
    _problem(_start(api(agency="C5", role="operator"), woman), 403)


def test_idempotent_replay_and_conflicting_reuse(api: Callable[..., Api]) -> None:
    shipped()
    client, other = api(name="a"), api(name="b")
    woman = a_woman()
    first = _start(client, woman, **{"Idempotency-Key": "k-1"})
    again = _start(client, woman, **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert RiskAssessment.objects.count() == 1
    body = {"person": woman.pk, "instrument": "danger", "version": "1"}
    reuse = client.send("POST", BASE, body, headers={"Idempotency-Key": "k-1"})
    assert "Idempotency-Key" in _problem(reuse, 422)["errors"]
    assert _start(other, woman, **{"Idempotency-Key": "k-1"}).status_code == 201
    assert RiskAssessment.objects.count() == 2
    stored = IdempotentResponse.objects.filter(key="k-1").values_list("pk", flat=True).first()
    with connection.cursor() as cursor:  # the stored answer is encrypted at rest
        cursor.execute("SELECT body FROM api_idempotentresponse WHERE id = %s", [stored])
        raw = cursor.fetchone()[0]
    assert '"status"' not in raw and "draft" not in raw


def test_override_raise_applies_and_lowering_by_a_caseworker_waits(
    api: Callable[..., Api],
) -> None:
    vpr = shipped()["vpr"]
    client = api()
    woman = a_woman()
    pk = _start(client, woman).json()["id"]
    client.send("POST", f"{BASE}{pk}/complete/", {"answers": all_answers(vpr, {"h3"})})
    computed = RiskAssessment.objects.get(pk=pk).computed_level
    raised = client.send("POST", f"{BASE}{pk}/override/", {"level": "alto", "reason": "arma"})
    assert raised.status_code == 200, raised.content
    assert raised.json()["final_level"] == "alto" != computed
    assert raised.json()["override"]["state"] == "approved"
    assert AuditEntry.objects.filter(subject_type="risk_assessment", reason="arma").exists()

    pk2 = _start(client, woman).json()["id"]
    client.send("POST", f"{BASE}{pk2}/complete/", {"answers": all_answers(vpr, EXTREME)})
    lowered = client.send("POST", f"{BASE}{pk2}/override/", {"level": "alto", "reason": "x"})
    assert lowered.json()["override"]["state"] == "pending"
    assert lowered.json()["final_level"] == "extremo"
    _problem(client.send("POST", f"{BASE}{pk2}/override/", {"level": "nope", "reason": "x"}), 422)


def test_history_pages_with_a_cursor(api: Callable[..., Api]) -> None:
    vpr = shipped()["vpr"]
    client = api()
    woman = a_woman()
    for _ in range(3):
        pk = _start(client, woman).json()["id"]
        client.send("POST", f"{BASE}{pk}/complete/", {"answers": all_answers(vpr, set())})
    url = f"/api/v1/women/{woman.pk}/risk/history/?limit=2"
    page = client.get(url).json()
    assert len(page["results"]) == 2 and page["next"]
    second = client.get(page["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None
    ids = [r["id"] for r in page["results"] + second["results"]]
    assert len(set(ids)) == 3 and all(r["answers_visible"] for r in page["results"])
    _problem(client.get(f"/api/v1/women/{woman.pk}/risk/history/?cursor=garbage"), 404)


@pytest.mark.parametrize("path", ["/api/v1/schema/", "/api/v1/schema/?format=json"])
def test_the_openapi_schema_lists_the_risk_paths(client, path: str) -> None:  # type: ignore[no-untyped-def]
    resp = client.get(path)
    assert resp.status_code == 200
    text = resp.content.decode()
    assert "openapi: 3" in text or '"openapi": "3' in text
    assert "/api/v1/risk/assessments/{id}/complete/" in text
    assert "/api/v1/women/{person_id}/risk/" in text


def test_a_supervisor_client_lowers_at_once(api: Callable[..., Api]) -> None:
    vpr = shipped()["vpr"]
    client = api(role="supervisor")
    pk = _start(client, a_woman()).json()["id"]
    client.send("POST", f"{BASE}{pk}/complete/", {"answers": all_answers(vpr, EXTREME)})
    lowered = client.send("POST", f"{BASE}{pk}/override/", {"level": "alto", "reason": "x"})
    assert lowered.json()["override"]["state"] == "approved"
    assert lowered.json()["final_level"] == "alto"


@pytest.mark.parametrize("size", [3 * 1024 * 1024])
def test_an_oversized_body_is_413_not_500(api: Callable[..., Api], size: int) -> None:
    resp = api().send("POST", BASE, {"person": 1, "pad": "x" * size})
    _problem(resp, 413)
