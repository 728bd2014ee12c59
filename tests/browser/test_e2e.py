"""In a real browser: log in with two-factor, register a new woman, find her again, and an
analyst who cannot open her file."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import TEST_PASSWORD
from violeta.agencies.models import User
from violeta.people.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _code(user: User) -> str:
    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _login(page: Any, base: str, user: User) -> None:
    page.goto(f"{base}/cuenta/entrar/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/cuenta/verificar/**")
    page.fill("#id_token", _code(user))
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/")


def test_register_find_and_need_to_know_in_a_browser(
    page: Any, live_server: Any, make_user: Callable[..., User]
) -> None:
    base = live_server.url
    operator = make_user("operator", "SEMUJERES")
    analyst = make_user("analyst", "SEMUJERES")

    # Without the second factor nothing opens.
    page.goto(f"{base}/buscar/")
    assert "/cuenta/entrar/" in page.url

    _login(page, base, operator)
    assert page.locator("h1").inner_text() == "Violeta"
    page.click("text=Nuevo registro")
    page.select_option("#id_kind", "service_session")
    page.fill("#id_occurred_at", "2025-05-10T18:45")
    page.select_option("#id_alcaldia", "09005")
    page.check("input[name=violence_types][value=psicologica]")
    page.fill("#id_narrative", "Acude por amenazas de su expareja.")
    page.fill("#id_victim_given_names", "Rosa Elena")
    page.fill("#id_victim_first_surname", "Villaseñor")
    page.fill("#id_victim_second_surname", "Cruz")
    page.fill("#id_victim_birth_date", "1992-11-03")
    page.fill("#id_victim_phone", "5544332211")
    page.click("text=Guardar registro")
    page.wait_for_selector("text=guardado en su expediente")
    assert page.locator("h1").inner_text() == "Rosa Elena Villaseñor Cruz"
    person = Person.objects.get()

    # Find her again by surname and given name (accents not needed).
    page.click("text=Buscar a una mujer")
    page.fill("#id_first_surname", "villasenor")
    page.fill("#id_given_names", "rosa")
    page.click("#search-form button[type=submit]")
    page.click("text=Rosa Elena Villaseñor Cruz")
    page.wait_for_url(f"{base}/personas/{person.pk}/")
    assert "Acude por amenazas de su expareja." in page.content()

    page.click("text=Cerrar sesión")
    _login(page, base, analyst)
    response = page.goto(f"{base}/personas/{person.pk}/")
    assert response.status == 403
    assert "Villaseñor" not in page.content()
    assert page.locator("text=Buscar a una mujer").count() == 0
