"""Login: password, mandatory two-factor, lock-out and idle expiry."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import TEST_PASSWORD
from violeta.agencies.models import User

pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_staff_pages_need_login(catalogs: None) -> None:
    response = Client().get(reverse("records:search"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("agencies:login"))


def test_password_alone_does_not_open_staff_pages(make_user: Callable[..., User]) -> None:
    make_user("caseworker")
    client = Client()
    response = client.post(
        reverse("agencies:login"),
        {"username": "semujeres.caseworker", "password": TEST_PASSWORD},
    )
    assert response.status_code == 302
    response = client.get(reverse("records:search"))
    assert response.status_code == 302 and response["Location"] == reverse("agencies:otp_verify")


def test_password_and_totp_code_open_staff_pages(make_user: Callable[..., User]) -> None:
    user = make_user("caseworker")
    client = Client()
    client.post(reverse("agencies:login"), {"username": user.username, "password": TEST_PASSWORD})
    wrong = client.post(reverse("agencies:otp_verify"), {"token": "000000"})
    assert wrong.status_code == 200 and "no es válido" in wrong.content.decode()
    device = TOTPDevice.objects.get(user=user)
    throttled = client.post(reverse("agencies:otp_verify"), {"token": _code(device)})
    assert "Demasiados intentos" in throttled.content.decode()  # back-off after a failure
    device.throttle_reset()
    response = client.post(reverse("agencies:otp_verify"), {"token": _code(device)})
    assert response.status_code == 302
    assert client.get(reverse("records:search")).status_code == 200


def test_first_login_enrols_a_device_with_a_qr_code(catalogs: None) -> None:
    from violeta.agencies.roles import Role
    from violeta.agencies.services import user_create

    user = user_create(username="nueva", password=TEST_PASSWORD, role=Role.OPERATOR, agency=None)
    client = Client()
    client.post(reverse("agencies:login"), {"username": "nueva", "password": TEST_PASSWORD})
    assert client.get(reverse("agencies:otp_verify"))["Location"] == reverse("agencies:otp_setup")
    page = client.get(reverse("agencies:otp_setup"))
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    client.post(reverse("agencies:otp_setup"), {"token": _code(device)})
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("records:home")).status_code == 200


def test_repeated_failures_lock_the_account_even_with_the_right_password(
    make_user: Callable[..., User],
) -> None:
    user = make_user("operator")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("agencies:login"), {"username": user.username, "password": "wrong"})
    response = client.post(
        reverse("agencies:login"), {"username": user.username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_idle_session_expires() -> None:
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_AGE <= 30 * 60


def test_idle_session_is_renewed_by_activity_and_dies_without_it(
    staff_client: Callable[..., Client],
) -> None:
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client = staff_client("caseworker")
    client.get(reverse("records:home"))
    key = client.session.session_key
    session = Session.objects.get(session_key=key)
    remaining = (session.expire_date - timezone.now()).total_seconds()
    assert settings.SESSION_COOKIE_AGE - 60 < remaining <= settings.SESSION_COOKIE_AGE
    Session.objects.filter(session_key=key).update(expire_date=timezone.now())
    response = client.get(reverse("records:search"))
    assert response.status_code == 302 and "entrar" in response["Location"]
