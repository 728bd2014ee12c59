"""Steps the browser tests share: log in (password and TOTP, as in test_e2e), log out, find her."""

from __future__ import annotations

from typing import Any

from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.test_e2e import _login
from violeta.agencies.models import User
from violeta.linkage.tests.test_services import _register
from violeta.people.models import Person


def login(page: Any, base: str, user: User) -> None:
    # A TOTP code is accepted once: logging the same user in again within its 30 seconds is
    # refused as a replay. Forget the last code used, as if the next period had come.
    TOTPDevice.objects.filter(user=user).update(last_t=-1)
    _login(page, base, user)


def logout(page: Any, base: str) -> None:
    page.click("text=Cerrar sesión")
    page.wait_for_load_state()
    page.goto(f"{base}/")
    assert "/cuenta/entrar/" in page.url  # really logged out


def a_woman(record_id: str = "S-1", **victim: str) -> Person:
    """A synthetic woman with one SEMUJERES record (default: Guadalupe Hernández López, whose
    record states the level "medio"; aggressor Juan Carlos Ramírez Soto)."""
    return _register(record_id, **victim).victim


def search_row(page: Any, base: str, first_surname: str, given_names: str) -> Any:
    """The search results row of the one woman found by that name."""
    page.goto(f"{base}/buscar/")
    page.fill("#id_first_surname", first_surname)
    page.fill("#id_given_names", given_names)
    page.click("#search-form button[type=submit]")
    rows = page.locator("#results tbody tr")
    rows.first.wait_for()
    assert rows.count() == 1
    return rows.first
