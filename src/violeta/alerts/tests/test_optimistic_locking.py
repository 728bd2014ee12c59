"""Two caseworkers who both receive an alert answer it from pages loaded at once: the first
answer stands; the second is told in Spanish that someone else changed it and what it is
now, and her note is shown back (nothing of hers stored, nothing of the first lost)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from conftest import login_verified
from violeta.agencies.models import User
from violeta.alerts.choices import State
from violeta.alerts.models import Alert
from violeta.alerts.tests.helpers import Records, evaluate, woman

pytestmark = pytest.mark.django_db
CHANGED = "Otra persona modificó esta alerta mientras tanto"


@pytest.fixture
def two(make_user: Callable[..., User]) -> tuple[Alert, Client, Client]:
    ana = make_user("caseworker", "SSC", username="ssc.cw.ana")
    bea = make_user("caseworker", "SSC", username="ssc.cw.bea")
    her = woman()
    Records(her).add(2, "police_intervention", "SSC", details={"event": "order_breach"})
    alert = evaluate(her)[0]
    assert {ana.pk, bea.pk} <= set(alert.recipients.values_list("pk", flat=True))
    return alert, login_verified(Client(), ana), login_verified(Client(), bea)


def test_closing_what_someone_else_closed_meanwhile_keeps_her_note(
    two: tuple[Alert, Client, Client],
) -> None:
    alert, ana, bea = two
    for client in (ana, bea):
        page = client.get(reverse("alerts:detail", args=[alert.pk])).content.decode()
        assert 'name="seen" value="open"' in page
    url = reverse("alerts:close", args=[alert.pk])
    assert ana.post(url, {"seen": "open", "note": "La acompañó la patrulla"}).status_code == 302
    refused = bea.post(url, {"seen": "open", "note": "Llamé y no contestó"})
    assert refused.status_code == 409
    text = refused.content.decode()
    assert CHANGED in text and "Llamé y no contestó" in text and 'id="unsaved"' in text
    alert.refresh_from_db()
    assert (alert.state, alert.close_note, alert.closed_by.username) == (
        State.CLOSED,
        "La acompañó la patrulla",
        "ssc.cw.ana",
    )


def test_acknowledging_twice_keeps_the_first_and_re_shows_the_form(
    two: tuple[Alert, Client, Client],
) -> None:
    alert, ana, bea = two
    url = reverse("alerts:acknowledge", args=[alert.pk])
    assert ana.post(url, {"seen": "open", "note": "Voy en camino"}).status_code == 302
    refused = bea.post(url, {"seen": "open", "note": "Yo la llamo"})
    assert refused.status_code == 409
    assert refused.context["form"].data["note"] == "Yo la llamo"  # in the form, to close with
    alert.refresh_from_db()
    assert (alert.state, alert.acknowledge_note) == (State.ACKNOWLEDGED, "Voy en camino")
    # Closing after someone acknowledged is no conflict: both notes stand.
    close = bea.post(
        reverse("alerts:close", args=[alert.pk]), {"seen": "acknowledged", "note": "Yo la llamé"}
    )
    assert close.status_code == 302
    alert.refresh_from_db()
    assert (alert.acknowledge_note, alert.close_note) == ("Voy en camino", "Yo la llamé")
