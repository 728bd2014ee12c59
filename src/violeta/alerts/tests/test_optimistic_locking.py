"""Two caseworkers who both receive an alert answer it from pages loaded at once: the first
answer stands; the second is told in Spanish that someone else changed it and what it is
now, and her note is shown back (nothing of hers stored, nothing of the first lost)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from conftest import login_verified
from violeta.agencies.models import User
from violeta.alerts.choices import State
from violeta.alerts.models import Alert, RuleSetVersion
from violeta.alerts.ruleset import SHIPPED
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


def test_two_administrators_editing_the_rules_the_second_is_told(
    make_user: Callable[..., User],
) -> None:
    """Each save is a new version built from the text on the page: before, the second
    administrator's save silently dropped the first's change."""
    ana = login_verified(Client(), make_user("administrator", None, username="admin.ana"))
    bea = login_verified(Client(), make_user("administrator", None, username="admin.bea"))
    url = reverse("alerts:rules")
    assert ana.get(url).status_code == bea.get(url).status_code == 200
    base = str(RuleSetVersion.objects.get().version)
    rules = json.loads(SHIPPED.read_text())
    hers_a = json.loads(json.dumps(rules))
    hers_a[5]["parameters"]["days"] = 14
    hers_b = json.loads(json.dumps(rules))
    hers_b[0]["enabled"] = not hers_b[0]["enabled"]
    saved = ana.post(url, {"rules": json.dumps(hers_a), "reason": "14 días", "base": base})
    assert saved.status_code == 302
    refused = bea.post(url, {"rules": json.dumps(hers_b), "reason": "apagar", "base": base})
    assert refused.status_code == 409
    assert "Otra persona guardó la versión 2 de las reglas mientras tanto" in (
        refused.content.decode()
    )
    form = refused.context["form"]
    assert json.loads(form.data["rules"]) == hers_b and form.data["base"] == "2"
    assert RuleSetVersion.objects.count() == 2
    assert RuleSetVersion.objects.get(version=2).rule("many_records")["parameters"]["days"] == 14
    # Saving again from the re-shown form stores hers as version 3.
    again = bea.post(url, {"rules": json.dumps(hers_b), "reason": "apagar", "base": "2"})
    assert again.status_code == 302 and RuleSetVersion.objects.count() == 3
