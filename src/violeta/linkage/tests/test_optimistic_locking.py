"""Two supervisors decide the same review pair from pages loaded at once: the first decision
stands (the pair is locked and must still be open); the second sees, in Spanish, that
somebody already decided it, with her choice and reason still in the form, and nothing of
hers is applied (no second merge or split, no second decision). The same for a record
waiting in the unlinked queue: attached or kept apart once, by the first."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from conftest import login_verified
from violeta.agencies.models import User
from violeta.linkage.models import (
    LinkDecision,
    LinkMethod,
    ReviewPair,
    ReviewReason,
    ReviewStatus,
)
from violeta.linkage.tests.test_services import _register, _victim
from violeta.people.models import Person
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


DECIDED = "Otra persona decidió sobre este registro mientras tanto; no se cambió nada."


def _thin(record_id: str, **victim: str) -> ReportedIdentity:
    """A 911 call with almost no identity, waiting for a supervisor's decision."""
    blank = {"first_surname": "", "second_surname": "", "birth_date": "", "phone": ""}
    identity = _victim(_register(record_id, agency="C5", **{**blank, **victim}))
    identity.link_method = LinkMethod.UNLINKED
    identity.save(update_fields=["link_method"])
    return identity


@pytest.mark.parametrize("second", ["attach", "apart"])
def test_an_unlinked_record_decided_meanwhile_is_not_moved_again(
    catalogs: None, make_user: Callable[..., User], second: str
) -> None:
    """Before, a second 'attach' from a stale page moved the record out of the file the
    first supervisor had put it in; now it is refused and her reason stays in the form."""
    hers = _register("S-1")  # Guadalupe Hernández López
    other = _register("S-2", given_names="Rosa", first_surname="Pérez", curp="")
    thin = _thin("C5-1", given_names="Lupita")
    ana = login_verified(Client(), make_user("supervisor", username="semujeres.sup.ana"))
    bea = login_verified(Client(), make_user("supervisor", username="semujeres.sup.bea"))
    url = reverse("linkage:unlinked_record", args=[thin.pk])
    assert ana.get(url).status_code == bea.get(url).status_code == 200

    first = ana.post(url, {"action": "attach", "person": hers.victim.pk, "reason": "misma voz"})
    assert first.status_code == 302
    data = (
        {"action": "attach", "person": other.victim.pk, "reason": "mismo teléfono"}
        if second == "attach"
        else {"action": "apart", "reason": "no es ella"}
    )
    refused = bea.post(url, data)
    assert refused.status_code == 200 and DECIDED in refused.content.decode()
    form = refused.context["attach" if second == "attach" else "apart"]
    assert form.data["reason"] == data["reason"]  # her reason, in the form again
    thin.refresh_from_db()
    assert (thin.person_id, thin.link_method) == (hers.victim.pk, LinkMethod.HUMAN)
    assert LinkDecision.objects.count() == 1


def test_a_record_taken_out_of_her_file_meanwhile_is_not_taken_out_again(
    catalogs: None, make_user: Callable[..., User]
) -> None:
    a = _register("S-1")
    b = _register("S-2")  # the same woman: one file with two records
    assert a.victim.pk == b.victim.pk
    ana = login_verified(Client(), make_user("supervisor", username="semujeres.sup.ana"))
    bea = login_verified(Client(), make_user("supervisor", username="semujeres.sup.bea"))
    file_url = reverse("records:person_file", args=[a.victim.pk])
    for client in (ana, bea):
        page = client.get(file_url).content.decode()
        assert f'name="from_person" value="{a.victim.pk}"' in page
    split = reverse("linkage:split", args=[_victim(b).pk])
    body = {"from_person": a.victim.pk}
    assert ana.post(split, {**body, "reason": "Otra mujer, mismo nombre"}).status_code == 302
    moved_to = _victim(b).person_id
    assert moved_to != a.victim.pk
    persons = Person.objects.count()
    refused = bea.post(split, {**body, "reason": "No es ella"}, follow=True)
    assert "Otra persona ya sacó este registro de este expediente mientras tanto" in (
        refused.content.decode()
    )
    assert refused.redirect_chain[-1][0] == file_url  # back on the file she was looking at
    assert (_victim(b).person_id, Person.objects.count()) == (moved_to, persons)
    assert LinkDecision.objects.count() == 1  # only the first split's decision
