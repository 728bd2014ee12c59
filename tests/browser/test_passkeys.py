"""In a real Chromium with its virtual authenticator (CDP WebAuthn domain): log in with TOTP,
register a passkey, log out, log in with the password and the passkey (no code), and a second
user's passkey does not pass the first one's second factor."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from conftest import TEST_PASSWORD
from tests.browser.helpers import login, logout
from tests.browser.test_accessibility import _violations
from violeta.agencies.models import PasskeyDevice, User
from violeta.audit.models import AuditEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _virtual_authenticator(page: Any) -> tuple[Any, str]:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def _register_passkey(page: Any, base: str, name: str) -> None:
    page.click("text=Llaves de acceso (passkeys)")
    page.wait_for_url(f"{base}/cuenta/llaves-de-acceso/")
    page.fill("#passkey-name", name)
    page.click("#passkey-register button[type=submit]")
    page.wait_for_selector(f"text=Llave de acceso «{name}» registrada.")
    assert page.locator("#passkey-list tbody tr").count() == 1


def _password(page: Any, base: str, user: User) -> None:
    page.goto(f"{base}/cuenta/entrar/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/cuenta/verificar/**")


def test_passkey_registered_then_used_instead_of_the_code(
    page: Any, live_server: Any, make_user: Callable[..., User]
) -> None:
    base = live_server.url
    assert base.startswith("http://localhost:")  # a secure context: WebAuthn works over http
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    cdp, authenticator = _virtual_authenticator(page)
    first = make_user("operator", "SEMUJERES")
    second = make_user("analyst", "SEMUJERES")

    login(page, base, first)
    _register_passkey(page, base, "Equipo de la oficina")
    assert not _violations(page), _violations(page)  # WCAG 2.1 AA (axe-core)
    device = PasskeyDevice.objects.get(user=first)
    assert device.name == "Equipo de la oficina"
    stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert [c["rpId"] for c in stored["credentials"]] == ["localhost"]
    logout(page, base)

    # Password, then the passkey: no code typed.
    _password(page, base, first)
    assert page.locator("#id_token").count() == 1  # the code box stays beside it
    assert not _violations(page), _violations(page)
    page.click("text=Usar una llave de acceso")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/buscar/")
    assert page.url == f"{base}/buscar/"
    assert page.locator("h1").inner_text() == "Buscar a una mujer"
    device.refresh_from_db()
    assert device.last_used_at is not None
    logout(page, base)

    # The second user registers her own passkey on the same authenticator.
    login(page, base, second)
    _register_passkey(page, base, "Llave de la analista")
    theirs = PasskeyDevice.objects.get(user=second)
    logout(page, base)

    # The first user's browser is made to offer the second user's credential: refused.
    def offer_theirs(route: Any) -> None:
        response = route.fetch()
        options = response.json()
        options["allowCredentials"] = [{"type": "public-key", "id": theirs.credential_id}]
        route.fulfill(response=response, body=json.dumps(options))

    page.route("**/cuenta/verificar/llave/opciones/", offer_theirs)
    _password(page, base, first)
    page.click("text=Usar una llave de acceso")
    page.wait_for_selector("text=Esta llave de acceso no es suya.")
    page.goto(f"{base}/buscar/")
    assert "/cuenta/verificar/" in page.url  # still not past the second factor
    failure = AuditEntry.objects.get(actor=first, action="login_failed")
    assert failure.details == {"factor": "passkey", "reason": "unknown_credential"}
    assert csp_errors == []


def test_clear_messages_without_webauthn_and_when_she_cancels(
    browser: Any, live_server: Any, make_user: Callable[..., User]
) -> None:
    base = live_server.url
    user = make_user("caseworker", "SEMUJERES")
    PasskeyDevice.objects.create(
        user=user, name="Llave", credential_id="AAAA", public_key=b"\x00", confirmed=True
    )
    # A browser without WebAuthn: the button is disabled and says to use the code.
    context = browser.new_context(locale="es-MX")
    context.add_init_script("delete window.PublicKeyCredential;")
    page = context.new_page()
    _password(page, base, user)
    page.wait_for_selector("text=Este navegador no puede usar llaves de acceso.")
    assert page.locator("#passkey-login-button").is_disabled()
    context.close()
    # She cancels the browser's dialog (the browser rejects with NotAllowedError).
    context = browser.new_context(locale="es-MX")
    context.add_init_script(
        "navigator.credentials.get = function () {"
        " return Promise.reject(new DOMException('cancelled', 'NotAllowedError')); };"
    )
    page = context.new_page()
    _password(page, base, user)
    page.click("text=Usar una llave de acceso")
    page.wait_for_selector("text=No se usó la llave de acceso: la solicitud se canceló")
    assert page.locator("#passkey-login-button").is_enabled()  # she may try again
    assert "/cuenta/verificar/" in page.url
    assert not AuditEntry.objects.filter(actor=user, action="login_failed").exists()
    context.close()
