"""`violeta retention`: closed files past retention lose their identities, statistics do not."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from violeta.agencies.models import Agency, User
from violeta.audit.models import AuditEntry
from violeta.audit.selectors import audit_verify
from violeta.cases.models import CaseFollowUp
from violeta.certificates.models import Certificate, Purpose
from violeta.certificates.services import certificate_issue
from violeta.lifecycle import retention
from violeta.lifecycle.anonymise import REDACTED, scrub_details
from violeta.lifecycle.models import AnonymisedPerson, RetentionRule
from violeta.lifecycle.tests.helpers import (
    CARPETA,
    HER,
    HER_AGGRESSOR,
    HER_NARRATIVE,
    OTHER,
    OTHER_NARRATIVE,
    SHARED_AGGRESSOR,
    close_followups,
    fold,
    leaks,
    register,
    snapshot,
)
from violeta.linkage.batch import identities_frame
from violeta.observatory.counting import first_month, sql_tally
from violeta.observatory.facts import alert_facts, record_facts
from violeta.observatory.incremental import fresh_tally
from violeta.observatory.tables import month_range, tally
from violeta.people import identity as ident
from violeta.people.models import Person
from violeta.records.choices import PartyRole
from violeta.records.models import AgencyRecord, AgencyRecordVersion, ReportedIdentity
from violeta.referrals.models import Referral
from violeta.referrals.services import referral_cancel, referral_create

pytestmark = pytest.mark.django_db
HER_CURP = "ZAQE881123MDFPNF00"
ORDER = {"order_type": "administrativa", "order_measures": ["no_acercarse"],
         "order_valid_from": "2012-03-06", "order_valid_until": "2012-05-04"}  # fmt: skip
TODAY = "2033-01-10"  # past her 20 years (complaint), within the recent woman's 10


@dataclass
class World:
    her: Person
    other: Person
    recent: Person
    her_aggressor: Person
    shared_aggressor: Person


def _curp_ok() -> None:
    assert ident.curp_is_valid(HER_CURP), "the synthetic CURP must carry a valid check digit"


@pytest.fixture
def world(make_user: Callable[..., User]) -> World:
    """Her: four agencies in 2012, all closed; one record corrected (a version with her old
    narrative). Another woman named the same aggressor as her 911 call and still has an open
    follow-up; a third woman was attended last year."""
    _curp_ok()
    me = {**HER, "curp": HER_CURP}
    first = register(
        "S-9",
        "SEMUJERES",
        "service_session",
        victim=me,
        when="2012-03-04T10:30:00",
        narrative="Primera versión " + HER_NARRATIVE,
        aggressor=HER_AGGRESSOR,
    )
    her = first.victim
    register(
        "S-9",
        "SEMUJERES",
        "service_session",
        victim=me,
        when="2012-03-04T10:30:00",
        narrative=HER_NARRATIVE,
        aggressor=HER_AGGRESSOR,
    )  # a correction: one version
    register(
        "C5-9",
        "C5",
        "emergency_call",
        victim=me,
        when="2012-03-04T09:58:00",
        aggressor=SHARED_AGGRESSOR,
        narrative="Llama Eufrosina desde el 55 8765 4321",
    )
    register(
        "CI-9",
        "FGJ",
        "complaint",
        victim=me,
        when="2012-03-05T12:00:00",
        aggressor=HER_AGGRESSOR,
        details={"carpeta": CARPETA},
    )
    register(
        "OP-9",
        "FGJ",
        "protection_order",
        victim=me,
        when="2012-03-06T12:00:00",
        aggressor=HER_AGGRESSOR,
        details=ORDER,
        narrative="",
    )
    other = register(
        "S-10",
        "SEMUJERES",
        "service_session",
        victim=OTHER,
        when="2012-06-01T10:00:00",
        aggressor=SHARED_AGGRESSOR,
        narrative=OTHER_NARRATIVE,
    ).victim
    recent = register("S-11", "SEMUJERES", "service_session",
                      victim={**OTHER, "given_names": "Leticia", "first_surname": "Ugalde",
                              "phone": "55 2222 3333"},
                      when="2025-06-01T10:00:00", aggressor=None).victim  # fmt: skip
    assert len({her.pk, other.pk, recent.pk}) == 3
    _her_other_data(her, make_user("caseworker"))
    close_followups(her, why="Cerrado a petición de Eufrosina Zapotitlán")
    close_followups(recent, on="2025-07-01")
    aggressors = ReportedIdentity.objects.filter(role=PartyRole.AGGRESSOR)
    mine = aggressors.get(record__agency_record_id="S-9").person
    shared = aggressors.get(record__agency_record_id="C5-9").person
    assert aggressors.get(record__agency_record_id="S-10").person_id == shared.pk
    assert AgencyRecordVersion.objects.filter(record__agency_record_id="S-9").count() == 1
    return World(her, other, recent, mine, shared)


def _her_other_data(her: Person, caseworker: User) -> None:
    """A referral (cancelled) and a certificate: her name in their free text and content."""
    referral = referral_create(
        actor=caseworker, person=her, to_agency=Agency.objects.get(code="SEDESA"),
        service="medical", reason="Eufrosina Zapotitlán necesita atención médica",
        consent_given=True, consent_method="verbal", consent_scope=["identity", "narrative"],
        narrative=HER_NARRATIVE,
    )  # fmt: skip
    referral_cancel(referral=referral, actor=caseworker, reason="Eufrosina ya fue atendida")
    certificate_issue(person=her, actor=caseworker, purpose=Purpose.values[0])
    assert Certificate.objects.filter(person=her).count() == 1


def _figures() -> tuple[dict[object, int], dict[object, int], dict[object, int]]:
    """The observatory's figures three ways: the SQL count, the facts tally (women per figure)."""
    until = timezone.now()
    months = month_range(first_month(until), until.strftime("%Y-%m"))
    counted = sql_tally(months=months, until=until)
    facts = tally(record_facts(until=until), alert_facts(until=until), months=months,
                  categories=lambda dim: [])  # fmt: skip
    return (
        dict(counted.records),
        {k: len(v) for k, v in counted.people.items()},
        {k: len(v) for k, v in facts.people.items()},
    )


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("retention", *args, stdout=out)
    return out.getvalue()


