"""Structured logs (``VIOLETA_LOG_FORMAT=json``): one JSON object a line, ids, no personal data."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from conftest import login_verified
from violeta.agencies.models import User
from violeta.core.logs import JsonFormatter, RequestContextFilter
from violeta.people.models import Person
from violeta.records.tests.factories import VALID_CURP

pytestmark = pytest.mark.django_db

# A distinctive synthetic woman: none of these may reach a log line, in any spelling.
GIVEN, SURNAME, SECOND = "Xochiquetzal Anacleta", "Zuazúa", "Iturbide"
PHONE = "5513572468"
NARRATIVE = "Relato sintético: la amenazó en el Mercado Tlacoquemécatl."
FORBIDDEN = [
    "Xochiquetzal",
    "Anacleta",
    "Zuazúa",
    "ZUAZUA",
    "Zuazua",
    "Iturbide",
    VALID_CURP,
    PHONE,
    "55 1357 2468",
    "1357 2468",
    "Tlacoquem",
    "1990-02-15",
]


@pytest.fixture
def lines() -> Iterator[Callable[[], list[str]]]:
    """Everything logged at DEBUG (root, violeta, django.request) through the JSON handler."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    handler.setLevel(logging.DEBUG)
    loggers = [logging.getLogger(n) for n in ("", "violeta", "django.request", "django")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
    logging.getLogger().addHandler(handler)
    try:
        yield lambda: buffer.getvalue().splitlines()
    finally:
        logging.getLogger().removeHandler(handler)
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def _form(**overrides: str) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": "service_session",
        "occurred_at": "2025-06-01T09:15",
        "alcaldia": "09003",
        "colonia": "Santo Domingo",
        "violence_types": ["psicologica"],
        "modalities": ["familiar"],
        "relationship": "expareja",
        "risk_level": "medio",
        "narrative": NARRATIVE,
        "victim_given_names": GIVEN,
        "victim_first_surname": SURNAME,
        "victim_second_surname": SECOND,
        "victim_birth_date": "1990-02-15",
        "victim_sex": "M",
        "victim_curp": VALID_CURP,
        "victim_phone": "55 1357 2468",
    }
    data.update(overrides)
    return data


def test_registering_through_the_form_logs_ids_and_no_personal_data(
    make_user: Callable[..., User], lines: Callable[[], list[str]]
) -> None:
    operator = make_user("operator", "SEMUJERES")
    client = login_verified(Client(), operator)

    refused = client.post(reverse("records:register"), _form(victim_birth_date="1990-13-45"))
    assert refused.status_code == 200 and not Person.objects.exists()  # the form, with errors
    saved = client.post(
        reverse("records:register"), _form(), headers={"X-Request-ID": "proxy-req-0001"}
    )
    assert saved.status_code == 302 and saved["X-Request-ID"] == "proxy-req-0001"
    person = Person.objects.get(kind="woman")
    assert person.curp == VALID_CURP  # what the logs must not carry was stored
    client.post(reverse("records:search"), {"phone": PHONE})
    client.post(reverse("records:search"), {"given_names": GIVEN, "first_surname": SURNAME})
    assert client.get(reverse("records:person_file", args=[person.pk])).status_code == 200
    assert client.get(f"/personas/{person.pk}999/").status_code == 404  # django.request warns
    spoofed = Client().get("/healthz", headers={"X-Request-ID": f"{GIVEN} {VALID_CURP}"})
    assert spoofed["X-Request-ID"] != f"{GIVEN} {VALID_CURP}"  # not a plain token: replaced

    logged = lines()
    assert len(logged) >= 7  # at least one line per request
    records = [json.loads(line) for line in logged]  # every line is one JSON object
    for record in records:
        assert {"time", "level", "logger", "message", "request_id", "user_id"} <= set(record)
        assert record["time"].endswith("+00:00")
    access = [r for r in records if r["logger"] == "violeta.request"]
    assert [r["status"] for r in access] == [200, 302, 200, 200, 200, 404, 200]
    assert access[1]["request_id"] == "proxy-req-0001"
    assert access[1]["path"] == reverse("records:register") and access[1]["method"] == "POST"
    assert {r["user_id"] for r in access[:-1]} == {operator.pk}
    assert access[-1]["user_id"] is None and len(access[-1]["request_id"]) == 32
    assert len({r["request_id"] for r in access}) == len(access)
    (not_found,) = [r for r in records if r["logger"] == "django.request"]
    assert not_found["level"] == "WARNING" and not_found["status_code"] == 404
    assert not_found["request_id"] == access[5]["request_id"]  # logged after the middleware
    assert not_found["user_id"] == operator.pk
    text = "\n".join(logged) + json.dumps(records, ensure_ascii=False)  # raw and unescaped
    for value in FORBIDDEN:
        assert value not in text, value


def test_log_format_is_chosen_by_the_environment(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "VIOLETA_MODE": "test",
        "DJANGO_SETTINGS_MODULE": "violeta.settings",
        "VIOLETA_DATA_DIR": str(tmp_path),
        "VIOLETA_LOG_FORMAT": "json",
    }
    code = "import logging; logging.getLogger('violeta.probe').warning('record %s saved', 41)"

    def run(environment: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - this interpreter, fixed code
            [sys.executable, "-m", "violeta.cli", *(args or ("shell", "-v0", "-c", code))],
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    as_json = run(env)
    record = json.loads(as_json.stderr.strip().splitlines()[-1])
    assert record["message"] == "record 41 saved" and record["logger"] == "violeta.probe"
    assert record["level"] == "WARNING" and record["request_id"] is None
    plain = run({**env, "VIOLETA_LOG_FORMAT": "plain"}).stderr.strip().splitlines()[-1]
    assert plain.endswith("WARNING violeta.probe record 41 saved") and not plain.startswith("{")
    wrong = run({**env, "VIOLETA_LOG_FORMAT": "xml"}, "check")
    assert wrong.returncode != 0 and "VIOLETA_LOG_FORMAT must be plain or json" in wrong.stderr


@pytest.mark.parametrize(
    "offered",
    [
        'abc12345\n{"level": "CRITICAL"}',  # a forged second log line
        "abc12345\r\nSet-Cookie: x=1",  # header splitting
        '"}, "user_id": 1, "x": "',  # JSON breaking
        "x" * 65,  # too long
        "short",  # too short to be a proxy's id
        "María-1990-02-15",  # not ASCII
        "",
    ],
)
def test_an_offered_request_id_that_is_not_a_plain_token_is_replaced(offered: str) -> None:
    from django.http import HttpResponse
    from django.test import RequestFactory

    from violeta.core.logs import RequestContextMiddleware

    seen: list[str] = []

    def view(request: object) -> HttpResponse:
        record = logging.makeLogRecord({})
        RequestContextFilter().filter(record)
        seen.append(record.request_id)
        return HttpResponse("ok")

    request = RequestFactory().get("/healthz", headers={"X-Request-ID": offered})
    response = RequestContextMiddleware(view)(request)
    assert response["X-Request-ID"] == seen[0] != offered
    assert len(seen[0]) == 32 and seen[0].isalnum()
