"""The event convention in ``AgencyRecord.details``: checked wherever a record comes from."""

from __future__ import annotations

import pytest

from violeta.agencies.models import Agency
from violeta.catalogs.events import EVENT_CODES, details_problems
from violeta.catalogs.models import RecordKind
from violeta.records.tests.factories import canonical_record
from violeta.records.validation import Catalogs, RecordInvalid, validate_record


def test_each_event_is_accepted_on_its_kinds_only() -> None:
    assert details_problems("police_intervention", {"event": "order_breach"}) == []
    assert details_problems("justice_event", {"event": "aggressor_release"}) == []
    assert details_problems("emergency_call", {"event": "missing_report"}) == []
    [(field, message)] = details_problems("service_session", {"event": "order_breach"})
    assert field == "details.event" and "service_session" in message
    [(field, _)] = details_problems("complaint", {"event": "escape"})
    assert field == "details.event"
    assert len(EVENT_CODES) == 4


def test_order_dates_measures_and_answered_are_checked() -> None:
    good = {
        "order_valid_from": "2024-03-05",
        "order_valid_until": "2024-05-04",
        "order_measures": ["no_acercarse", "refugio"],
    }
    assert details_problems("protection_order", good) == []
    fields = [f for f, _ in details_problems("protection_order", {**good, "order_measures": ["x"]})]
    assert fields == ["details.order_measures"]
    too_long = {**good, "order_valid_until": "2024-07-01"}  # 118 days
    assert [f for f, _ in details_problems("protection_order", too_long)] == [
        "details.order_valid_until"
    ]
    backwards = {**good, "order_valid_until": "2024-03-01"}
    assert [f for f, _ in details_problems("protection_order", backwards)] == [
        "details.order_valid_until"
    ]
    assert [f for f, _ in details_problems("followup_call", {"answered": "no"})] == [
        "details.answered"
    ]


@pytest.mark.django_db
def test_the_prosecutor_registers_justice_events_and_validation_refuses_misplaced_ones(
    catalogs: None,
) -> None:
    assert RecordKind.objects.get(code="justice_event").name_en.startswith("Prosecutor")
    fgj = Agency.objects.get(code="FGJ")
    assert fgj.record_kinds.filter(code="justice_event").exists()
    cats = Catalogs.load()
    notice = canonical_record(kind="justice_event", details={"event": "aggressor_release"})
    assert validate_record(notice, agency=fgj, cats=cats).details["event"] == "aggressor_release"
    session = canonical_record(details={"event": "order_breach"})
    with pytest.raises(RecordInvalid) as caught:
        validate_record(session, agency=Agency.objects.get(code="SEMUJERES"), cats=cats)
    assert "details.event" in caught.value.errors
