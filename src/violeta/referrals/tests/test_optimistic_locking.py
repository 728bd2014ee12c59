"""Two caseworkers of the receiving agency answer the same referral from pages loaded at
once: the first answer stands; the second is told in Spanish that someone else changed it,
what it is now, and gets back what she wrote (nothing of hers is stored, nothing of the
first is lost). Transitions are locked (select_for_update) and checked on the locked row."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from conftest import login_verified
from violeta.agencies.models import User
from violeta.referrals.tests.helpers import refer, woman_with_records

pytestmark = pytest.mark.django_db
CHANGED = "Otra persona modificó esta canalización mientras tanto"


def _receivers(make_user: Callable[..., User]) -> tuple[Client, Client]:
    return (
        login_verified(Client(), make_user("caseworker", "SEDESA", username="sedesa.cw.ana")),
        login_verified(Client(), make_user("caseworker", "SEDESA", username="sedesa.cw.bea")),
    )


def test_declining_what_someone_else_accepted_meanwhile_keeps_her_reason(
    catalogs: None, make_user: Callable[..., User]
) -> None:
    person, _record = woman_with_records()
    referral = refer(make_user("caseworker"), person)
    ana, bea = _receivers(make_user)
    for client in (ana, bea):
        page = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
        assert 'name="seen" value="pending"' in page

    accepted = ana.post(reverse("referrals:accept", args=[referral.pk]), {"seen": "pending"})
    assert accepted.status_code == 302
    reason = "No tenemos cupo esta semana; sugerimos otra unidad"
    declined = bea.post(
        reverse("referrals:decline", args=[referral.pk]), {"seen": "pending", "reason": reason}
    )
    assert declined.status_code == 409
    text = declined.content.decode()
    assert CHANGED in text and "«aceptada»" in text
    assert 'id="unsaved"' in text and reason in text  # what she wrote, shown back
    referral.refresh_from_db()
    assert (referral.status, referral.responded_by.username, referral.decline_reason) == (
        "accepted",
        "sedesa.cw.ana",
        "",
    )

    # Accepting twice: the second is told too, and nothing changes.
    again = bea.post(reverse("referrals:accept", args=[referral.pk]), {"seen": "pending"})
    assert again.status_code == 409 and CHANGED in again.content.decode()
    referral.refresh_from_db()
    assert referral.responded_by.username == "sedesa.cw.ana"


def test_completing_twice_keeps_the_first_outcome_and_shows_hers(
    catalogs: None, make_user: Callable[..., User]
) -> None:
    person, _record = woman_with_records()
    referral = refer(make_user("caseworker"), person)
    ana, bea = _receivers(make_user)
    ana.post(reverse("referrals:accept", args=[referral.pk]), {"seen": "pending"})
    url = reverse("referrals:complete", args=[referral.pk])
    assert (
        ana.post(url, {"seen": "accepted", "outcome": "Atendida; lesiones leves"}).status_code
        == 302
    )
    second = bea.post(url, {"seen": "accepted", "outcome": "Se le dio cita de seguimiento"})
    assert second.status_code == 409
    assert "Se le dio cita de seguimiento" in second.content.decode()
    referral.refresh_from_db()
    assert (referral.status, referral.outcome) == ("completed", "Atendida; lesiones leves")


def test_her_own_mistake_is_not_reported_as_someone_elses(
    catalogs: None, make_user: Callable[..., User]
) -> None:
    """An empty reason on a pending referral: the usual message, not 'someone else'."""
    person, _record = woman_with_records()
    referral = refer(make_user("caseworker"), person)
    ana, _bea = _receivers(make_user)
    response = ana.post(
        reverse("referrals:decline", args=[referral.pk]),
        {"seen": "pending", "reason": " "},
        follow=True,
    )
    assert response.status_code == 200 and CHANGED not in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == "pending"
