"""Passkeys as a second factor: registration, login, and what is refused (wrong challenge,
origin or relying party, a counter that went back, someone else's credential, garbage)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import TEST_PASSWORD, login_verified
from violeta.agencies import passkeys
from violeta.agencies.models import PasskeyDevice, User
from violeta.agencies.tests.softauthn import SoftAuthenticator
from violeta.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

REGISTER_OPTIONS = reverse("agencies:passkey_register_options")
REGISTER = reverse("agencies:passkey_register_verify")
LOGIN_OPTIONS = reverse("agencies:passkey_login_options")
LOGIN = reverse("agencies:passkey_login_verify")


def _post(client: Client, url: str, body: Any = None) -> Any:
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def _register(client: Client, key: SoftAuthenticator, name: str = "Laptop") -> Any:
    options = _post(client, REGISTER_OPTIONS)
    assert options.status_code == 200
    return _post(client, REGISTER, {"credential": key.create(options.content), "name": name})


def _password_only(user: User) -> Client:
    client = Client()
    response = client.post(
        reverse("agencies:login"), {"username": user.username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    return client


def _options(client: Client) -> str:
    response = _post(client, LOGIN_OPTIONS)
    assert response.status_code == 200, response.content
    return response.content.decode()


def _reset_throttle(user: User) -> None:
    PasskeyDevice.objects.filter(user=user).update(throttling_failure_count=0)
    TOTPDevice.objects.filter(user=user).update(throttling_failure_count=0)


@pytest.fixture
def with_passkey(make_user: Callable[..., User]) -> tuple[User, SoftAuthenticator]:
    user = make_user("caseworker")
    key = SoftAuthenticator()
    response = _register(login_verified(Client(), user), key)
    assert response.status_code == 200, response.content
    return user, key


def test_register_then_log_in_with_password_and_passkey(
    with_passkey: tuple[User, SoftAuthenticator],
) -> None:
    user, key = with_passkey
    device = PasskeyDevice.objects.get(user=user)
    assert device.name == "Laptop" and device.credential_id == key.id
    assert device.transports == ["internal"] and device.sign_count == 0

    client = _password_only(user)
    assert client.get(reverse("records:search"))["Location"] == reverse("agencies:otp_verify")
    page = client.get(reverse("agencies:otp_verify")).content.decode()
    assert "Usar una llave de acceso" in page and "passkeys.js" in page
    options = json.loads(_options(client))
    key_before = client.session.session_key
    assert [c["id"] for c in options["allowCredentials"]] == [key.id]
    assert options["rpId"] == "testserver" and options["userVerification"] == "preferred"
    response = _post(client, LOGIN, {"credential": key.get(options)})
    assert response.status_code == 200 and response.json() == {"redirect": reverse("records:home")}
    assert client.get(reverse("records:search")).status_code == 200
    assert client.session.session_key != key_before  # no session fixation
    device.refresh_from_db()
    assert device.sign_count == 1 and device.last_used_at is not None

    entries = AuditEntry.objects.filter(actor=user, details__factor="passkey")
    assert {e.action for e in entries} == {"create", "login"}
    dump = json.dumps([e.details for e in entries]) + "".join(e.subject_id for e in entries)
    assert key.id not in dump and bytes(device.public_key).hex() not in dump


def test_the_verify_page_offers_a_passkey_only_to_who_has_one(
    make_user: Callable[..., User],
) -> None:
    client = _password_only(make_user("operator"))
    assert "llave de acceso" not in client.get(reverse("agencies:otp_verify")).content.decode()
    assert _post(client, LOGIN_OPTIONS).status_code == 400


def test_registration_excludes_her_passkeys_and_refuses_a_duplicate(
    with_passkey: tuple[User, SoftAuthenticator],
) -> None:
    user, key = with_passkey
    client = login_verified(Client(), user)
    options = json.loads(_post(client, REGISTER_OPTIONS).content)
    assert [c["id"] for c in options["excludeCredentials"]] == [key.id]
    assert options["authenticatorSelection"]["userVerification"] == "preferred"
    response = _post(client, REGISTER, {"credential": key.create(options)})
    assert response.status_code == 400 and "ya está registrada" in response.json()["error"]
    assert PasskeyDevice.objects.filter(user=user).count() == 1


@pytest.mark.parametrize("forge", ["origin", "rp_id", "challenge", "replay"])
def test_registration_with_a_forged_answer_is_refused(
    make_user: Callable[..., User], forge: str
) -> None:
    user = make_user("caseworker")
    client = login_verified(Client(), user)
    key = SoftAuthenticator()
    first = _post(client, REGISTER_OPTIONS).content
    if forge == "origin":
        answer = key.create(first, origin="https://evil.example")
    elif forge == "rp_id":
        answer = key.create(first, rp_id="evil.example")
    elif forge == "challenge":  # the answer to an older challenge
        answer = key.create(first)
        _post(client, REGISTER_OPTIONS)
    else:  # the same good answer a second time
        answer = key.create(first)
        assert _post(client, REGISTER, {"credential": answer}).status_code == 200
        PasskeyDevice.objects.filter(user=user).delete()
    response = _post(client, REGISTER, {"credential": answer})
    assert response.status_code == 400
    assert response.json()["error"] in (
        "No se pudo verificar la llave de acceso. Inténtelo de nuevo.",
        "Empiece de nuevo: la solicitud había caducado.",
    )
    assert not PasskeyDevice.objects.filter(user=user).exists()


@pytest.mark.parametrize(
    ("forge", "reason"),
    [
        ({"origin": "https://evil.example"}, "invalid"),
        ({"origin": "http://testserver:8000"}, "invalid"),
        ({"rp_id": "evil.example"}, "invalid"),
        ({"challenge": "AAAAAAAAAAAAAAAAAAAAAA"}, "invalid"),
        ({"count": 0}, "sign_count"),
    ],
)
def test_login_with_a_forged_answer_is_refused_counted_and_audited(
    with_passkey: tuple[User, SoftAuthenticator], forge: dict[str, Any], reason: str
) -> None:
    user, key = with_passkey
    client = _password_only(user)
    key.get(_options(client))  # a first use: the counter is 1 from now on
    PasskeyDevice.objects.filter(user=user).update(sign_count=1)
    response = _post(client, LOGIN, {"credential": key.get(_options(client), **forge)})
    assert response.status_code == 400
    assert (
        response.json()["error"] == "No se pudo verificar la llave de acceso. Inténtelo de nuevo."
    )
    assert client.get(reverse("records:search")).status_code == 302  # still not verified
    failure = AuditEntry.objects.filter(actor=user, action="login_failed").get()
    assert failure.details == {"factor": "passkey", "reason": reason}
    # Counted like a wrong TOTP code: both factors back off.
    assert TOTPDevice.objects.get(user=user).throttling_failure_count == 1
    assert PasskeyDevice.objects.get(user=user).throttling_failure_count == 1


def test_a_replayed_login_answer_is_refused(with_passkey: tuple[User, SoftAuthenticator]) -> None:
    user, key = with_passkey
    client = _password_only(user)
    answer = key.get(_options(client))
    assert _post(client, LOGIN, {"credential": answer}).status_code == 200
    other = _password_only(user)  # a second session, replaying the captured answer
    _options(other)
    response = _post(other, LOGIN, {"credential": answer})
    assert response.status_code == 400
    assert other.get(reverse("records:search")).status_code == 302


def test_someone_elses_passkey_does_not_pass_her_second_factor(
    make_user: Callable[..., User], with_passkey: tuple[User, SoftAuthenticator]
) -> None:
    first, _ = with_passkey
    second = make_user("operator")
    second_key = SoftAuthenticator()
    assert _register(login_verified(Client(), second), second_key).status_code == 200
    client = _password_only(first)
    response = _post(client, LOGIN, {"credential": second_key.get(_options(client))})
    assert response.status_code == 400 and "no es suya" in response.json()["error"]
    assert client.get(reverse("records:search")).status_code == 302
    assert AuditEntry.objects.get(actor=first, action="login_failed").details["reason"] == (
        "unknown_credential"
    )


def test_after_a_failure_she_must_wait_and_the_totp_box_waits_too(
    with_passkey: tuple[User, SoftAuthenticator], settings: Any
) -> None:
    settings.OTP_PASSKEY_THROTTLE_FACTOR = settings.OTP_TOTP_THROTTLE_FACTOR = 60
    user, key = with_passkey
    client = _password_only(user)
    _post(client, LOGIN, {"credential": key.get(_options(client), origin="https://evil.example")})
    response = _post(client, LOGIN, {"credential": key.get(_options(client))})
    assert response.status_code == 429 and "Demasiados intentos" in response.json()["error"]
    page = client.post(reverse("agencies:otp_verify"), {"token": "123456"}).content.decode()
    assert "Demasiados intentos" in page
    _reset_throttle(user)
    assert _post(client, LOGIN, {"credential": key.get(_options(client))}).status_code == 200


GARBAGE: list[Any] = [
    None,
    "",
    "not json",
    [],
    {"id": 5},
    {"id": "x"},
    {"id": "x", "rawId": "x", "type": "public-key", "response": {}},
    {"id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": {"clientDataJSON": "%%%"}},
    {"id": "A" * 5000, "rawId": "A", "type": "x", "response": {"attestationObject": "AAAA"}},
]


@pytest.mark.parametrize("credential", GARBAGE)
def test_garbage_is_refused_with_a_message_and_stores_nothing(
    with_passkey: tuple[User, SoftAuthenticator], credential: Any
) -> None:
    user, _ = with_passkey
    verified = login_verified(Client(), user)
    _post(verified, REGISTER_OPTIONS)
    response = _post(verified, REGISTER, {"credential": credential})
    assert response.status_code == 400 and response.json()["error"]
    assert PasskeyDevice.objects.filter(user=user).count() == 1
    client = _password_only(user)
    _options(client)
    response = _post(client, LOGIN, {"credential": credential})
    assert response.status_code == 400 and response.json()["error"]
    assert client.get(reverse("records:search")).status_code == 302
    raw = client.post(LOGIN, b"\xff" * 70000, content_type="application/json")
    assert raw.status_code in (400, 429)


def test_registration_needs_the_second_factor_and_login_steps_do_not(
    with_passkey: tuple[User, SoftAuthenticator],
) -> None:
    user, _ = with_passkey
    client = _password_only(user)
    for url in (reverse("agencies:passkeys"), REGISTER_OPTIONS, REGISTER):
        response = client.post(url) if url != reverse("agencies:passkeys") else client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse(
            "agencies:otp_verify"
        )
    device = PasskeyDevice.objects.get(user=user)
    response = client.post(reverse("agencies:passkey_remove", args=[device.pk]))
    assert response["Location"] == reverse("agencies:otp_verify")
    assert PasskeyDevice.objects.filter(pk=device.pk).exists()
    assert _post(client, LOGIN_OPTIONS).status_code == 200
    assert Client().post(LOGIN_OPTIONS)["Location"].startswith(reverse("agencies:login"))


def test_list_and_remove_but_never_her_last_factor(
    with_passkey: tuple[User, SoftAuthenticator], make_user: Callable[..., User]
) -> None:
    user, _ = with_passkey
    client = login_verified(Client(), user)
    page = client.get(reverse("agencies:passkeys")).content.decode()
    assert "Laptop" in page and "Registrar una llave de acceso" in page
    device = PasskeyDevice.objects.get(user=user)
    other = make_user("operator")
    assert (
        login_verified(Client(), other)
        .post(reverse("agencies:passkey_remove", args=[device.pk]))
        .status_code
        == 302
    )
    assert PasskeyDevice.objects.filter(pk=device.pk).exists()  # not hers: nothing removed

    TOTPDevice.objects.filter(user=user).delete()  # the passkey is now her only factor
    with pytest.raises(passkeys.PasskeyError) as refused:
        passkeys.passkey_remove(user=user, device_id=device.pk)
    assert refused.value.code == "last_factor"

    TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    client = login_verified(Client(), user)  # her session's device was the removed one
    response = client.post(reverse("agencies:passkey_remove", args=[device.pk]), follow=True)
    assert "Se quitó la llave de acceso" in response.content.decode()
    assert not PasskeyDevice.objects.filter(pk=device.pk).exists()
    removal = AuditEntry.objects.get(actor=user, action="delete", subject_type="passkey")
    assert removal.details == {"factor": "passkey", "device": device.pk}


def test_relying_party_from_the_host_or_the_settings(settings: Any) -> None:
    request = RequestFactory().get("/", HTTP_HOST="localhost:8123")
    settings.ALLOWED_HOSTS = ["localhost", "violeta.example.gob.mx"]
    rp = passkeys.relying_party(request)
    assert (rp.id, rp.origin) == ("localhost", "http://localhost:8123")
    settings.WEBAUTHN_RP_ID = "violeta.example.gob.mx"
    settings.WEBAUTHN_ORIGIN = "https://violeta.example.gob.mx"
    rp = passkeys.relying_party(request)
    assert (rp.id, rp.origin) == ("violeta.example.gob.mx", "https://violeta.example.gob.mx")


def test_an_administrator_removes_a_lost_passkey_but_adds_none(
    with_passkey: tuple[User, SoftAuthenticator], make_user: Callable[..., User]
) -> None:
    user, key = with_passkey
    device = PasskeyDevice.objects.get(user=user)
    admin = login_verified(Client(), make_user("administrator", username="sedesa.admin"))
    listing = admin.get(reverse("admin:agencies_passkeydevice_changelist")).content.decode()
    assert "Laptop" in listing and key.id not in listing
    assert admin.get(reverse("admin:agencies_passkeydevice_add")).status_code == 403
    page = admin.get(reverse("admin:agencies_passkeydevice_change", args=[device.pk]))
    assert page.status_code == 200 and key.id not in page.content.decode()
    admin.post(reverse("admin:agencies_passkeydevice_delete", args=[device.pk]), {"post": "yes"})
    assert not PasskeyDevice.objects.filter(pk=device.pk).exists()
    entry = AuditEntry.objects.get(action="delete", subject_type="passkey")
    assert entry.details == {"factor": "passkey", "device": device.pk, "owner": user.pk}
    assert entry.actor_label == "sedesa.admin"


def test_passkey_pages_in_english_when_she_chose_it(
    with_passkey: tuple[User, SoftAuthenticator],
) -> None:
    from django.conf import settings

    user, _ = with_passkey
    client = _password_only(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Use a passkey" in client.get(reverse("agencies:otp_verify")).content.decode()
    client = login_verified(Client(), user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("agencies:passkeys")).content.decode()
    assert "Register a passkey" in page and "Your passkeys" in page
