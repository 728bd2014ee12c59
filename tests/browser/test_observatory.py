"""The public observatory in a real Chromium on a phone-sized screen: charts drawn, no errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from violeta.observatory.services import observatory_refresh
from violeta.observatory.tests.test_pages import _register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_observatory_draws_its_charts_from_its_tables_without_login(
    page: Any, live_server: Any, catalogs: None
) -> None:
    for n in range(6):
        _register(n, when=timezone.now() - dt.timedelta(hours=1))
    observatory_refresh(k=5)
    errors: list[str] = []
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and "Failed to load resource" not in m.text
            else None
        ),
    )
    page.on(
        "response",
        lambda r: errors.append(r.url) if r.status >= 400 and "favicon" not in r.url else None,
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/observatorio/")
    page.get_by_role("heading", name="Observatorio público de la violencia contra las mujeres")
    page.wait_for_selector("figure.chart canvas")
    tables = page.locator("table[data-chart]").count()
    assert tables >= 9
    assert page.locator("figure.chart canvas").count() == tables
    assert errors == []
    # the page does not scroll sideways on a phone: only the wide tables do, inside their box
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1
    page.get_by_label("Alcaldía", exact=True).select_option(label="Cuauhtémoc")
    page.get_by_role("button", name="Aplicar").click()
    page.wait_for_url("**alcaldia=09015**")
    assert page.get_by_text("Grupo de edad en Cuauhtémoc", exact=False).count() >= 1