HER_STRINGS = [
    HER["given_names"], HER["first_surname"], HER["second_surname"], HER_CURP, "5587654321",
    HER["address"], HER["colonia"], "1988-11-23", HER_NARRATIVE, CARPETA,
    HER_AGGRESSOR["first_surname"] + " " + HER_AGGRESSOR["second_surname"], "Anselmo",
]  # fmt: skip


def test_a_closed_file_past_retention_keeps_its_figures_and_loses_every_identity(
    world: World,
) -> None:
    before = _figures()
    seen = {(table, needle) for table, _c, needle in leaks(HER_STRINGS)}
    assert {n for _t, n in seen} == {fold(n) for n in HER_STRINGS}  # each one, before the run
    assert {t for t, _n in seen} >= {
        "referrals_referral",
        "certificates_certificate",
        "records_agencyrecordversion",
        "cases_casefollowup",
    }
    assert sum(before[0].values()) > 0

    until = timezone.now()
    months = month_range(first_month(until), until.strftime("%Y-%m"))
    fresh_tally(months=months, until=until)  # the observatory's incremental counter, primed

    output = _run("--today", TODAY)

    # Records were touched: the next refresh counts everything again, and finds the same.
    counted_again_tally, counted_again = fresh_tally(months=months, until=timezone.now())
    assert f"anonymised 1: {world.her.pk};" in output
    assert _figures() == before  # every published count, records and distinct women
    assert leaks(HER_STRINGS) == []
    assert counted_again.how == "full" and dict(counted_again_tally.records) == before[0]
    # Her blind indexes are gone too (a keyed hash of her CURP would re-identify her).
    for value in (ident.curp_index(HER_CURP), ident.phone_index(HER["phone"])):
        assert not ReportedIdentity.objects.filter(curp_bidx=value).exists()
        assert not Person.objects.filter(phone_bidx=value).exists()
    assert AnonymisedPerson.objects.filter(person=world.her).exists()


