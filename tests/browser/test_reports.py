"""In a real browser: a witness reports from the public page, sees her folio once, then
leaves with the quick-exit button. The page is gone from the history, "back" does not bring
the report back, and nothing is left in the site's storage. Esc leaves too."""

from __future__ import annotations

from typing import Any

import pytest

from violeta.reports.models import PublicReport

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DESCRIPTION = "Relato-publico: mi vecina pide ayuda cada noche"


def _neutral_site(settings: Any, base: str) -> str:
    """The sandbox has no internet: the neutral site is this server under another origin
    (127.0.0.1 instead of localhost). Playwright cannot route a request reached by a redirect.
    """
    neutral = base.replace("localhost", "127.0.0.1") + "/healthz"
    assert neutral != base + "/healthz"
    settings.VIOLETA_REPORTS_QUICK_EXIT_URL = neutral
    return neutral


def test_report_then_quick_exit_leaves_no_trace(
    page: Any, live_server: Any, catalogs: Any, settings: Any
) -> None:
    base = live_server.url
    neutral = _neutral_site(settings, base)
    page.goto(f"{base}/denuncia/")
    assert page.locator("#quick-exit").is_visible()
    page.evaluate("localStorage.setItem('probe', '1'); sessionStorage.setItem('probe', '1')")
    page.check("input[name=reporter_role][value=witness]")
    page.fill("#id_description", DESCRIPTION)
    page.click("#report-form button[type=submit]")
    page.wait_for_url(f"{base}/denuncia/enviada/")
    report = PublicReport.objects.get()
    assert page.inner_text("#folio") == report.folio
    assert report.folio not in page.url and page.inner_text("#secret") not in page.url
    length_before = page.evaluate("window.history.length")

    page.click("#quick-exit")
    page.wait_for_url(neutral)
    # The confirmation page was replaced, not pushed: no new entry, and it is not "back".
    assert page.evaluate("window.history.length") == length_before
    page.go_back()
    page.wait_for_load_state()
    assert page.url == f"{base}/denuncia/"
    assert page.input_value("#id_description") == ""
    content = page.content()
    assert report.folio not in content and DESCRIPTION not in content
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0


def test_escape_leaves_the_page_at_once(
    page: Any, live_server: Any, catalogs: Any, settings: Any
) -> None:
    base = live_server.url
    neutral = _neutral_site(settings, base)
    page.goto(f"{base}/denuncia/seguimiento/")
    page.fill("#id_folio", "VIO-2026-000001")
    page.keyboard.press("Escape")
    page.wait_for_url(neutral)
    assert page.inner_text("body").strip() == "ok"
