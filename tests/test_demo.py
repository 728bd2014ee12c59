"""``violeta demo --no-serve``: loads everything through the import path; twice adds nothing."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from violeta.agencies.models import Agency, User
from violeta.audit.selectors import audit_verify
from violeta.people.models import Person, PersonKind
from violeta.records.choices import RecordSource
from violeta.records.models import AgencyRecord
from violeta.risk.models import RiskAssessment


@pytest.mark.django_db(transaction=True)
def test_demo_loads_synthetic_data_and_is_idempotent(tmp_path: Path) -> None:
    with override_settings(DEMO=True, DATA_DIR=tmp_path):
        out = StringIO()
        call_command("demo", women=40, no_serve=True, stdout=out)
        first = (AgencyRecord.objects.count(), Person.objects.count(), User.objects.count())
        assessed = RiskAssessment.objects.filter(status="completed").count()
        call_command("demo", women=40, no_serve=True, stdout=StringIO())
        second = (AgencyRecord.objects.count(), Person.objects.count(), User.objects.count())
        # Some women are assessed (the risk pages have something to show), once.
        assert assessed > 0 and RiskAssessment.objects.count() == assessed
        assert {a.agency.code for a in RiskAssessment.objects.select_related("agency")} <= {
            "SSC",
            "SEMUJERES",
        }

    assert first == second
    records, _people, users = first
    assert records >= 40 * 3
    assert Person.objects.filter(kind=PersonKind.WOMAN).count() >= 40
    assert set(AgencyRecord.objects.values_list("source", flat=True)) == {RecordSource.IMPORT}
    assert set(AgencyRecord.objects.values_list("agency__code", flat=True)) == set(
        Agency.objects.values_list("code", flat=True)
    )
    assert users == Agency.objects.count() * 6  # one per agency and role
    printed = out.getvalue()
    assert "semujeres.caseworker" in printed and "violeta demo_code" in printed
    assert audit_verify().ok


@pytest.mark.django_db
def test_demo_refuses_outside_demo_mode() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("demo", no_serve=True)