def test_what_statistics_need_stays_and_other_women_are_untouched(world: World) -> None:
    other_before = _person_view(world.other)
    recent_before = _person_view(world.recent)
    shared_name = world.shared_aggressor.full_name

    _run("--today", TODAY)

    complaint = AgencyRecord.objects.get(agency_record_id="CI-9")
    assert complaint.details["carpeta"] == REDACTED  # an investigation still counts as one
    assert complaint.kind.code == "complaint" and complaint.alcaldia.inegi_code == "09007"
    order = AgencyRecord.objects.get(agency_record_id="OP-9")
    assert order.details == ORDER  # codes and dates only: kept
    session = AgencyRecord.objects.get(agency_record_id="S-9")
    assert session.narrative == "" and session.risk_level == "medio"
    types = sorted(session.violence_types.values_list("code", flat=True))
    assert types == ["fisica", "psicologica"]
    assert not AgencyRecordVersion.objects.filter(record=session).exists()
    her_identity = session.parties.get(role=PartyRole.VICTIM)
    assert her_identity.person_id == world.her.pk and her_identity.sex == "M"
    assert _person_view(world.other) == other_before
    assert _person_view(world.recent) == recent_before
    world.shared_aggressor.refresh_from_db()
    assert world.shared_aggressor.full_name == shared_name  # another woman's file names him
    world.her_aggressor.refresh_from_db()
    assert world.her_aggressor.full_name == "" and hasattr(world.her_aggressor, "anonymised")
    reasons = CaseFollowUp.objects.filter(person=world.her).values_list("closed_reason", flat=True)
    assert len(reasons) == 3 and set(reasons) == {""}
    # The next `violeta link` leaves her identities where they are (no new women from them).
    frame, _base = identities_frame(PartyRole.VICTIM)
    mine = set(ReportedIdentity.objects.filter(person=world.her).values_list("pk", flat=True))
    assert mine and not mine & set(frame["pk"])


def _person_view(person: Person) -> tuple[object, ...]:
    person.refresh_from_db()
    identities = ReportedIdentity.objects.filter(person=person).order_by("pk")
    return (
        person.full_name, person.curp, person.phone, person.birth_date, person.curp_bidx,
        [(i.full_name, i.phone, i.age, i.link_features, i.record.narrative) for i in identities],
    )  # fmt: skip


def test_the_audit_entry_names_ids_and_counts_and_the_chain_verifies(world: World) -> None:
    _run("--today", TODAY)

    entry = AuditEntry.objects.get(actor_label="system:retention")
    assert entry.action == "delete" and entry.subject_id == str(world.her.pk)
    assert entry.details["records"] == 4 and entry.details["aggressor_files"] == 1
    assert entry.details["identities"] == 4 + 3  # her four, her own aggressor's three
    assert entry.details["certificates"] == 1 and entry.details["versions"] == 1
    assert entry.details["referrals"] == 1 and not Certificate.objects.exists()
    assert Referral.objects.get().status == "cancelled"  # the referral stays, its text does not
    assert audit_verify().ok


def test_a_second_run_and_a_dry_run_change_nothing(world: World) -> None:
    before = snapshot()
    dry = _run("--dry-run", "--today", TODAY)
    assert f"would anonymise 1: {world.her.pk};" in dry
    assert snapshot() == before

    _run("--today", TODAY)
    after_first = snapshot()
    again = _run("--today", TODAY)
    assert "anonymised 0: none" in again
    assert snapshot() == after_first


def test_what_keeps_a_file_open(world: World) -> None:
    years = retention.years_by_kind()
    today = dt.date(2033, 1, 10)

    state = retention.file_state(world.other.pk, today=today, years=years)
    assert state.reasons == ["open_followup"] and not state.past_retention
    # The complaint (20 years) is the longest of her kinds: not past retention in 2030.
    early = retention.file_state(world.her.pk, today=dt.date(2030, 1, 1), years=years)
    assert early.closed and early.reasons == ["within_retention"]
    assert early.retention_years == 20 and early.expires_on == dt.date(2032, 9, 1)
    AgencyRecord.objects.filter(agency_record_id="OP-9").update(
        details={**ORDER, "order_valid_until": "2041-01-01"}
    )
    assert retention.file_state(world.her.pk, today=today, years=years).reasons == [
        "order_in_force"
    ]
    assert "anonymised 0: none" in _run("--today", TODAY)


def test_an_administrator_shortens_a_kind_and_the_file_expires_sooner(world: World) -> None:
    assert "anonymised 0" in _run("--today", "2026-01-10")  # complaint: 20 years
    RetentionRule.objects.filter(kind="complaint").update(years=10)
    RetentionRule.objects.filter(kind="police_intervention").update(years=10)

    assert f"anonymised 1: {world.her.pk};" in _run("--today", "2026-01-10")


def test_the_shipped_rules_cover_every_record_kind(catalogs: None) -> None:
    from violeta.catalogs.models import RecordKind

    kinds = set(RecordKind.objects.values_list("code", flat=True))
    assert kinds <= set(RetentionRule.objects.values_list("kind", flat=True))
    assert all(r.basis for r in RetentionRule.objects.all())
    assert retention.rules_load() == 0  # loaded by the migration; a reload adds nothing


def test_a_bad_date_is_refused_in_words() -> None:
    with pytest.raises(CommandError, match="--today: not a date"):
        _run("--today", "2040-13-45")


