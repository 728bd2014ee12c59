"""Registering records: create, update with history, idempotency and validation."""

from __future__ import annotations

import copy

import pytest

from violeta.agencies.models import Agency
from violeta.people.models import Person, PersonKind
from violeta.records.choices import PartyRole, RecordSource
from violeta.records.models import AgencyRecord, AgencyRecordVersion, ReportedIdentity
from violeta.records.services import record_register
from violeta.records.tests.factories import VALID_CURP, canonical_record
from violeta.records.validation import Catalogs, RecordInvalid, validate_record

pytestmark = pytest.mark.django_db


def _register(raw: dict, agency: str = "SEMUJERES"):
    data = validate_record(raw, agency=Agency.objects.get(code=agency), cats=Catalogs.load())
    return record_register(actor=None, data=data, source=RecordSource.IMPORT)


def test_register_creates_record_woman_and_aggressor(catalogs: None) -> None:
    outcome = _register(canonical_record())

    assert outcome.created and outcome.victim_created
    record = AgencyRecord.objects.get()
    assert record.agency.code == "SEMUJERES"
    assert sorted(t.code for t in record.violence_types.all()) == ["fisica", "psicologica"]
    assert record.narrative.startswith("Sesión")
    woman = Person.objects.get(kind=PersonKind.WOMAN)
    assert woman.full_name == "Guadalupe Hernández López"
    assert Person.objects.filter(kind=PersonKind.AGGRESSOR).count() == 1
    assert {p.role for p in ReportedIdentity.objects.all()} == {"victim", "aggressor"}


def test_same_agency_id_again_updates_with_history_never_duplicates(catalogs: None) -> None:
    _register(canonical_record())
    changed = canonical_record(risk_level="alto", narrative="Actualizada: amenazas de muerte.")

    outcome = _register(changed)

    assert not outcome.created and outcome.changed
    assert AgencyRecord.objects.count() == 1
    record = AgencyRecord.objects.get()
    assert record.version == 2 and record.risk_level == "alto"
    old = AgencyRecordVersion.objects.get(record=record)
    assert old.version == 1 and '"risk_level": "medio"' in old.snapshot
    assert Person.objects.filter(kind=PersonKind.WOMAN).count() == 1


def test_unchanged_record_again_writes_nothing(catalogs: None) -> None:
    _register(canonical_record())
    outcome = _register(canonical_record())
    assert not outcome.changed
    assert AgencyRecordVersion.objects.count() == 0
    assert AgencyRecord.objects.get().version == 1


def test_same_id_in_another_agency_is_another_record(catalogs: None) -> None:
    _register(canonical_record())
    _register(canonical_record(kind="medical_attention"), agency="SEDESA")
    assert AgencyRecord.objects.count() == 2


def test_valid_curp_links_records_of_two_agencies_to_one_woman(catalogs: None) -> None:
    first = _register(canonical_record(victim={"curp": VALID_CURP}))
    second = _register(
        canonical_record(
            agency_record_id="C5-1",
            kind="emergency_call",
            victim={"curp": VALID_CURP, "given_names": "Lupita", "birth_date": ""},
        ),
        agency="C5",
    )
    assert first.victim.pk == second.victim.pk
    assert not second.victim_created


def test_mistyped_curp_does_not_merge_two_women(catalogs: None) -> None:
    _register(canonical_record(victim={"curp": VALID_CURP}))
    typo = VALID_CURP[:-1] + "8"  # check digit fails: rejected, not matched
    with pytest.raises(RecordInvalid) as error:
        _register(canonical_record(agency_record_id="SEM-2", victim={"curp": typo}))
    assert "victim.curp" in error.value.errors


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"victim": {"curp": "HELG900215MDFRPD0"}}, "victim.curp"),
        ({"victim": {"birth_date": "2999-01-01"}}, "victim.birth_date"),
        ({"alcaldia": "09099"}, "alcaldia"),
        ({"victim": {"alcaldia": "Springfield"}}, "victim.alcaldia"),
        ({"colonia": "x" * 121}, "colonia"),
        ({"victim": {"given_names": "x" * 101}}, "victim.given_names"),
        ({"kind": "emergency_call"}, "kind"),
        ({"kind": "nonsense"}, "kind"),
        ({"occurred_at": "ayer"}, "occurred_at"),
        ({"occurred_at": "2999-01-01T00:00:00"}, "occurred_at"),
        ({"violence_types": ["fisica", "telepatica"]}, "violence_types"),
        ({"relationship": "vecino"}, "relationship"),
        ({"weapons": ["bazooka"]}, "weapons"),
        ({"agency_record_id": ""}, "agency_record_id"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(
    catalogs: None, change: dict, field: str
) -> None:
    raw = canonical_record()
    for key, value in copy.deepcopy(change).items():
        if isinstance(value, dict):
            raw[key].update(value)
        else:
            raw[key] = value
    with pytest.raises(RecordInvalid) as error:
        _register(raw)
    assert field in error.value.errors, error.value.errors
    assert AgencyRecord.objects.count() == 0
    assert Person.objects.count() == 0


def test_error_messages_are_in_spanish_by_default(catalogs: None) -> None:
    raw = canonical_record(alcaldia="09099")
    with pytest.raises(RecordInvalid) as error:
        _register(raw)
    assert error.value.errors["alcaldia"] == ["Alcaldía desconocida «09099»."]


def test_update_keeps_the_woman_when_her_identity_did_not_change(catalogs: None) -> None:
    first = _register(canonical_record())
    second = _register(canonical_record(risk_level="alto"))
    assert second.victim.pk == first.victim.pk
    assert ReportedIdentity.objects.filter(role=PartyRole.VICTIM).count() == 1


def test_each_identity_records_how_it_was_linked(catalogs: None) -> None:
    first = _register(canonical_record(victim={"curp": VALID_CURP}))
    _register(canonical_record(agency_record_id="SEM-2", victim={"curp": VALID_CURP, "phone": ""}))
    data = validate_record(
        canonical_record(agency_record_id="SEM-3"),
        agency=Agency.objects.get(code="SEMUJERES"),
        cats=Catalogs.load(),
    )
    record_register(actor=None, data=data, source=RecordSource.BROWSER, victim_person=first.victim)
    methods = dict(
        ReportedIdentity.objects.filter(role=PartyRole.VICTIM).values_list(
            "record__agency_record_id", "link_method"
        )
    )
    assert methods == {"SEM-0001": "single", "SEM-2": "curp", "SEM-3": "operator"}
