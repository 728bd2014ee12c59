"""``violeta link export``: one row per record and role, how it was linked, no identity."""

from __future__ import annotations

import csv
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from violeta.audit.models import AuditEntry
from violeta.linkage.tests.test_services import _register
from violeta.records.tests.factories import VALID_CURP

pytestmark = pytest.mark.django_db


def test_export_lists_every_identity_with_its_link(catalogs: None, tmp_path: Path) -> None:
    first = _register("S-1", curp=VALID_CURP)
    _register("C5-1", agency="C5", curp=VALID_CURP, given_names="Lupita")
    out = tmp_path / "links.csv"

    call_command("link", "export", out=out, stdout=StringIO())

    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 4  # two records, each with a woman and an aggressor
    women = {r["agency_record_id"]: r for r in rows if r["role"] == "woman"}
    assert women["C5-1"]["method"] == "curp"
    assert women["C5-1"]["person_id"] == women["S-1"]["person_id"] == str(first.victim.pk)
    text = out.read_text(encoding="utf-8")
    assert "Guadalupe" not in text and VALID_CURP not in text
    assert AuditEntry.objects.filter(action="export", subject_type="linkage").count() == 1
