"""Attacks on the web layer: forged cross-site POSTs (CSRF), session fixation, and the security
headers (Content-Security-Policy; HSTS, secure cookies and the HTTPS redirect in production).
Password and second-factor guessing: test_attack_login.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import TEST_PASSWORD, login_verified
from violeta.agencies.models import User
from violeta.core.tests.access_rules import RULES
from violeta.core.tests.test_access_matrix import rule_key, urls
from violeta.risk.models import RiskAssessment

pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _form_expired() -> str:
    with translation.override("es-mx"):
        return gettext("Form expired")


# Exempt from CSRF by design: the WhatsApp webhook (it checks Meta's signature instead), and
# every view of the two APIs (Django REST framework: the REST API authenticates only with a
# bearer token, which a browser never sends by itself; the observatory's is public, read-only).
CSRF_EXEMPT = {"reports:whatsapp_webhook"}


def _browser_urls() -> list[tuple[str, str]]:
    """(name, path) of every URL of the URL conf that is not an API's, with the ids of
    objects that need not exist: the CSRF check runs before the view looks anything up."""
    out = []
    for url in urls():
        if url.keys and url.route.startswith("admin/"):
            continue  # the admin's object pages: its list and add pages stand for them
        if url.name.startswith(("api:", "observatory:api:")):
            continue
        values = {"code": "X" * 13, "slug": "age", "source": "sesnsp-911", "ref": "1"}
        kwargs = {key: values.get(key, 1) for key in url.keys}
        path = reverse(url.name, kwargs=kwargs) if not url.catch_all else "/"
        out.append((url.name, path))
    return out


def test_every_browser_post_without_the_csrf_token_is_refused(
    make_user: Callable[..., User],
) -> None:
    user = make_user("supervisor")
    client = login_verified(Client(enforce_csrf_checks=True), user)
    expired = _form_expired()
    refused, exempt = [], []
    for name, path in _browser_urls():
        response = client.post(path, {"reason": "x", "note": "x"})
        if name in CSRF_EXEMPT:
            exempt.append(name)
            assert response.status_code in (403, 405), (name, response.status_code)
            continue
        assert response.status_code == 403, (name, path, response.status_code)
        assert expired in response.content.decode(), (name, path)
        refused.append(name)
    assert exempt == sorted(CSRF_EXEMPT)
    assert len(refused) > 100
    # Still logged in: the refusals did not end the session, and no POST went through.
    assert client.get(reverse("records:home")).status_code == 200


def test_the_public_report_form_and_the_login_refuse_a_post_without_the_token(
    catalogs: None,
) -> None:
    expired = _form_expired()
    for name in ("reports:form", "reports:followup", "certificates:verify", "agencies:login"):
        client = Client(enforce_csrf_checks=True)
        assert client.get(reverse(name)).status_code == 200
        response = client.post(reverse(name), {"description": "x", "username": "x"})
        assert response.status_code == 403 and expired in response.content.decode(), name
        # The same form with the token the page gave is not refused for CSRF.
        token = client.cookies[settings.CSRF_COOKIE_NAME].value
        sent = client.post(reverse(name), {"csrfmiddlewaretoken": token})
        assert sent.status_code != 403 or expired not in sent.content.decode(), name


def test_the_api_is_csrf_exempt_by_design_and_a_cookie_session_opens_nothing(
    make_user: Callable[..., User],
) -> None:
    """The REST API takes only a bearer token (a browser never adds one by itself), so it
    needs no CSRF token; a forged POST riding on a staff session cookie gets 401."""
    user = make_user("caseworker")
    client = login_verified(Client(enforce_csrf_checks=True), user)
    names = [u.name for u in urls() if rule_key(u) in RULES and RULES[rule_key(u)].token]
    assert "api:assessments" in names
    body = json.dumps({"person": 1, "instrument": "vpr"})
    for path in ("/api/v1/risk/assessments/", "/api/v1/records/", "/api/v1/women/search/"):
        response = client.post(path, body, content_type="application/json")
        assert response.status_code == 401, (path, response.status_code)
        assert response["Content-Type"].startswith("application/problem+json")
    assert not RiskAssessment.objects.exists()


def _session_key(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_the_session_key_changes_at_login_and_again_at_the_second_factor(
    make_user: Callable[..., User],
) -> None:
    user = make_user("caseworker")
    client = Client()
    planted = client.session  # a session an attacker could have planted before the login
    planted["probe"] = 1
    planted.save()
    before = _session_key(client)
    response = client.post(
        reverse("agencies:login"), {"username": user.username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    after_password = _session_key(client)
    assert after_password != before
    assert not Session.objects.filter(session_key=before).exists()

    device = TOTPDevice.objects.get(user=user)
    response = client.post(reverse("agencies:otp_verify"), {"token": _code(device)})
    assert response.status_code == 302 and response["Location"] == reverse("records:home")
    verified = _session_key(client)
    assert verified != after_password
    assert not Session.objects.filter(session_key=after_password).exists()
    assert client.get(reverse("records:search")).status_code == 200

    # Whoever kept the half-way cookie (password only) does not hold the verified session.
    stale = Client()
    stale.cookies[settings.SESSION_COOKIE_NAME] = after_password
    response = stale.get(reverse("records:search"))
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("agencies:login")
    )


def test_first_enrolment_of_the_second_factor_changes_the_session_key(catalogs: None) -> None:
    from violeta.agencies.roles import Role
    from violeta.agencies.services import user_create

    user_create(username="nueva", password=TEST_PASSWORD, role=Role.OPERATOR, agency=None)
    client = Client()
    client.post(reverse("agencies:login"), {"username": "nueva", "password": TEST_PASSWORD})
    client.get(reverse("agencies:otp_setup"))
    after_password = _session_key(client)
    device = TOTPDevice.objects.get(user__username="nueva", confirmed=False)
    response = client.post(reverse("agencies:otp_setup"), {"token": _code(device)})
    assert response.status_code == 302
    assert _session_key(client) != after_password
    assert not Session.objects.filter(session_key=after_password).exists()


def test_logout_kills_the_session_on_the_server(make_user: Callable[..., User]) -> None:
    client = login_verified(Client(), make_user("supervisor"))
    assert client.get(reverse("records:home")).status_code == 200
    old = _session_key(client)
    response = client.post(reverse("agencies:logout"))
    assert response.status_code in (200, 302)
    assert not Session.objects.filter(session_key=old).exists()
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old
    response = replay.get(reverse("records:home"))
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("agencies:login")
    )


def _csp(response: object) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]  # type: ignore[index]
    policy = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            policy[words[0]] = words[1:]
    return policy


def test_content_security_policy_on_every_kind_of_page(
    make_user: Callable[..., User], staff_client: Callable[..., Client]
) -> None:
    from violeta.agencies.models import Agency
    from violeta.api.services import client_create, token_create

    api_client = client_create(
        agency=Agency.objects.get(code="SEMUJERES"), name="CSP", role="caseworker"
    )
    token = token_create(client=api_client, scopes=["risk:read"]).secret
    staff = staff_client("caseworker")
    admin = staff_client("administrator")
    anonymous = Client()
    pages = {
        "observatory": anonymous.get(reverse("observatory:home")),
        "observatory open data": anonymous.get(reverse("observatory:api:openapi")),
        "report form": anonymous.get(reverse("reports:form")),
        "login": anonymous.get(reverse("agencies:login")),
        "staff page": staff.get(reverse("records:home")),
        "staff 403": staff.get(reverse("audit:search")),
        "api": Client().get(
            reverse("api:instruments"), headers={"Authorization": f"Bearer {token}"}
        ),
        "api 401": Client().get(reverse("api:instruments")),
        "404": anonymous.get("/no-existe-esta-pagina/"),
        "api docs": anonymous.get(reverse("api:docs")),
        "admin": admin.get(reverse("admin:index")),
    }
    expected_status = {"staff 403": 403, "api 401": 401, "404": 404}
    for kind, response in pages.items():
        assert response.status_code == expected_status.get(kind, 200), kind
        policy = _csp(response)
        assert policy["default-src"] == ["'self'"], kind
        assert policy["script-src"] == ["'self'"], kind  # no inline script, no eval, anywhere
        assert policy["frame-ancestors"] == ["'none'"], kind
        assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"], kind
        assert policy["form-action"] == ["'self'"], kind
        # Inline styles: only the Django admin and the API's Swagger UI (core.middleware).
        relaxed = kind in {"admin", "api docs"}
        assert policy["style-src"] == ["'self'", "'unsafe-inline'"] if relaxed else ["'self'"], kind
        assert response["X-Frame-Options"] == "DENY", kind
        assert response["X-Content-Type-Options"] == "nosniff", kind
        assert response["Referrer-Policy"] == "same-origin", kind


PRODUCTION_PROBE = """
import json, django
django.setup()
from django.conf import settings as s
from django.test import Client
from django.test.utils import override_settings
# Static files' names without the manifest of collectstatic (minutes on this machine): only
# how the page names its CSS changes, nothing of the security settings probed here.
storages = {**s.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
override_settings(STORAGES=storages).enable()
host = "violeta.example.org"
c = Client()
plain = c.get("/cuenta/entrar/", HTTP_HOST=host)  # (the health probes are exempt)
secure = c.get("/healthz", HTTP_HOST=host, secure=True)
login = c.get("/cuenta/entrar/", HTTP_HOST=host, secure=True)
proxied = Client().get("/healthz", HTTP_HOST=host, HTTP_X_FORWARDED_PROTO="https")
csrf = login.cookies.get(s.CSRF_COOKIE_NAME)
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location", "")],
    "hsts": secure.get("Strict-Transport-Security", ""),
    "proxied": [proxied.status_code, proxied.get("Strict-Transport-Security", "")],
    "login": login.status_code,
    "csrf_cookie": [bool(csrf and csrf["secure"]), bool(csrf and csrf["httponly"])],
    "session_cookie": [s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY],
    "debug": s.DEBUG,
}))
"""


def test_production_sends_hsts_secure_cookies_and_redirects_to_https(tmp_path: Path) -> None:
    from tests.test_settings import PRODUCTION_ENV

    clean = {k: v for k, v in os.environ.items() if not k.startswith(("VIOLETA_", "DJANGO_"))}
    result = subprocess.run(  # noqa: S603 — our own interpreter and script
        [sys.executable, "-c", PRODUCTION_PROBE],
        env={
            **clean,
            **PRODUCTION_ENV,
            "DJANGO_SETTINGS_MODULE": "violeta.settings",
            "VIOLETA_DATA_DIR": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.sqlite3'}",
        },
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["plain"] == [301, "https://violeta.example.org/cuenta/entrar/"]
    parts = [p.strip().partition("=") for p in seen["hsts"].split(";") if p.strip()]
    hsts = {name: value for name, _eq, value in parts}
    assert int(hsts["max-age"]) >= 365 * 24 * 3600
    assert "includeSubDomains" in hsts and "preload" in hsts
    assert seen["proxied"][0] == 200 and seen["proxied"][1] == seen["hsts"]  # behind the proxy
    assert seen["login"] == 200
    assert seen["csrf_cookie"] == [True, True]
    assert seen["session_cookie"] == [True, True]
    assert seen["debug"] is False
