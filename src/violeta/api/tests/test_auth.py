"""Tokens: missing, malformed, invalid, revoked, expired, wrong scope; the command; audit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from violeta.api.models import ApiToken
from violeta.api.services import token_digest, token_revoke
from violeta.api.tests.conftest import Api
from violeta.audit.models import AuditEntry
from violeta.risk.tests.factories import shipped

INSTRUMENTS = "/api/v1/risk/instruments/"


def _problem(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"] and body["type"]
    return body


def test_missing_and_malformed_and_invalid_tokens_get_401(api: Callable[..., Api]) -> None:
    good = api()
    body = _problem(Client().get(INSTRUMENTS), 401)
    assert "Bearer" in body["detail"]
    assert _problem(Client().get(INSTRUMENTS, headers={"Authorization": "Token x"}), 401)
    resp = Client().get(INSTRUMENTS, headers={"Authorization": good.token[:-2] + "zz"})
    _problem(resp, 401)
    _problem(Api(good.token[:-2] + "zz").get(INSTRUMENTS), 401)
    assert "Bearer" in Api("vio_nothing_here").get(INSTRUMENTS)["WWW-Authenticate"]
    assert good.get(INSTRUMENTS).status_code == 200


def test_revoked_and_expired_tokens_stop_working(api: Callable[..., Api]) -> None:
    shipped()
    revoked, expired = api(name="one"), api(name="two", days=1)
    assert revoked.get(INSTRUMENTS).status_code == 200
    token_revoke(prefix=revoked.token.split("_")[1])
    _problem(revoked.get(INSTRUMENTS), 401)
    ApiToken.objects.filter(prefix=expired.token.split("_")[1]).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    _problem(expired.get(INSTRUMENTS), 401)


def test_a_read_only_token_cannot_write(api: Callable[..., Api]) -> None:
    reader = api(scopes="risk:read")
    assert reader.get(INSTRUMENTS).status_code == 200
    body = _problem(reader.send("POST", "/api/v1/risk/assessments/", {}), 403)
    assert "risk:write" in body["detail"]


def test_tokens_are_stored_hashed_and_used_time_recorded(api: Callable[..., Api]) -> None:
    client = api()
    token = ApiToken.objects.get()
    assert token.digest == token_digest(client.token) and client.token not in token.digest
    assert token.last_used_at is None
    client.get(INSTRUMENTS)
    token.refresh_from_db()
    assert token.last_used_at is not None
    user = token.client.user
    assert not user.has_usable_password() and user.role == "caseworker"
    assert user.agency is not None and user.agency.code == "SEMUJERES"


def test_command_creates_once_shown_token_and_revokes_it(catalogs: None) -> None:
    out = StringIO()
    call_command(
        "api_token",
        "create",
        "--agency",
        "SSC",
        "--name",
        "CAD",
        "--scopes",
        "risk:read",
        "--role",
        "operator",
        "--days",
        "30",
        stdout=out,
    )
    secret = out.getvalue().strip().splitlines()[-1]
    assert secret.startswith("vio_")
    assert Api(secret).get(INSTRUMENTS).status_code == 200
    prefix = secret.split("_")[1]
    call_command("api_token", "revoke", prefix, stdout=StringIO())
    assert Api(secret).get(INSTRUMENTS).status_code == 401
    listing = StringIO()
    call_command("api_token", "list", stdout=listing)
    assert prefix in listing.getvalue() and secret not in listing.getvalue()


def test_command_refuses_unknown_scopes(catalogs: None) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="risk:everything"):
        call_command(
            "api_token",
            "create",
            "--agency",
            "SSC",
            "--name",
            "CAD",
            "--scopes",
            "risk:everything",
            stdout=StringIO(),
        )


def test_every_call_is_audited_without_bodies(api: Callable[..., Api]) -> None:
    client = api()
    client.get(INSTRUMENTS)
    Client().get(INSTRUMENTS)
    client.send("POST", "/api/v1/risk/assessments/", {"person": 1, "instrument": "Secreto"})
    calls = list(AuditEntry.objects.filter(subject_type="api_call").order_by("seq"))
    assert [(c.details["method"], c.details["status"]) for c in calls] == [
        ("GET", 200),
        ("GET", 401),
        ("POST", 422),
    ]
    assert calls[0].details["path"] == INSTRUMENTS and calls[0].details["token"]
    assert calls[1].actor_label == "api:anonymous"
    assert calls[0].actor_label.startswith("api.semujeres.")
    assert "Secreto" not in str([c.details for c in calls])
    client.get("/api/v1/women/Guadalupe/")
    last = AuditEntry.objects.filter(subject_type="api_call").order_by("-seq").first()
    assert last is not None and last.details["status"] == 404
    assert "Guadalupe" not in str(last.details)


@override_settings(VIOLETA_API_RATE="3/min")
def test_rate_limit_per_client_gives_429_problem(api: Callable[..., Api]) -> None:
    first, second = api(name="a"), api(name="b")
    for _ in range(3):
        assert first.get(INSTRUMENTS).status_code == 200
    resp = first.get(INSTRUMENTS)
    _problem(resp, 429)
    assert int(resp["Retry-After"]) > 0
    assert second.get(INSTRUMENTS).status_code == 200


def test_a_deactivated_client_is_refused(api: Callable[..., Api]) -> None:
    client = api()
    from violeta.api.models import ApiClient

    ApiClient.objects.update(active=False)
    _problem(client.get(INSTRUMENTS), 401)


def test_writes_need_no_csrf_token_and_responses_are_not_cached(
    api: Callable[..., Api],
) -> None:
    client = api()
    client.client = Client(enforce_csrf_checks=True)
    resp = client.send("POST", "/api/v1/risk/assessments/", {"person": 0})
    assert resp.status_code == 422  # reached the view: validation, not a CSRF refusal
    assert client.get(INSTRUMENTS)["Cache-Control"] == "no-store"
