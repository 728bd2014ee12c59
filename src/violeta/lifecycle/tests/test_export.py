"""Her request of access exports everything held about her, the ARCO register included."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from conftest import login_verified
from violeta.agencies.models import User
from violeta.audit.models import AuditEntry
from violeta.lifecycle.tests.helpers import HER, register
from violeta.people.models import Person

pytestmark = pytest.mark.django_db
# Every table that points at a person, and where her export carries it.
COVERED = {
    "alerts.Alert": "alerts",
    "cases.CaseFollowUp": "follow_ups",
    "certificates.Certificate": "certificates",
    "referrals.Referral": "referrals",
    "risk.RiskAssessment": "risk_assessments",
    "safetyplan.SafetyPlan": "safety_plans",
    "records.ReportedIdentity": "records",
    "lifecycle.ArcoRequest": "arco_requests",
    "lifecycle.IdentityVersion": "arco_requests",
    "people.Person": "person",  # merged files: person.merged_files
}
NOT_HERS = {"lifecycle.AnonymisedPerson"}  # a marker with counts, no data of hers


def test_every_table_about_a_person_has_its_place_in_the_export() -> None:
    pointing = {
        model._meta.label
        for model in apps.get_models()
        for f in model._meta.get_fields()
        if f.is_relation and f.concrete and f.related_model is Person
    }
    assert pointing == set(COVERED) | NOT_HERS


def test_the_export_carries_her_follow_ups_and_her_arco_requests_with_old_values(
    make_user: Callable[..., User], catalogs: None
) -> None:
    her = register("S-1", "SEMUJERES", "service_session", victim=HER,
                   when="2025-03-04T10:30:00").victim  # fmt: skip
    client = login_verified(Client(), make_user("supervisor"))
    client.post(reverse("lifecycle:rectify", args=[her.pk]), {
        "legal_basis": "Solicitud ARCO de la titular", "folio": "UT-1", "received_on": "2026-03-02",
        "identity_verified": "on", **{n: HER[n] for n in ("given_names", "first_surname",
        "second_surname", "address", "colonia", "alcaldia", "birth_date")}, "phone": "5511112222",
    })  # fmt: skip
    url = reverse("exports:person_file", args=[her.pk])
    form = {"legal_basis": "Acceso ARCO", "folio": "UT-2", "identity_verified": "on", "fmt": "json"}

    data = json.loads(client.post(url, form).content)

    assert set(COVERED.values()) <= set(data)
    assert [f["agency"] for f in data["follow_ups"]] == ["SEMUJERES"]
    (arco,) = data["arco_requests"]
    assert arco["right"] == "rectification" and arco["folio"] == "UT-1"
    assert arco["due_on"] == "2026-03-31" and arco["status"] == "granted"
    assert arco["rectifications"][0]["previous_values"] == {"phone": HER["phone"]}
    assert data["person"]["identity"]["phone"] == "5511112222"
    assert AuditEntry.objects.filter(action="export", subject_id=str(her.pk)).count() == 1
