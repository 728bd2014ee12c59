"""In a real browser: an alarma raised by a record registered elsewhere appears in the on-duty
operator's open inbox without reloading the page (the worker delivers, the page polls)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.helpers import login
from violeta.agencies.models import Agency, User
from violeta.alerts.models import Alert
from violeta.alerts.tests.helpers import recent
from violeta.delivery.worker import drain
from violeta.records.choices import RecordSource
from violeta.records.services import record_register
from violeta.records.tests.factories import canonical_record
from violeta.records.validation import Catalogs, validate_record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TITLE = "Incumplimiento de una orden de protección"


def _police_report_a_breach() -> None:
    raw = canonical_record(
        agency_record_id="SSC-1",
        kind="police_intervention",
        occurred_at=recent(0.1),
        details={"event": "order_breach"},
    )
    data = validate_record(raw, agency=Agency.objects.get(code="SSC"), cats=Catalogs.load())
    record_register(actor=None, data=data, source=RecordSource.API)


def test_an_alarma_appears_in_the_open_inbox_without_reloading(
    page: Any, live_server: Any, make_user: Callable[..., User]
) -> None:
    base = live_server.url
    operator = make_user("operator", agency="C5")  # the agency on duty receives every alert
    login(page, base, operator)
    page.goto(f"{base}/bandeja/")
    assert TITLE not in page.content()
    page.evaluate("window.stillTheSamePage = true")

    _police_report_a_breach()  # committed, as by another agency's system
    alert = Alert.objects.get(rule_code="order_breach")
    assert alert.level == "alarma" and operator.pk in set(
        alert.recipients.values_list("pk", flat=True)
    )
    drain(worker="browser-test")  # what `violeta worker` does

    row = page.locator("#inbox-list tr.unread", has_text=TITLE)
    row.wait_for(timeout=15_000)  # the list polls every 5 s
    assert page.evaluate("window.stillTheSamePage") is True  # no reload happened
    assert "alarma" in row.inner_text()
    badge = page.locator("a[href='/bandeja/'] .badge")
    badge.wait_for(state="visible", timeout=20_000)  # the count polls every 15 s
    assert badge.inner_text().strip() == "1"

    row.locator("button").click()  # open it: the alert, its reason and its evidence
    page.wait_for_url(re.compile(rf"/alertas/{alert.pk}/$"))
    assert TITLE in page.content()