def test_details_keep_codes_and_dates_only() -> None:
    details = {
        "carpeta": "ci_123",
        "answered": True,
        "order_measures": ["no_acercarse"],
        "note": "Vive con su tía Eufrosina",
        "event": "release",
        "facts_date": "2012-01-02",
    }
    assert scrub_details(details) == {
        "carpeta": REDACTED, "answered": True, "order_measures": ["no_acercarse"],
        "note": REDACTED, "event": "release", "facts_date": "2012-01-02",
    }  # fmt: skip


def test_encrypted_values_are_read_by_the_leak_search(world: World) -> None:
    """The search decrypts: her name is found in the encrypted columns, not in clear."""
    hits = leaks([HER["first_surname"]])
    assert {t for t, _c, _n in hits} >= {"people_person", "records_reportedidentity"}
    raw = " ".join(text for _t, _c, text in snapshot())
    assert "Zapotitl" not in raw and HER_CURP not in raw  # in clear nowhere, ever
    token = Person.objects.filter(pk=world.her.pk).values_list("curp_bidx", flat=True)[0]
    assert token == ident.curp_index(HER_CURP)  # a keyed hash stands in for it


def test_a_file_merged_into_hers_is_anonymised_with_it(
    world: World, make_user: Callable[..., User]
) -> None:
    """She was registered once more under a misspelt name, later merged into her file: the
    absorbed file's own copy of her identity goes too, and she still counts once."""
    from violeta.linkage.services import persons_merge

    twin = register("C5-12", "C5", "emergency_call", when="2012-04-01T08:00:00",
                    victim={**HER, "given_names": "Eufrocina", "birth_date": "1988-11-22"},
                    aggressor=None).victim  # fmt: skip
    assert twin.pk != world.her.pk
    close_followups(twin)
    persons_merge(keep=world.her, absorb=twin, actor=make_user("supervisor"), reason="misma")
    before = _figures()

    assert f"anonymised 1: {world.her.pk};" in _run("--today", TODAY)

    assert _figures() == before
    assert leaks([*HER_STRINGS, "Eufrocina", "1988-11-22"]) == []
    assert AnonymisedPerson.objects.filter(person=twin, file=world.her.pk).exists()
    entry = AuditEntry.objects.get(actor_label="system:retention")
    assert entry.details["merged"] == [twin.pk] and entry.details["files"] == 2


def test_an_administrator_edits_a_rule_in_the_admin_audited_and_bounded(
    make_user: Callable[..., User],
) -> None:
    from django.test import Client

    from conftest import login_verified

    client = login_verified(Client(), make_user("administrator", agency=None))
    rule = RetentionRule.objects.get(kind="complaint")
    url = f"/admin/lifecycle/retentionrule/{rule.pk}/change/"
    assert client.get(url).status_code == 200

    zero = client.post(url, {"kind": "complaint", "years": "0", "basis": rule.basis})
    assert zero.status_code == 200 and b"errorlist" in zero.content
    rule.refresh_from_db()
    assert rule.years == 20
    assert (
        client.post(url, {"kind": "complaint", "years": "25", "basis": rule.basis}).status_code
        == 302
    )

    rule.refresh_from_db()
    assert rule.years == 25 and retention.years_by_kind()["complaint"] == 25
    entry = AuditEntry.objects.get(action="admin", subject_type="retentionrule")
    assert entry.subject_id == str(rule.pk) and entry.details == {
        "fields": ["years"],
        "created": False,
    }
    worker = login_verified(Client(), make_user("supervisor"))
    assert worker.get(url).status_code in (302, 403)  # not staff: the admin is not hers


def test_an_aggressor_shared_by_two_closed_files_goes_with_the_last_of_them(world: World) -> None:
    close_followups(world.other)
    shared = [world.shared_aggressor.given_names, world.shared_aggressor.first_surname]
    assert {n for _t, _c, n in leaks(shared)} == {"JUAN CARLOS", "RAMIREZ"}

    output = _run("--today", TODAY)

    assert f"anonymised 2: {world.her.pk}, {world.other.pk};" in output
    world.shared_aggressor.refresh_from_db()
    assert world.shared_aggressor.full_name == "" and hasattr(world.shared_aggressor, "anonymised")
    assert leaks([*shared, "Rosario", "Castañeda", OTHER_NARRATIVE, *HER_STRINGS]) == []
    entries = AuditEntry.objects.filter(actor_label="system:retention").order_by("seq")
    assert [e.details["aggressor_files"] for e in entries] == [1, 1]  # hers, then the shared one
