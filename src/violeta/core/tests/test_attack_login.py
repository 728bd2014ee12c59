"""Guessing passwords and second-factor codes: django-axes locks a user name out (from any
address), the lock-out page does not say whether the user exists, and django-otp throttles
wrong TOTP codes per device, across sessions."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import TEST_PASSWORD
from violeta.agencies.models import User

pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _login(client: Client, username: str, password: str, address: str) -> object:
    return client.post(
        reverse("agencies:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def _plain(response: object, username: str) -> str:
    """The page without what differs by nature between two requests: the CSRF token and the
    user name typed into the form."""
    text = response.content.decode()  # type: ignore[attr-defined]
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    return text.replace(username, "<username>")


def test_a_locked_user_name_stays_locked_from_any_other_address(
    make_user: Callable[..., User],
) -> None:
    user = make_user("supervisor")
    assert settings.AXES_FAILURE_LIMIT <= 10
    for n in range(settings.AXES_FAILURE_LIMIT):
        response = _login(Client(), user.username, f"wrong-{n}", "203.0.113.7")
        assert response.status_code == (429 if n + 1 == settings.AXES_FAILURE_LIMIT else 200)
    for address in ("198.51.100.23", "192.0.2.200"):
        client = Client()
        response = _login(client, user.username, TEST_PASSWORD, address)
        assert response.status_code == 429, address
        assert "_auth_user_id" not in client.session
        assert client.get(reverse("records:home")).status_code == 302
    # Another user at the attacker's address is not locked by it.
    other = make_user("caseworker")
    response = _login(Client(), other.username, TEST_PASSWORD, "203.0.113.7")
    assert response.status_code == 302


def test_the_lock_out_does_not_tell_whether_the_user_exists(
    make_user: Callable[..., User],
) -> None:
    real = make_user("operator").username
    ghost = "semujeres.nadie"
    assert not User.objects.filter(username=ghost).exists()
    pages: dict[str, list[tuple[int, str]]] = {real: [], ghost: []}
    for username in (real, ghost):
        for n in range(settings.AXES_FAILURE_LIMIT + 1):
            response = _login(Client(), username, f"wrong-{n}", f"192.0.2.{n + 1}")
            pages[username].append((response.status_code, _plain(response, username)))
    assert pages[real] == pages[ghost]
    status, page = pages[real][-1]
    assert status == 429 and "bloqueada" in page.lower()
    assert real not in page and ghost not in page


def test_totp_guessing_is_throttled_per_device_across_sessions(
    make_user: Callable[..., User],
) -> None:
    assert getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1) >= 1  # django-otp's default: on
    user = make_user("caseworker")
    device = TOTPDevice.objects.get(user=user)
    right = _code(device)
    wrong = "000000" if right != "000000" else "111111"

    guesser = Client()
    _login(guesser, user.username, TEST_PASSWORD, "203.0.113.9")
    for _ in range(3):
        guesser.post(reverse("agencies:otp_verify"), {"token": wrong})
    device.refresh_from_db()
    assert device.throttling_failure_count >= 1
    failures = device.throttling_failure_count

    # Even the right code is refused while the wait lasts, also in a fresh session.
    again = Client()
    _login(again, user.username, TEST_PASSWORD, "198.51.100.9")
    response = again.post(reverse("agencies:otp_verify"), {"token": _code(device)})
    assert response.status_code == 200 and "Demasiados intentos" in response.content.decode()
    assert again.get(reverse("records:search")).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == failures  # refused without being tried

    # The wait doubles with each failure: after it, the right code opens the session.
    wait = getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1)
    delay = wait * 2 ** (failures - 1)
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=delay + 1)
    )
    response = again.post(reverse("agencies:otp_verify"), {"token": _code(device)})
    assert response.status_code == 302 and response["Location"] == reverse("records:home")
    device.refresh_from_db()
    assert device.throttling_failure_count == 0
