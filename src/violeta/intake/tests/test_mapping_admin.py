"""Mappings kept as data: seeded from the shipped files, edited as new versions, audited."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from conftest import login_verified
from violeta.agencies.models import Agency, User
from violeta.audit.models import AuditEntry
from violeta.intake.loader import import_file
from violeta.intake.mapping import MappingError, load_mapping
from violeta.intake.models import AgencyMapping
from violeta.intake.selectors import mapping_active
from violeta.intake.services import mapping_save
from violeta.intake.tests.test_loader import HEADER, _row

pytestmark = pytest.mark.django_db


def test_the_shipped_mappings_are_version_one() -> None:
    codes = set(AgencyMapping.objects.values_list("agency_code", flat=True))
    assert codes == {"C5", "FGJ", "LINEA", "SEDESA", "SEMUJERES", "SSC"}
    body, version = mapping_active("SEMUJERES")
    assert version == 1 and body == load_mapping("SEMUJERES")


def test_an_administrator_edits_a_mapping_in_the_administration(
    make_user: Callable[..., User], tmp_path: Path
) -> None:
    client = login_verified(Client(), make_user("administrator", None))
    first = AgencyMapping.objects.get(agency_code="SEMUJERES")
    url = reverse("admin:intake_agencymapping_change", args=[first.pk])
    assert client.get(url).status_code == 200

    broken = copy.deepcopy(first.body)
    broken["fields"]["alcaldia"]["codes"] = "no_such_list"
    form = {"agency_code": "SEMUJERES", "body": json.dumps(broken), "note": "x"}
    page = client.post(url, form)
    assert page.status_code == 200
    assert "no existe la lista de códigos «no_such_list»" in page.content.decode()
    assert AgencyMapping.objects.filter(agency_code="SEMUJERES").count() == 1

    better = copy.deepcopy(first.body)
    better["codes"]["alcaldias"]["CDMX CENTRO"] = "09015"
    form = {"agency_code": "SEMUJERES", "body": json.dumps(better), "note": "CDMX CENTRO"}
    assert client.post(url, form).status_code == 302
    versions = AgencyMapping.objects.filter(agency_code="SEMUJERES").order_by("version")
    assert [(m.version, m.active) for m in versions] == [(1, False), (2, True)]
    assert versions[0].body == first.body  # the old version is kept as it was
    entry = AuditEntry.objects.get(subject_type="agency_mapping")
    assert entry.details == {"agency": "SEMUJERES", "version": 2}

    path = tmp_path / "s.csv"
    row = _row("M-1").replace(",Miguel Hidalgo,Jesús", ",cdmx centro,Jesús")
    path.write_text(f"{HEADER}\n{row}\n", encoding="utf-8")
    report = import_file(agency=Agency.objects.get(code="SEMUJERES"), path=path)
    assert report.created == 1  # the label the new version added


def test_a_mapping_for_another_agency_or_broken_is_refused(catalogs: None) -> None:
    body = load_mapping("C5")
    with pytest.raises(MappingError, match="«agency» debe ser «SSC»"):
        mapping_save(agency_code="SSC", body=body, actor=None)
    del body["fields"]["occurred_at"]
    with pytest.raises(MappingError, match="occurred_at"):
        mapping_save(agency_code="C5", body=body, actor=None)
    assert mapping_active("C5")[1] == 1


def test_a_new_shipped_file_is_followed_until_an_administrator_edits(
    make_user: Callable[..., User],
) -> None:
    old = copy.deepcopy(load_mapping("C5"))
    del old["codes"]["alcaldias"]["GAM"]  # as if version 1 came from an older release
    AgencyMapping.objects.filter(agency_code="C5").update(body=old)
    body, version = mapping_active("C5")
    assert version == 2 and body == load_mapping("C5")  # the release's file, on first use
    assert mapping_active("C5")[1] == 2  # once

    edited = copy.deepcopy(body)
    edited["codes"]["alcaldias"]["CDMX"] = ""
    mapping_save(agency_code="C5", body=edited, actor=make_user("administrator", None))
    AgencyMapping.objects.filter(agency_code="C5", version=3).update(body=old)
    assert mapping_active("C5") == (old, 3)  # hers (here: whatever it says) stays in force
