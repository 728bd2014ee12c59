"""Merges, splits and review decisions: audited, reversible, remembered."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from conftest import login_verified
from violeta.agencies.models import Agency, User
from violeta.audit.models import AuditEntry
from violeta.linkage.models import Decision, LinkDecision, ReviewPair, ReviewReason
from violeta.linkage.services import identity_split, persons_merge, review_decide
from violeta.people.models import Person
from violeta.records.choices import PartyRole, RecordSource
from violeta.records.models import AgencyRecord, ReportedIdentity
from violeta.records.selectors import person_file_for
from violeta.records.services import RegisterOutcome, record_register
from violeta.records.tests.factories import canonical_record
from violeta.records.validation import Catalogs, validate_record

pytestmark = pytest.mark.django_db


def _register(record_id: str, agency: str = "SEMUJERES", **victim: str) -> RegisterOutcome:
    kind = {"SEMUJERES": "service_session", "C5": "emergency_call"}[agency]
    raw = canonical_record(agency_record_id=record_id, kind=kind, victim=victim)
    data = validate_record(raw, agency=Agency.objects.get(code=agency), cats=Catalogs.load())
    return record_register(actor=None, data=data, source=RecordSource.IMPORT)


def _victim(outcome: RegisterOutcome) -> ReportedIdentity:
    return outcome.record.parties.get(role=PartyRole.VICTIM)


def test_merge_puts_both_files_in_one_and_keeps_every_record(
    make_user: Callable[..., User],
) -> None:
    supervisor = make_user("supervisor")
    a = _register("S-1")
    b = _register("C5-1", agency="C5", given_names="Lupita", birth_date="")
    assert a.victim.pk != b.victim.pk

    kept = persons_merge(keep=a.victim, absorb=b.victim, actor=supervisor, reason="misma CURP")

    assert ReportedIdentity.objects.filter(role="victim", person=kept).count() == 2
    assert AgencyRecord.objects.count() == 2
    b.victim.refresh_from_db()
    assert b.victim.merged_into_id == kept.pk
    file = person_file_for(user=supervisor, person_id=b.victim.pk, request=None)
    assert file.person.pk == kept.pk and len(file.records) == 2
    assert LinkDecision.objects.get().decision == Decision.SAME
    entry = AuditEntry.objects.get(action="link")
    assert entry.reason == "misma CURP" and entry.details["absorbed"] == b.victim.pk


def test_a_file_merged_twice_still_names_the_file_in_use(make_user: Callable[..., User]) -> None:
    """A merged into B, then B into C: A points at C (one hop finds her file from any old
    id: her plans, referrals and certificates follow it)."""
    supervisor = make_user("supervisor")
    a = _register("C5-1", agency="C5", given_names="Lupita", birth_date="")
    b = _register("S-1")
    c = _register("S-2", given_names="Rosa", birth_date="1980-01-01")
    persons_merge(keep=b.victim, absorb=a.victim, actor=supervisor, reason="ella misma")
    persons_merge(keep=c.victim, absorb=b.victim, actor=supervisor, reason="ella misma")
    assert Person.objects.get(pk=a.victim.pk).merged_into_id == c.victim.pk
    assert Person.objects.get(pk=b.victim.pk).merged_into_id == c.victim.pk


def test_flattening_repoints_chains_left_by_a_batch_run(catalogs: None) -> None:
    from violeta.people.services import merged_chains_flatten

    a = _register("S-1").victim
    b = _register("S-2", given_names="Rosa", birth_date="1980-01-01").victim
    c = _register("S-3", given_names="Ana", birth_date="1970-01-01").victim
    Person.objects.filter(pk=a.pk).update(merged_into=b)
    Person.objects.filter(pk=b.pk).update(merged_into=c)
    assert merged_chains_flatten() == 1
    assert Person.objects.get(pk=a.pk).merged_into_id == c.pk
    assert merged_chains_flatten() == 0


def test_split_takes_a_record_out_and_remembers_it(make_user: Callable[..., User]) -> None:
    supervisor = make_user("supervisor")
    a = _register("S-1", birth_date="1990-02-15")
    b = _register("S-2", birth_date="1990-02-15")
    assert a.victim.pk == b.victim.pk  # exact rule: same name and date of birth

    new = identity_split(identity=_victim(b), actor=supervisor, reason="otra mujer, homónima")

    assert new.pk != a.victim.pk
    assert _victim(b).person_id == new.pk and _victim(a).person_id == a.victim.pk
    decision = LinkDecision.objects.get()
    assert decision.decision == Decision.DIFFERENT
    with pytest.raises(ValidationError):
        identity_split(identity=_victim(a), actor=supervisor, reason="  ")


def test_only_supervisors_merge(make_user: Callable[..., User]) -> None:
    caseworker = make_user("caseworker")
    a, b = _register("S-1"), _register("C5-1", agency="C5", given_names="Lupita")
    with pytest.raises(PermissionDenied):
        persons_merge(keep=a.victim, absorb=b.victim, actor=caseworker, reason="x")


def test_review_decisions_merge_or_keep_apart_once(make_user: Callable[..., User]) -> None:
    supervisor = make_user("supervisor")
    a = _register("S-1")
    b = _register("C5-1", agency="C5", given_names="Lupita", birth_date="")
    pair = ReviewPair.objects.create(
        identity_a=_victim(a),
        identity_b=_victim(b),
        probability=0.7,
        reason=ReviewReason.UNCERTAIN,
    )
    review_decide(pair=pair, decision=Decision.SAME, actor=supervisor, reason="confirmado")
    assert _victim(b).person_id == _victim(a).person_id
    with pytest.raises(ValidationError):
        review_decide(pair=pair, decision=Decision.DIFFERENT, actor=supervisor)


def test_file_shows_identities_and_an_aggressor_linked_to_other_women(
    make_user: Callable[..., User],
) -> None:
    caseworker = make_user("caseworker")
    a = _register("S-1", birth_date="1990-02-15")
    _register("S-2", birth_date="1990-02-15", given_names="Guadalupe del Carmen")
    other = _register("S-3", given_names="Rosa", first_surname="Pérez", birth_date="1980-01-01")
    # The same aggressor person in the other woman's record.
    aggressor = a.record.parties.get(role=PartyRole.AGGRESSOR).person
    other.record.parties.filter(role=PartyRole.AGGRESSOR).update(person=aggressor)

    client = login_verified(Client(), caseworker)
    page = client.get(reverse("records:person_file", args=[a.victim.pk])).content.decode()
    assert "Guadalupe del Carmen" in page  # another way she was registered
    assert "Juan Carlos Ramírez Soto" in page
    assert "vinculado a 1 mujer más" in page
    assert other.victim.pk != a.victim.pk
    assert Person.objects.filter(kind="woman").count() == 2


def test_a_curp_on_a_merged_file_leads_to_the_file_that_took_her_records(
    make_user: Callable[..., User],
) -> None:
    """A new record, one by one or in a bulk import, never lands in a merged file: with the
    CURP of a merged file it goes to the file in use; with the exact name and birth date of a
    merged file only, to a file in use or a new one (the next link run decides)."""
    from violeta.people.bulk import persons_resolve_bulk
    from violeta.people.identity import IdentityInput
    from violeta.people.models import PersonKind
    from violeta.records.tests.factories import VALID_CURP

    supervisor = make_user("supervisor")
    shell = _register("S-1", curp=VALID_CURP).victim
    file = _register("C5-1", agency="C5", given_names="Lupita", birth_date="").victim
    persons_merge(keep=file, absorb=shell, actor=supervisor, reason="ella misma")
    assert Person.objects.get(pk=shell.pk).merged_into_id == file.pk

    again = _register("S-2", curp=VALID_CURP)
    assert again.victim.pk == file.pk
    assert _victim(again).person_id == file.pk and _victim(again).link_method == "curp"
    data = IdentityInput(given_names="Guadalupe", first_surname="Hernández", curp=VALID_CURP)
    [(person, method)] = persons_resolve_bulk(kind=PersonKind.WOMAN, items=[(data, None)])
    assert (person.pk, method) == (file.pk, "curp")
    from violeta.linkage.realtime import _shortlist

    assert file.pk in _shortlist(data, PersonKind.WOMAN)

    by_name = _register("S-3")  # the merged file's name and birth date, no CURP
    assert by_name.victim.pk != shell.pk
    assert Person.objects.get(pk=by_name.victim.pk).merged_into_id is None
    exact = IdentityInput(
        given_names="Guadalupe", first_surname="Hernández", second_surname="López",
        birth_date=shell.birth_date,
    )  # fmt: skip
    [(person, _method)] = persons_resolve_bulk(kind=PersonKind.WOMAN, items=[(exact, None)])
    assert person.pk != shell.pk
