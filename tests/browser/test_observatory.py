"""The public observatory in a real Chromium on a phone-sized screen: charts drawn, no errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
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


def test_the_map_of_the_alcaldias_renders_on_a_phone(
    page: Any, live_server: Any, catalogs: None, tmp_path: Path
) -> None:
    from violeta.agencies.models import Agency
    from violeta.intake.loader import import_file
    from violeta.observatory.boundaries import boundaries_load
    from violeta.observatory.tests.test_map import ATTRIBUTION, _inegi
    from violeta.synth.generate import generate

    generate(tmp_path / "city", women=120, seed=7)  # as observatory's ``synthetic`` fixture
    for path in sorted((tmp_path / "city").glob("*.csv")):
        if path.stem not in {"truth", "truth_people"}:
            import_file(agency=Agency.objects.get(code=path.stem), path=path)
    observatory_refresh(k=5)
    boundaries_load(_inegi(), attribution=ATTRIBUTION)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and "Failed to load resource" not in m.text
            else None
        ),
    )
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/observatorio/")
    svg = page.locator("figure.choropleth > svg")
    assert page.locator("figure.choropleth path.area").count() == 16
    box = svg.bounding_box()
    assert 300 <= box["width"] <= 390 and box["height"] > box["width"]  # the city is tall
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    # each alcaldía is an image with an accessible name: its figure, or "cifra oculta"
    names = page.eval_on_selector_all(
        "path.area", "els => els.map(e => e.getAttribute('aria-label'))"
    )
    hidden = [n for n in names if n.endswith(": cifra oculta")]
    assert 0 < len(hidden) < 16
    for name in names:
        assert page.get_by_role("img", name=name, exact=True).count() == 1
    # drawn: published alcaldías coloured by class, hidden ones hatched (CSP allowed both)
    fills = page.eval_on_selector_all(
        "figure.choropleth path.area", "els => els.map(e => getComputedStyle(e).fill)"
    )
    assert fills.count('url("#map-hatch")') == len(hidden) and len(set(fills)) >= 3
    shot = tmp_path / "map.png"
    svg.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000  # a drawing, not an empty box
    assert page.get_by_text(ATTRIBUTION, exact=False).count() == 1
    assert errors == []
