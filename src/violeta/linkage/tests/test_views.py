"""The review queue and the split button, through the pages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from conftest import login_verified
from violeta.agencies.models import User
from violeta.audit.models import AuditEntry
from violeta.linkage.models import ReviewPair, ReviewReason, ReviewStatus
from violeta.linkage.tests.test_services import _register, _victim
from violeta.records.models import ReportedIdentity

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(catalogs: None) -> ReviewPair:
    a = _register("S-1")
    b = _register("C5-1", agency="C5", given_names="Lupita", birth_date="")
    return ReviewPair.objects.create(
        identity_a=_victim(a),
        identity_b=_victim(b),
        probability=0.81,
        reason=ReviewReason.UNCERTAIN,
    )


def test_supervisor_sees_both_records_side_by_side_and_decides(
    make_user: Callable[..., User], pair: ReviewPair
) -> None:
    client = login_verified(Client(), make_user("supervisor"))
    queue = client.get(reverse("linkage:queue")).content.decode()
    assert reverse("linkage:pair", args=[pair.pk]) in queue and "0.810" in queue
    page = client.get(reverse("linkage:pair", args=[pair.pk])).content.decode()
    assert "Guadalupe Hernández López" in page and "Lupita Hernández López" in page
    assert "15/02/1990" in page
    assert AuditEntry.objects.filter(action="view", subject_type="review").exists()

    response = client.post(
        reverse("linkage:pair", args=[pair.pk]), {"decision": "same", "reason": "Lupita"}
    )
    assert response.status_code == 302
    pair.refresh_from_db()
    assert pair.status == ReviewStatus.DECIDED
    assert (
        pair.identity_a.person_id == ReportedIdentity.objects.get(pk=pair.identity_b_id).person_id
    )


@pytest.mark.parametrize("role", ["operator", "caseworker", "analyst", "auditor"])
def test_others_cannot_review(make_user: Callable[..., User], pair: ReviewPair, role: str) -> None:
    client = login_verified(Client(), make_user(role))
    assert client.get(reverse("linkage:queue")).status_code == 403
    assert client.get(reverse("linkage:pair", args=[pair.pk])).status_code == 403
    identity = pair.identity_b
    response = client.post(reverse("linkage:split", args=[identity.pk]), {"reason": "x"})
    assert response.status_code == 403


def test_supervisor_takes_a_record_out_of_a_file(make_user: Callable[..., User]) -> None:
    supervisor = make_user("supervisor")
    a = _register("S-1", birth_date="1990-02-15")
    b = _register("S-2", birth_date="1990-02-15")
    client = login_verified(Client(), supervisor)
    page = client.get(reverse("records:person_file", args=[a.victim.pk])).content.decode()
    assert "Este registro no es de ella" in page
    response = client.post(reverse("linkage:split", args=[_victim(b).pk]), {"reason": "homónima"})
    assert response.status_code == 302
    assert _victim(b).person_id != a.victim.pk
