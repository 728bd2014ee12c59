"""Two supervisors decide the same review pair from pages loaded at once: the first decision
stands (the pair is locked and must still be open); the second sees, in Spanish, that
somebody already decided it, with her choice and reason still in the form, and nothing of
hers is applied (no second merge or split, no second decision)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from conftest import login_verified
from violeta.agencies.models import User
from violeta.linkage.models import LinkDecision, ReviewPair, ReviewReason, ReviewStatus
from violeta.linkage.tests.test_services import _register, _victim
from violeta.records.models import ReportedIdentity

pytestmark = pytest.mark.django_db


def test_the_second_decision_on_a_pair_is_refused_with_her_input_kept(
    catalogs: None, make_user: Callable[..., User]
) -> None:
    a = _register("S-1")
    b = _register("C5-1", agency="C5", given_names="Lupita", birth_date="")
    pair = ReviewPair.objects.create(
        identity_a=_victim(a),
        identity_b=_victim(b),
        probability=0.81,
        reason=ReviewReason.UNCERTAIN,
    )
    ana = login_verified(Client(), make_user("supervisor", username="semujeres.sup.ana"))
    bea = login_verified(Client(), make_user("supervisor", username="semujeres.sup.bea"))
    url = reverse("linkage:pair", args=[pair.pk])
    assert ana.get(url).status_code == bea.get(url).status_code == 200

    assert ana.post(url, {"decision": "same", "reason": "Lupita es Guadalupe"}).status_code == 302
    merged_into = ReportedIdentity.objects.get(pk=pair.identity_b_id).person_id
    refused = bea.post(url, {"decision": "different", "reason": "Fechas distintas"})
    assert refused.status_code == 200
    text = refused.content.decode()
    assert "Alguien ya decidió sobre este par." in text
    form = refused.context["form"]
    assert (form.data["decision"], form.data["reason"]) == ("different", "Fechas distintas")
    pair.refresh_from_db()
    assert pair.status == ReviewStatus.DECIDED and pair.decision.decided_by.username == (
        "semujeres.sup.ana"
    )
    assert LinkDecision.objects.count() == 1  # her "different" was not recorded
    assert ReportedIdentity.objects.get(pk=pair.identity_b_id).person_id == merged_into
    assert _victim(a).person_id == merged_into  # still one file: no split
