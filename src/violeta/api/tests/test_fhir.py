"""FHIR R4 Bundles from the health agency: mapped to records (ICD-10 → violence types and
relationship), atomic, idempotent, refused with the FHIR path at fault, SEDESA only."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from faker import Faker

from violeta.api.fhir_map import icd10
from violeta.api.tests.conftest import Api
from violeta.api.tests.test_auth import _problem
from violeta.audit.models import AuditEntry
from violeta.people.models import Person
from violeta.records.models import AgencyRecord
from violeta.records.tests.factories import VALID_CURP

URL = "/api/v1/fhir/Bundle"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
FHIR = {"CONTENT_TYPE": "application/fhir+json"}


def _condition(n: int, encounter: str, *codes: str) -> dict[str, Any]:
    return {
        "fullUrl": f"urn:uuid:cond-{n}",
        "resource": {
            "resourceType": "Condition",
            "id": f"cond-{n}",
            "subject": {"reference": "urn:uuid:pat-1"},
            "encounter": {"reference": encounter},
            "code": {"coding": [{"system": ICD10, "code": c} for c in codes]},
            "recordedDate": "2025-06-01",
        },
    }


def bundle(encounters: int = 1, codes: tuple[str, ...] = ("T74.1", "Y07.0")) -> dict[str, Any]:
    """A synthetic transaction Bundle: one woman (Faker es_MX), her encounters and diagnoses."""
    fake = Faker("es_MX")
    fake.seed_instance(46)
    entries: list[dict[str, Any]] = [
        {
            "fullUrl": "urn:uuid:pat-1",
            "resource": {
                "resourceType": "Patient",
                "id": "pat-1",
                "identifier": [{"system": "urn:oid:2.16.840.1.113883.4.629", "value": VALID_CURP}],
                "name": [
                    {
                        "use": "official",
                        "family": f"{fake.last_name()} {fake.last_name()}",
                        "given": [fake.first_name_female()],
                    }
                ],
                "gender": "female",
                "birthDate": "1990-02-15",
                "telecom": [{"system": "phone", "value": "55 1234 5678"}],
                "address": [{"line": [fake.street_address()], "district": "Iztapalapa"}],
            },
            "request": {"method": "POST", "url": "Patient"},
        }
    ]
    for n in range(encounters):
        entries.append(
            {
                "fullUrl": f"urn:uuid:enc-{n}",
                "resource": {
                    "resourceType": "Encounter",
                    "id": f"enc-{n}",
                    "identifier": [{"system": "urn:sedesa:folio", "value": f"SED-F-{n}"}],
                    "status": "finished",
                    "class": {"code": "EMER"},
                    "subject": {"reference": "urn:uuid:pat-1"},
                    "period": {"start": f"2025-06-0{n + 1}T10:30:00-06:00"},
                },
                "request": {"method": "POST", "url": "Encounter"},
            }
        )
        entries.append(_condition(n, f"urn:uuid:enc-{n}", *codes))
    return {"resourceType": "Bundle", "type": "transaction", "entry": entries}


@pytest.fixture
def sedesa(api: Callable[..., Api]) -> Api:
    return api(agency="SEDESA", role="operator", scopes="records:read,records:write")


def test_a_bundle_becomes_records_with_violence_types_and_relationship(sedesa: Api) -> None:
    raw = bundle(encounters=2)
    resp = sedesa.send("POST", URL, raw)
    assert resp.status_code == 201, resp.content
    rows = resp.json()["records"]
    assert [r["entry"] for r in rows] == [1, 3]
    record = AgencyRecord.objects.get(pk=rows[0]["record"]["id"])
    assert record.agency.code == "SEDESA" and record.kind.code == "medical_attention"
    assert record.source == "fhir" and record.agency_record_id == "SED-F-0"
    assert {t.code for t in record.violence_types.all()} == {"fisica"}
    assert record.relationship == "pareja"
    assert {m.code for m in record.modalities.all()} == {"familiar"}
    assert record.occurred_at.isoformat().startswith("2025-06-01T16:30:00")
    victim = record.parties.get(role="victim")
    family = raw["entry"][0]["resource"]["name"][0]["family"]
    assert f"{victim.first_surname} {victim.second_surname}" == family
    assert (
        victim.curp == VALID_CURP and victim.sex == "M" and str(victim.birth_date) == "1990-02-15"
    )
    assert victim.alcaldia is not None and victim.alcaldia.inegi_code == "09007"
    assert rows[0]["record"]["victim"] == rows[1]["record"]["victim"]  # one woman, linked

    again = sedesa.send("POST", URL, raw)  # sent again: updates, here with nothing changed
    assert again.status_code == 200 and not again.json()["records"][0]["record"]["changed"]
    assert AgencyRecord.objects.count() == 2
    assert AuditEntry.objects.filter(subject_type="record", details__source="fhir").count() == 2


def test_fhir_content_type_and_accept(sedesa: Api) -> None:
    import json

    resp = sedesa.client.post(
        URL,
        data=json.dumps(bundle()),
        content_type="application/fhir+json",
        headers={**sedesa._headers(None), "Accept": "application/fhir+json"},
    )
    assert resp.status_code == 201, resp.content
    assert resp["Content-Type"].startswith("application/fhir+json")


def test_a_name_given_only_as_text_is_split_as_a_mexican_name(sedesa: Api) -> None:
    raw = bundle()
    raw["entry"][0]["resource"]["name"] = [{"text": "María de la Luz de la Cruz del Río"}]
    assert sedesa.send("POST", URL, raw).status_code == 201
    victim = AgencyRecord.objects.get().parties.get(role="victim")
    assert victim.given_names == "María de la Luz"
    assert (victim.first_surname, victim.second_surname) == ("de la Cruz", "del Río")


def test_icd10_codes_match_the_longest_listed_prefix() -> None:
    assert icd10("T74.11") == icd10("T741") == icd10("t74.1")
    assert icd10("Y05.0") is not None and icd10("Y07.01") == icd10("Y07.0")
    assert icd10("S06.0") is None and icd10("T7") is None


def _bad(sedesa: Api, raw: dict[str, Any]) -> dict[str, list[str]]:
    body = _problem(sedesa.send("POST", URL, raw), 422)
    assert not AgencyRecord.objects.exists() and not Person.objects.exists()
    errors: dict[str, list[str]] = body["errors"]
    return errors


def test_an_unknown_code_in_the_second_encounter_stores_nothing(sedesa: Api) -> None:
    raw = bundle(encounters=2)
    raw["entry"][4]["resource"]["code"]["coding"][0]["code"] = "S06.0"
    errors = _bad(sedesa, raw)
    assert "S06.0" in errors["entry[4].resource.code.coding[0].code"][0]


@pytest.mark.parametrize(
    ("entry", "path", "value", "where"),
    [
        (1, "period.start", "2999-01-01T10:00:00Z", "period.start"),
        (2, "recordedDate", "2999-01-01", "recordedDate"),
        (0, "birthDate", "2999-01-01", "birthDate"),
        (0, "birthDate", "1990-13-45", "birthDate"),
        (0, "name.0.given", ["<b>Ana</b>"], "name[0].given"),
        (0, "name.0.family", "Pérez'; DROP TABLE x;--", "name[0].family"),
        (0, "identifier.0.value", "NOTACURP", "identifier[0]"),
        (1, "subject.reference", "Patient/nobody", "subject"),
        (2, "encounter.reference", "Encounter/nope", "encounter"),
        (2, "code.coding.0.system", "http://snomed.info/sct", "code"),
        (1, "gender", "female", "gender"),
    ],
)
def test_bad_bundles_name_the_fhir_path_and_store_nothing(
    sedesa: Api, entry: int, path: str, value: Any, where: str
) -> None:
    raw = bundle(codes=("T74.1",))
    target: Any = raw["entry"][entry]["resource"]
    steps = [int(p) if p.isdigit() else p for p in path.split(".")]
    for step in steps[:-1]:
        target = target[step]
    target[steps[-1]] = copy.deepcopy(value)
    assert f"entry[{entry}].resource.{where}" in _bad(sedesa, raw)


def test_only_transaction_or_collection_bundles(sedesa: Api) -> None:
    assert "type" in _bad(sedesa, {**bundle(), "type": "searchset"})


def test_conflicting_perpetrators_and_missing_pieces(sedesa: Api) -> None:
    assert "entry[2].resource.code.coding[1].code" in _bad(sedesa, bundle(codes=("Y07.0", "Y07.1")))
    no_encounter = bundle()
    no_encounter["entry"] = no_encounter["entry"][:1]
    assert "entry" in _bad(sedesa, no_encounter)
    other = bundle()
    other["entry"].append(
        {"resource": {"resourceType": "Observation", "status": "final", "code": {}}}
    )
    assert "entry[3].resource.resourceType" in _bad(sedesa, other)
    assert "resourceType" in _bad(sedesa, {"resourceType": "Patient"})


def test_only_the_health_agency_and_with_records_write(api: Callable[..., Api]) -> None:
    sem = api(scopes="records:write")
    assert "FHIR" in _problem(sem.send("POST", URL, bundle()), 403)["detail"]
    reader = api(agency="SEDESA", role="operator", scopes="records:read", name="r")
    _problem(reader.send("POST", URL, bundle()), 403)
    assert not AgencyRecord.objects.exists()


def test_idempotent_replay_and_audit(sedesa: Api) -> None:
    key = {"Idempotency-Key": "bundle-1"}
    first = sedesa.send("POST", URL, bundle(), headers=key)
    replay = sedesa.send("POST", URL, bundle(), headers=key)
    assert first.status_code == replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true" and replay.json() == first.json()
    assert AgencyRecord.objects.count() == 1
    calls = AuditEntry.objects.filter(subject_type="api_call", details__path=URL)
    assert [c.details["status"] for c in calls.order_by("pk")] == [201, 201]
