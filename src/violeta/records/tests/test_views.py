"""Registering, finding and reading a woman's file through the pages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from violeta.people.models import Person
from violeta.records.models import AgencyRecord
from violeta.records.tests.factories import VALID_CURP

pytestmark = pytest.mark.django_db


def _form(**overrides: str) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": "service_session",
        "occurred_at": "2025-06-01T09:15",
        "alcaldia": "09003",
        "colonia": "Santo Domingo",
        "violence_types": ["psicologica"],
        "modalities": ["familiar"],
        "relationship": "expareja",
        "risk_level": "medio",
        "narrative": "Primera atención.",
        "victim_given_names": "María Concepción",
        "victim_first_surname": "Ruiz",
        "victim_second_surname": "Peña",
        "victim_birth_date": "1985-07-30",
        "victim_sex": "M",
        "victim_phone": "5587654321",
    }
    data.update(overrides)
    return data


def test_register_new_woman_then_find_her_and_read_her_file(
    staff_client: Callable[..., Client],
) -> None:
    client = staff_client("operator", "SEMUJERES")
    response = client.post(reverse("records:register"), _form())
    assert response.status_code == 302
    person = Person.objects.get()
    assert response["Location"] == reverse("records:person_file", args=[person.pk])
    record = AgencyRecord.objects.get()
    assert record.agency_record_id.startswith("SEMUJERES-WEB-")

    found = client.post(reverse("records:search"), {"phone": "55 8765 4321"})
    assert f'href="{reverse("records:person_file", args=[person.pk])}"' in found.content.decode()
    found = client.post(
        reverse("records:search"), {"first_surname": "ruiz", "given_names": "Concepcion"}
    )
    assert "María Concepción Ruiz Peña" in found.content.decode()

    page = client.get(reverse("records:person_file", args=[person.pk])).content.decode()
    assert "Primera atención." in page and "Sesión de atención" in page


def test_file_lists_records_newest_first(staff_client: Callable[..., Client]) -> None:
    client = staff_client("caseworker", "SEMUJERES")
    client.post(
        reverse("records:register"), _form(narrative="VIEJO", occurred_at="2024-01-01T10:00")
    )
    person = Person.objects.get()
    client.post(
        reverse("records:register") + f"?person={person.pk}",
        _form(narrative="NUEVO", occurred_at="2025-01-01T10:00", person=str(person.pk)),
    )
    assert Person.objects.count() == 1
    page = client.get(reverse("records:person_file", args=[person.pk])).content.decode()
    assert page.index("NUEVO") < page.index("VIEJO")


def test_invalid_form_names_fields_in_spanish_and_saves_nothing(
    staff_client: Callable[..., Client],
) -> None:
    client = staff_client("operator", "SEMUJERES")
    bad_curp = VALID_CURP[:-1] + "0"
    response = client.post(
        reverse("records:register"),
        _form(victim_curp=bad_curp, victim_birth_date="2999-01-01", kind="emergency_call"),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Esta CURP no es válida" in page
    assert "La fecha de nacimiento no puede estar en el futuro" in page
    assert "Seleccione una opción válida" in page  # a kind SEMUJERES does not register
    assert AgencyRecord.objects.count() == 0 and Person.objects.count() == 0


def test_over_long_field_is_refused_with_its_name(staff_client: Callable[..., Client]) -> None:
    client = staff_client("operator", "SEMUJERES")
    response = client.post(reverse("records:register"), _form(victim_first_surname="X" * 61))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Como máximo 60 caracteres" in page
    assert AgencyRecord.objects.count() == 0


def test_english_is_complete_for_the_form(staff_client: Callable[..., Client]) -> None:
    client = staff_client("operator", "SEMUJERES")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("records:register")).content.decode()
    assert "Date and time of the event" in page
    assert "Fecha y hora" not in page


def test_search_does_not_put_names_in_the_url(staff_client: Callable[..., Client]) -> None:
    client = staff_client("operator", "SEMUJERES")
    page = client.get(reverse("records:search")).content.decode()
    assert 'method="post"' in page


def test_spanish_by_default_even_if_the_browser_asks_for_english(
    staff_client: Callable[..., Client],
) -> None:
    client = staff_client("operator", "SEMUJERES")
    page = client.get(reverse("records:register"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Fecha y hora del hecho" in page.content.decode()


def test_kind_details_are_kept_and_the_only_kind_is_preselected(
    staff_client: Callable[..., Client],
) -> None:
    client = staff_client("operator", "SEMUJERES")
    page = client.get(reverse("records:register")).content.decode()
    assert '<option value="service_session" selected>' in page
    client.post(reverse("records:register"), _form(service_type="juridica"))
    assert AgencyRecord.objects.get().details == {"service_type": "juridica"}
