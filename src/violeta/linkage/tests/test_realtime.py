"""While the operator waits: "this may be the same woman as…", and her answer."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from violeta.linkage.models import ReviewPair, ReviewReason
from violeta.linkage.realtime import candidates_for
from violeta.linkage.tests.test_services import _register
from violeta.people.identity import IdentityInput
from violeta.people.models import Person
from violeta.records.models import AgencyRecord
from violeta.records.tests.factories import VALID_CURP

pytestmark = pytest.mark.django_db


def _form(**overrides: str) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": "service_session",
        "occurred_at": "2025-06-01T09:15",
        "violence_types": ["psicologica"],
        "victim_given_names": "Guadalupe",
        "victim_first_surname": "Hernández",
        "victim_second_surname": "López",
        "victim_birth_date": "1990-02-15",
    }
    data.update(overrides)
    return data


def test_candidates_show_what_agrees_and_what_differs(catalogs: None) -> None:
    known = _register("S-1", birth_date="1990-02-15").victim
    _register("S-9", given_names="Rosa", first_surname="Pérez", birth_date="1970-01-01")
    found = candidates_for(
        data=IdentityInput(
            given_names="Guadalupe",
            first_surname="Hernandez",
            second_surname="Lopez",
            birth_date=known.birth_date.replace(month=2, day=15),
            phone="55 9999 0000",
        )
    )
    assert [c.person.pk for c in found] == [known.pk]
    assert found[0].evidence["surnames"] == "agree"
    assert found[0].evidence["birth_date"] == "agree"
    assert found[0].evidence["phone"] == "differ"
    assert found[0].score > 0.9


def test_swapped_day_and_month_is_similar_not_equal(catalogs: None) -> None:
    _register("S-1", birth_date="1990-02-05")
    from datetime import date

    found = candidates_for(
        data=IdentityInput(
            given_names="Guadalupe",
            first_surname="Hernández",
            second_surname="López",
            birth_date=date(1990, 5, 2),
        )
    )
    assert found and found[0].evidence["birth_date"] == "partial"


def test_no_identity_no_candidates(catalogs: None) -> None:
    _register("S-1")
    assert candidates_for(data=IdentityInput(given_names="Guadalupe")) == []


def test_operator_sees_candidates_before_saving_and_chooses_her(
    catalogs: None, staff_client: Callable[..., Client]
) -> None:
    known = _register("S-1", birth_date="1990-02-15").victim
    client = staff_client("operator", "SEMUJERES")

    page = client.post(reverse("records:register"), _form(victim_given_names="Lupita Guadalupe"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Esta puede ser la misma mujer que" in html
    assert f'name="match" value="{known.pk}"' in html
    assert AgencyRecord.objects.count() == 1  # nothing saved yet

    response = client.post(
        reverse("records:register"),
        _form(victim_given_names="Lupita Guadalupe", match=str(known.pk)),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("records:person_file", args=[known.pk])
    assert AgencyRecord.objects.count() == 2
    assert Person.objects.filter(kind="woman").count() == 1


def test_operator_says_she_is_someone_else_and_a_supervisor_double_checks(
    catalogs: None, staff_client: Callable[..., Client]
) -> None:
    known = _register("S-1", birth_date="1990-02-15", curp=VALID_CURP).victim
    client = staff_client("operator", "SEMUJERES")
    response = client.post(reverse("records:register"), _form(match="none"))
    assert response.status_code == 302
    assert Person.objects.filter(kind="woman").count() == 2  # kept apart, as she said
    pair = ReviewPair.objects.get()
    assert pair.reason == ReviewReason.OPERATOR
    assert {pair.identity_a.person_id, pair.identity_b.person_id} >= {known.pk}


def test_a_woman_nobody_resembles_is_saved_at_once(
    catalogs: None, staff_client: Callable[..., Client]
) -> None:
    _register("S-1", birth_date="1990-02-15")
    client = staff_client("operator", "SEMUJERES")
    response = client.post(
        reverse("records:register"),
        _form(
            victim_given_names="Rosa", victim_first_surname="Pérez", victim_birth_date="1970-01-01"
        ),
    )
    assert response.status_code == 302
    assert AgencyRecord.objects.count() == 2
