"""Records with too little identity: listed for a supervisor, attached or kept apart."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from conftest import login_verified
from violeta.agencies.models import User
from violeta.audit.models import AuditEntry
from violeta.linkage.batch import link_all
from violeta.linkage.models import Decision, LinkDecision, LinkMethod
from violeta.linkage.tests.test_batch import imported  # noqa: F401  (fixture)
from violeta.linkage.tests.test_services import _register, _victim
from violeta.records.models import ReportedIdentity
from violeta.records.services import RegisterOutcome

pytestmark = pytest.mark.django_db


def _thin(record_id: str, **victim: str) -> ReportedIdentity:
    """A 911 call that only caught what ``victim`` says, marked as ``violeta link`` marks it."""
    blank = {"first_surname": "", "second_surname": "", "birth_date": "", "phone": ""}
    identity = _victim(_register(record_id, agency="C5", **{**blank, **victim}))
    identity.link_method = LinkMethod.UNLINKED
    identity.save(update_fields=["link_method"])
    return identity


@pytest.fixture
def file_of_hers(catalogs: None) -> RegisterOutcome:
    return _register("S-1")  # Guadalupe Hernández López, 15/02/1990, 55 1234 5678


def test_supervisor_lists_thin_records_and_not_well_identified_ones(
    make_user: Callable[..., User], file_of_hers: RegisterOutcome
) -> None:
    name_only = _thin("C5-1", given_names="Guadalupe")
    phone_only = _thin("C5-2", given_names="", phone="55 1234 5678")
    client = login_verified(Client(), make_user("supervisor"))

    page = client.get(reverse("linkage:unlinked")).content.decode()

    for thin in (name_only, phone_only):
        assert reverse("linkage:unlinked_record", args=[thin.pk]) in page
    assert reverse("linkage:unlinked_record", args=[_victim(file_of_hers).pk]) not in page
    assert "2 registros esperan" in page
    home = client.get(reverse("records:home")).content.decode()
    assert reverse("linkage:unlinked") in home
    filtered = client.get(reverse("linkage:unlinked"), {"role": "aggressor"}).content.decode()
    assert reverse("linkage:unlinked_record", args=[name_only.pk]) not in filtered
    other_agency = client.get(reverse("linkage:unlinked"), {"agency": "fgj"}).content.decode()
    assert "Ningún registro espera" in other_agency


def test_a_thin_record_shows_the_files_it_may_belong_to_and_the_reading_is_audited(
    make_user: Callable[..., User], file_of_hers: RegisterOutcome
) -> None:
    thin = _thin("C5-1", given_names="Guadalupe", first_surname="Hernández")
    client = login_verified(Client(), make_user("supervisor"))

    page = client.get(reverse("linkage:unlinked_record", args=[thin.pk])).content.decode()

    assert reverse("records:person_file", args=[file_of_hers.victim.pk]) in page
    entry = AuditEntry.objects.get(action="view", subject_type="unlinked")
    assert entry.subject_id == str(thin.pk)
    assert entry.details["candidates"] == [file_of_hers.victim.pk]


def test_attaching_puts_it_in_her_file_for_good(
    make_user: Callable[..., User], file_of_hers: RegisterOutcome
) -> None:
    thin = _thin("C5-1", given_names="Lupita")
    old_person = thin.person_id
    client = login_verified(Client(), make_user("supervisor"))
    url = reverse("linkage:unlinked_record", args=[thin.pk])

    response = client.post(
        url, {"action": "attach", "person": file_of_hers.victim.pk, "reason": "misma voz"}
    )

    assert response.status_code == 302
    thin.refresh_from_db()
    assert thin.person_id == file_of_hers.victim.pk and thin.link_method == LinkMethod.HUMAN
    decision = LinkDecision.objects.get()
    assert decision.decision == Decision.SAME
    assert {decision.identity_a_id, decision.identity_b_id} == {
        thin.pk,
        _victim(file_of_hers).pk,
    }
    entry = AuditEntry.objects.get(action="link")
    assert entry.reason == "misma voz" and entry.details["operation"] == "attach"
    thin.person.refresh_from_db()
    assert type(thin.person).objects.get(pk=old_person).merged_into_id == thin.person_id
    listed = client.get(reverse("linkage:unlinked")).content.decode()
    assert url not in listed


def test_keeping_apart_is_audited_and_leaves_the_list(
    make_user: Callable[..., User], file_of_hers: RegisterOutcome
) -> None:
    thin = _thin("C5-1", given_names="Guadalupe")
    person = thin.person_id
    client = login_verified(Client(), make_user("supervisor"))
    url = reverse("linkage:unlinked_record", args=[thin.pk])

    assert client.post(url, {"action": "apart", "reason": "no es ella"}).status_code == 302

    thin.refresh_from_db()
    assert thin.link_method == LinkMethod.HUMAN and thin.person_id == person
    assert AuditEntry.objects.get(action="link").details == {
        "operation": "keep_apart",
        "identity": thin.pk,
    }
    assert url not in client.get(reverse("linkage:unlinked")).content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "attach", "person": "999999", "reason": "x"}, "No hay un expediente"),
        ({"action": "attach", "person": "abc", "reason": "x"}, "número entero"),
        ({"action": "attach", "person": "", "reason": "x"}, "obligatorio"),
        ({"action": "apart", "reason": ""}, "obligatorio"),
    ],
)
def test_bad_input_is_a_message_on_the_page_not_an_error(
    make_user: Callable[..., User],
    file_of_hers: RegisterOutcome,
    data: dict[str, str],
    message: str,
) -> None:
    thin = _thin("C5-1", given_names="Guadalupe")
    client = login_verified(Client(), make_user("supervisor"))

    response = client.post(reverse("linkage:unlinked_record", args=[thin.pk]), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    thin.refresh_from_db()
    assert thin.link_method == LinkMethod.UNLINKED
    assert not AuditEntry.objects.filter(action="link").exists()


def test_an_aggressors_file_is_refused_for_a_woman(
    make_user: Callable[..., User], file_of_hers: RegisterOutcome
) -> None:
    thin = _thin("C5-1", given_names="Guadalupe")
    aggressor = file_of_hers.record.parties.get(role="aggressor").person_id
    client = login_verified(Client(), make_user("supervisor"))

    response = client.post(
        reverse("linkage:unlinked_record", args=[thin.pk]),
        {"action": "attach", "person": aggressor, "reason": "x"},
    )

    assert response.status_code == 200
    assert "No se puede unir el expediente de una mujer" in response.content.decode()
    thin.refresh_from_db()
    assert thin.person_id != aggressor


@pytest.mark.parametrize("role", ["operator", "caseworker", "analyst", "auditor"])
def test_only_supervisors_decide(
    make_user: Callable[..., User], file_of_hers: RegisterOutcome, role: str
) -> None:
    thin = _thin("C5-1", given_names="Guadalupe")
    client = login_verified(Client(), make_user(role))
    url = reverse("linkage:unlinked_record", args=[thin.pk])
    assert client.get(reverse("linkage:unlinked")).status_code == 403
    assert client.get(url).status_code == 403
    assert client.post(url, {"action": "apart", "reason": "x"}).status_code == 403
    thin.refresh_from_db()
    assert thin.link_method == LinkMethod.UNLINKED
    assert reverse("linkage:unlinked") not in client.get(reverse("records:home")).content.decode()


def test_unknown_record_is_a_404(make_user: Callable[..., User], catalogs: None) -> None:
    client = login_verified(Client(), make_user("supervisor"))
    assert client.get(reverse("linkage:unlinked_record", args=[999999])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_batch_marks_thin_records_and_never_overturns_the_decisions(
    imported: Path,  # noqa: F811
    make_user: Callable[..., User],
) -> None:
    link_all()
    thin = list(ReportedIdentity.objects.filter(link_method=LinkMethod.UNLINKED).order_by("pk")[:2])
    assert len(thin) == 2, "the generator's 911 calls include name-only records"
    for identity in thin:  # too little identity: the batch never puts them in a shared file
        assert ReportedIdentity.objects.filter(person=identity.person_id).count() == 1
    supervisor = make_user("supervisor")
    client = login_verified(Client(), supervisor)
    kept, attached = thin
    target = (
        ReportedIdentity.objects.filter(role=attached.role, link_method=LinkMethod.MODEL)
        .exclude(person=attached.person_id)
        .order_by("pk")
        .first()
    )
    assert target is not None
    client.post(
        reverse("linkage:unlinked_record", args=[kept.pk]), {"action": "apart", "reason": "x"}
    )
    client.post(
        reverse("linkage:unlinked_record", args=[attached.pk]),
        {"action": "attach", "person": target.person_id, "reason": "y"},
    )

    link_all()

    kept.refresh_from_db()
    attached.refresh_from_db()
    assert kept.link_method == LinkMethod.HUMAN
    assert ReportedIdentity.objects.filter(person=kept.person_id).count() == 1
    assert attached.person_id == target.person_id and attached.link_method == LinkMethod.HUMAN
