"""WCAG 2.1 AA in a real Chromium: axe-core (from the pinned PyPI package axe-playwright-python)
with the wcag2a, wcag2aa, wcag21a and wcag21aa rules on the public pages, on a desktop and on a
phone (375x812), and a keyboard-only walk through the observatory."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from violeta.observatory.services import observatory_refresh
from violeta.observatory.tests.test_pages import _register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


def _violations(page: Any) -> list[str]:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    found = []
    for violation in results.response["violations"]:
        for node in violation["nodes"]:
            found.append(f"{violation['id']}: {node['target']} {node['failureSummary'][:200]}")
    return found


def _publish() -> None:
    for n in range(14):
        when = timezone.now() - dt.timedelta(days=40 * (n % 2), hours=1)
        _register(n, when=when, alcaldia="09015" if n < 8 else "09007")
    observatory_refresh(k=5)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_observatory_has_no_wcag_21_aa_violations(
    page: Any, live_server: Any, catalogs: None, viewport: dict[str, int]
) -> None:
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}/observatorio/")
    violations = _violations(page)
    assert not violations, "\n".join(violations)  # before any release
    _publish()
    for query in ("", "?alcaldia=09015&tipo=psicologica", "?desde=2025-13"):
        response = page.goto(f"{live_server.url}/observatorio/{query}")
        assert response.status == (400 if "13" in query else 200)
        if not query.startswith("?desde"):
            page.wait_for_selector("figure.chart canvas")  # the charts are drawn, then checked
        violations = _violations(page)
        assert not violations, query + "\n" + "\n".join(violations)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("path", ["/denuncia/", "/cuenta/entrar/"])
def test_the_public_report_and_login_pages_have_no_wcag_21_aa_violations(
    page: Any, live_server: Any, catalogs: None, path: str, viewport: dict[str, int]
) -> None:
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}{path}")
    violations = _violations(page)
    assert not violations, "\n".join(violations)


def test_the_observatory_works_with_the_keyboard_alone(
    page: Any, live_server: Any, catalogs: None
) -> None:
    _publish()
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/observatorio/")
    page.wait_for_selector("figure.chart canvas")
    reached: list[str] = []
    for _ in range(80):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => { const e = document.activeElement; const s = getComputedStyle(e);
                 if (e === document.body) return null;
                 return [e.id || e.getAttribute('href') || e.textContent.trim(),
                         s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2]; }"""
        )
        if focused is None:  # past the last control
            break
        reached.append(focused[0])
        assert focused[1], f"no visible focus on {focused[0]}"
    assert reached[0] == "#main"  # the skip link comes first
    order = [reached.index(x) for x in ("desde", "hasta", "alcaldia", "tipo")]
    assert order == sorted(order)
    assert any(r.startswith("/observatorio/month.csv") for r in reached)  # a download
    # filter and submit with the keyboard only
    page.focus("#alcaldia")
    page.keyboard.press("ArrowDown")  # the first alcaldía
    page.focus("#tipo")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**alcaldia=*")
    assert "alcaldia=&" not in page.url
