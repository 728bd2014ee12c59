"""An operator can mark a record as an event early warnings read (details["event"])."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from violeta.records.models import AgencyRecord
from violeta.records.tests.test_views import _form

pytestmark = pytest.mark.django_db


def test_the_police_register_a_breach_of_a_protection_order(
    staff_client: Callable[..., Client],
) -> None:
    client = staff_client("operator", "SSC")
    assert 'name="details_event"' in client.get(reverse("records:register")).content.decode()
    response = client.post(
        reverse("records:register"),
        _form(kind="police_intervention", details_event="order_breach"),
    )
    assert response.status_code == 302
    assert AgencyRecord.objects.get().details == {"event": "order_breach"}


def test_an_event_on_a_kind_that_cannot_carry_it_is_refused_on_its_field(
    staff_client: Callable[..., Client],
) -> None:
    client = staff_client("operator", "FGJ")
    response = client.post(
        reverse("records:register"), _form(kind="complaint", details_event="aggressor_release")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["details_event"]
    assert not AgencyRecord.objects.exists()
    response = client.post(
        reverse("records:register"), _form(kind="justice_event", details_event="aggressor_release")
    )
    assert response.status_code == 302
    assert AgencyRecord.objects.get().kind.code == "justice_event"


def test_women_services_see_no_event_field(staff_client: Callable[..., Client]) -> None:
    client = staff_client("operator", "SEMUJERES")
    assert 'name="details_event"' not in client.get(reverse("records:register")).content.decode()
