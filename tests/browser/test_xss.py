"""Stored XSS, in a real browser: script written into a narrative, a name or a public report is
shown as text on every page that displays it, never run.

Two layers are checked separately: the templates escape (the payload is in the page's text and
no element it describes exists in the DOM), and the Content-Security-Policy would block an
inline script anyway (a control page with one unescaped payload is blocked and reported).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.helpers import login
from violeta.agencies.models import Agency, User
from violeta.records.choices import RecordSource
from violeta.records.services import record_register
from violeta.records.tests.factories import canonical_record
from violeta.records.validation import Catalogs, validate_record
from violeta.reports.services import report_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOADS = [
    "<script>window.__xss='script';alert('script')</script>",
    "<img src=x onerror=\"window.__xss='img';alert('img')\">",
    '"><svg onload="window.__xss=\'svg\'">',
    '<div hx-get="/healthz" hx-trigger="load" hx-swap="outerHTML" id="xss-htmx">x</div>',
]
NARRATIVE = "Relato con marcas: " + " ".join(PAYLOADS)
ALIAS = "Juan <b onmouseover=alert(1)>El Güero</b>"  # an aggressor's alias as an operator typed it


def _watch(page: Any) -> dict[str, list[str]]:
    """Collect dialogs (alert) and CSP reports while the page is used."""
    seen: dict[str, list[str]] = {"dialogs": [], "csp": []}

    def on_dialog(dialog: Any) -> None:
        seen["dialogs"].append(dialog.message)
        dialog.dismiss()

    def on_console(message: Any) -> None:
        if "Content Security Policy" in message.text:
            seen["csp"].append(message.text)

    page.on("dialog", on_dialog)
    page.on("console", on_console)
    return seen


def _assert_inert(page: Any, seen: dict[str, list[str]], needle: str) -> None:
    page.wait_for_load_state("networkidle")
    assert needle in page.inner_text("body")  # shown, as text
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.locator("[onerror], [onload], #xss-htmx, svg[onload]").count() == 0
    assert page.evaluate("[...document.scripts].every(s => !s.textContent.includes('__xss'))")
    assert seen["dialogs"] == []
    assert seen["csp"] == []  # nothing even reached the policy: escaped before


def _her_record(victim_given: str) -> int:
    raw = canonical_record(
        narrative=NARRATIVE,
        victim={"given_names": victim_given},
        aggressor={"given_names": ALIAS, "first_surname": "Ramírez", "sex": "H"},
    )
    cats = Catalogs.load()
    data = validate_record(raw, agency=Agency.objects.get(code="SEMUJERES"), cats=cats)
    outcome = record_register(actor=None, data=data, source=RecordSource.IMPORT)
    return outcome.victim.pk


def test_narrative_and_names_are_text_in_her_file(
    page: Any, live_server: Any, make_user: Callable[..., User]
) -> None:
    base = live_server.url
    person_id = _her_record("Guadalupe")
    caseworker = make_user("caseworker", "SEMUJERES")
    seen = _watch(page)
    login(page, base, caseworker)

    page.goto(f"{base}/personas/{person_id}/")
    _assert_inert(page, seen, PAYLOADS[0])
    for payload in PAYLOADS:
        assert payload in page.inner_text("body")
    assert ALIAS in page.inner_text("body")
    assert page.locator("[onmouseover]").count() == 0


def test_public_report_description_is_text_for_the_staff_who_read_it(
    page: Any, live_server: Any, make_user: Callable[..., User], catalogs: None
) -> None:
    base = live_server.url
    created = report_create(reporter_role="witness", description=NARRATIVE, channel="web")
    operator = make_user("operator", created.report.agency.code)
    seen = _watch(page)
    login(page, base, operator)

    page.goto(f"{base}/denuncias/{created.report.pk}/")
    _assert_inert(page, seen, PAYLOADS[1])
    page.goto(f"{base}/denuncias/")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert seen["dialogs"] == []


def test_the_policy_blocks_an_inline_script_that_got_through(
    page: Any, live_server: Any, catalogs: None
) -> None:
    """The second layer on its own: a page of this server that did contain an inline script
    and an inline handler (written here into the DOM as if a template had not escaped them)
    does not run them, and the browser reports the policy violation."""
    base = live_server.url
    seen = _watch(page)
    page.goto(f"{base}/denuncia/")
    page.evaluate(
        """() => {
        const s = document.createElement('script');
        s.textContent = "window.__xss='inline'";
        document.body.appendChild(s);
        const d = document.createElement('div');
        d.innerHTML = '<img src=x onerror="window.__xss=\\'handler\\'">';
        document.body.appendChild(d);
    }"""
    )
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert seen["csp"], "the browser reported no CSP violation: is the policy sent?"
