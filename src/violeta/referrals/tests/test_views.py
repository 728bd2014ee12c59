"""The pages: refer from her file, the receiving queue, what each side sees, audited reads."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from conftest import login_verified
from violeta.agencies.models import Agency, User
from violeta.audit.models import AuditEntry
from violeta.people.models import Person
from violeta.records.models import AgencyRecord
from violeta.referrals.models import Referral
from violeta.referrals.tests.helpers import (
    RECORD_NARRATIVE,
    REFERRAL_NARRATIVE,
    refer,
    woman_with_records,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def woman(catalogs: None) -> tuple[Person, AgencyRecord]:
    return woman_with_records()


def _pages(client: Client, referral: Referral) -> str:
    detail = client.get(reverse("referrals:detail", args=[referral.pk]))
    queue = client.get(reverse("referrals:received"))
    assert detail.status_code == 200 and queue.status_code == 200
    return detail.content.decode() + queue.content.decode()


def test_without_narrative_consent_the_narrative_never_reaches_the_receiving_agency(
    make_user: Callable[..., User], woman: tuple[Person, AgencyRecord]
) -> None:
    person, record = woman
    referral = refer(
        make_user("caseworker"),
        person,
        record=record,
        consent_scope=["identity", "attentions", "violence", "risk"],
    )
    receiver = login_verified(Client(), make_user("caseworker", agency="SEDESA"))

    html = _pages(receiver, referral)

    assert REFERRAL_NARRATIVE not in html and RECORD_NARRATIVE not in html
    assert "Guadalupe Hernández López" in html and "Valoración médica de lesiones" in html
    assert "Medio" in html and "Física" in html

    with_narrative = refer(
        make_user("supervisor"), person, record=record, consent_scope=["narrative"]
    )
    html = _pages(receiver, with_narrative)
    assert REFERRAL_NARRATIVE in html and RECORD_NARRATIVE in html


def test_without_identity_consent_her_name_never_reaches_the_receiving_agency(
    make_user: Callable[..., User], woman: tuple[Person, AgencyRecord]
) -> None:
    person, _record = woman
    referral = refer(make_user("caseworker"), person, consent_scope=["risk"])
    receiver = login_verified(Client(), make_user("caseworker", agency="SEDESA"))

    html = _pages(receiver, referral)

    assert "Guadalupe" not in html and "Hernández" not in html and "55 1234" not in html
    assert reverse("records:person_file", args=[person.pk]) not in html
    assert "Identidad no compartida" in html


def test_the_referring_agency_sees_what_it_wrote(
    make_user: Callable[..., User], woman: tuple[Person, AgencyRecord]
) -> None:
    person, _record = woman
    sender = make_user("caseworker")
    referral = refer(sender, person, consent_scope=["risk"])
    html = login_verified(Client(), sender).get(reverse("referrals:detail", args=[referral.pk]))
    page = html.content.decode()
    assert REFERRAL_NARRATIVE in page and "Guadalupe Hernández López" in page


def test_other_agencies_and_roles_cannot_open_it(
    make_user: Callable[..., User], woman: tuple[Person, AgencyRecord]
) -> None:
    referral = refer(make_user("caseworker"), woman[0])
    url = reverse("referrals:detail", args=[referral.pk])
    police = login_verified(Client(), make_user("supervisor", agency="SSC"))
    assert police.get(url).status_code == 404
    assert not police.get(reverse("referrals:received")).context["queue"].open
    analyst = login_verified(Client(), make_user("analyst", agency="SEDESA"))
    assert analyst.get(url).status_code == 403
    assert analyst.get(reverse("referrals:received")).status_code == 403
    receiver = login_verified(Client(), make_user("caseworker", agency="SEDESA"))
    assert receiver.get(reverse("referrals:overdue")).status_code == 403


def test_a_caseworker_refers_her_from_her_file(
    make_user: Callable[..., User], woman: tuple[Person, AgencyRecord]
) -> None:
    person, record = woman
    client = login_verified(Client(), make_user("caseworker"))
    url = reverse("referrals:create", args=[person.pk])
    assert url in client.get(reverse("records:person_file", args=[person.pk])).content.decode()
    form = {
        "to_agency": Agency.objects.get(code="FGJ").pk,
        "service": "complaint",
        "reason": "Quiere presentar denuncia",
        "narrative": REFERRAL_NARRATIVE,
        "record": record.pk,
        "consent_given": "yes",
        "consent_method": "written",
        "consent_scope": ["identity", "risk"],
        "override": "on",  # not a supervisor: ignored
        "override_scope": ["narrative"],
        "override_reason": "x",
    }

    response = client.post(url, form)

    referral = Referral.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "referrals:detail", args=[referral.pk]
    )
    assert referral.to_agency.code == "FGJ" and referral.consent_method == "written"
    assert referral.shared_scope == {"identity", "risk"} and not referral.override
    file = client.get(reverse("records:person_file", args=[person.pk])).content.decode()
    assert reverse("referrals:detail", args=[referral.pk]) in file
    shown = AuditEntry.objects.filter(subject_type="referral", details__list="file").last()
    assert shown is not None and shown.details["referrals"] == [referral.pk]


def test_bad_input_on_the_form_is_a_message_not_an_error(
    make_user: Callable[..., User], woman: tuple[Person, AgencyRecord]
) -> None:
    client = login_verified(Client(), make_user("caseworker"))
    url = reverse("referrals:create", args=[woman[0].pk])
    form = {
        "to_agency": Agency.objects.get(code="SSC").pk,
        "service": "medical",
        "reason": "x",
        "consent_given": "no",
    }
    response = client.post(url, form)
    page = response.content.decode()
    assert response.status_code == 200 and not Referral.objects.exists()
    assert "no recibe canalizaciones para ese servicio" in page
    assert "anulación" in page  # without her consent: an override is needed
    assert client.get(reverse("referrals:create", args=[999999])).status_code == 404
    assert client.get(reverse("referrals:detail", args=[999999])).status_code == 404


def test_answering_through_the_pages(
    make_user: Callable[..., User], woman: tuple[Person, AgencyRecord]
) -> None:
    first = refer(make_user("caseworker"), woman[0])
    second = refer(make_user("supervisor"), woman[0])
    receiver = login_verified(Client(), make_user("caseworker", agency="SEDESA"))

    empty = receiver.post(reverse("referrals:decline", args=[first.pk]), {"reason": ""})
    assert empty.status_code == 302
    first.refresh_from_db()
    assert first.status == "pending"
    receiver.post(reverse("referrals:decline", args=[first.pk]), {"reason": "Sin cupo"})
    receiver.post(reverse("referrals:accept", args=[second.pk]))
    receiver.post(reverse("referrals:complete", args=[second.pk]), {"outcome": "Atendida"})

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.decline_reason) == ("declined", "Sin cupo")
    assert (second.status, second.outcome) == ("completed", "Atendida")
    page = receiver.get(reverse("referrals:detail", args=[second.pk])).content.decode()
    assert "Atendida" in page


def test_every_reading_is_audited(
    make_user: Callable[..., User], woman: tuple[Person, AgencyRecord]
) -> None:
    referral = refer(make_user("caseworker"), woman[0])
    receiver = login_verified(Client(), make_user("supervisor", agency="SEDESA"))
    receiver.get(reverse("referrals:detail", args=[referral.pk]))
    receiver.get(reverse("referrals:received"))
    receiver.get(reverse("referrals:sent"))
    receiver.get(reverse("referrals:overdue"))

    reads = AuditEntry.objects.filter(subject_type="referral", action="view").order_by("seq")
    one = reads.get(subject_id=str(referral.pk))
    assert one.details == {"person": woman[0].pk, "side": "received"}
    lists = {e.details["list"]: e.details["referrals"] for e in reads.filter(subject_id="")}
    assert lists == {"received": [referral.pk], "sent": [], "overdue": []}


def test_her_file_does_not_tie_her_name_to_a_referral_received_without_her_identity(
    make_user: Callable[..., User], woman: tuple[Person, AgencyRecord]
) -> None:
    person, _record = woman
    sender = make_user("caseworker")
    anonymous = refer(sender, person, consent_scope=["risk"])
    named = refer(sender, person, consent_scope=["identity"])
    receiver = login_verified(Client(), make_user("caseworker", agency="SEDESA"))

    page = receiver.get(reverse("records:person_file", args=[person.pk])).content.decode()

    assert reverse("referrals:detail", args=[named.pk]) in page
    assert reverse("referrals:detail", args=[anonymous.pk]) not in page
    mine = login_verified(Client(), sender).get(reverse("records:person_file", args=[person.pk]))
    assert reverse("referrals:detail", args=[anonymous.pk]) in mine.content.decode()


def test_a_double_click_sends_one_referral(
    make_user: Callable[..., User], woman: tuple[Person, AgencyRecord]
) -> None:
    person, record = woman
    client = login_verified(Client(), make_user("caseworker"))
    url = reverse("referrals:create", args=[person.pk])
    page = client.get(url).content.decode()
    token = re.search(r'name="form_token" value="([0-9a-f]{32})"', page)
    assert token is not None
    form = {
        "form_token": token.group(1),
        "to_agency": Agency.objects.get(code="FGJ").pk,
        "service": "complaint",
        "reason": "Quiere presentar denuncia",
        "record": record.pk,
        "consent_given": "yes",
        "consent_method": "verbal",
        "consent_scope": ["identity"],
    }
    first, second = client.post(url, form), client.post(url, form)
    referral = Referral.objects.get()
    assert first.url == second.url == reverse("referrals:detail", args=[referral.pk])
    # A new form (a new token) is a new referral.
    client.post(url, {**form, "form_token": "0" * 32})
    assert Referral.objects.count() == 2
