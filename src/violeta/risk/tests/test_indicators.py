"""Indicators from her whole file, each from synthetic records built here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from conftest import login_verified
from violeta.agencies.models import Agency, User
from violeta.catalogs.models import Modality, RecordKind, ViolenceType
from violeta.people.models import Person, PersonKind
from violeta.records.models import AgencyRecord, ReportedIdentity
from violeta.risk.indicator_rows import indicator_rows
from violeta.risk.indicators import file_indicators

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


def _person(kind: PersonKind = PersonKind.WOMAN, name: str = "Ana") -> Person:
    return Person.objects.create(kind=kind, given_names=name, first_surname="Prueba")


class Records:
    """Builds records for one woman: ``add(days_ago, kind, ...)``."""

    def __init__(self, woman: Person, aggressor: Person | None = None) -> None:
        self.woman, self.aggressor, self.n = woman, aggressor, 0

    def add(
        self,
        days_ago: float,
        kind: str = "emergency_call",
        agency: str = "C5",
        *,
        types: tuple[str, ...] = (),
        modalities: tuple[str, ...] = (),
        weapons: tuple[str, ...] = (),
        details: dict[str, Any] | None = None,
        woman: Person | None = None,
        aggressor: Person | None = None,
    ) -> AgencyRecord:
        self.n += 1
        record = AgencyRecord.objects.create(
            agency=Agency.objects.get(code=agency),
            agency_record_id=f"T-{self.n}-{id(self)}",
            kind=RecordKind.objects.get(code=kind),
            occurred_at=NOW - dt.timedelta(days=days_ago),
            weapons=list(weapons),
            details=details or {},
            source="import",
            narrative="narrativa de prueba",
        )
        record.violence_types.set(ViolenceType.objects.filter(code__in=types))
        record.modalities.set(Modality.objects.filter(code__in=modalities))
        ReportedIdentity.objects.create(record=record, role="victim", person=woman or self.woman)
        named = aggressor or self.aggressor
        if named is not None:
            ReportedIdentity.objects.create(record=record, role="aggressor", person=named)
        return record


@pytest.fixture
def woman(catalogs: None) -> Person:
    return _person()


def test_counts_by_window_and_agency_ignore_the_future(woman: Person) -> None:
    r = Records(woman)
    r.add(10)
    r.add(20, "service_session", "SEMUJERES")
    r.add(60)
    r.add(200, "medical_attention", "SEDESA")
    r.add(400)
    r.add(-5)  # after "now": not yet

    ind = file_indicators(woman.pk, now=NOW)

    assert ind.counts == {30: 2, 90: 3, 365: 4}
    assert ind.counts_by_agency["C5"] == {30: 1, 90: 2, 365: 2}
    assert ind.counts_by_agency["SEDESA"] == {30: 0, 90: 0, 365: 1}
    assert "C5" in ind.counts_by_agency and len(ind.counts_by_agency) == 3


def test_more_episodes_in_the_last_90_days_than_before_is_escalation(woman: Person) -> None:
    r = Records(woman)
    before = r.add(150)
    recent = [r.add(80), r.add(40), r.add(5)]
    r.add(4, "police_intervention", "SSC")  # same night as the 911 call: one episode
    r.add(1, "followup_call", "LINEA")  # an attention, not an incident

    ind = file_indicators(woman.pk, now=NOW).get("escalation_frequency")

    assert ind.present is True and ind.count == 3
    assert ind.evidence == (before.pk, *(x.pk for x in recent))


def test_shrinking_gaps_between_episodes_is_escalation(woman: Person) -> None:
    r = Records(woman)
    for days in (700, 500, 300):
        r.add(days)
    steady = file_indicators(woman.pk, now=NOW).get("escalation_frequency")
    last = r.add(260)  # gap of 40 days after gaps of 200

    shrinking = file_indicators(woman.pk, now=NOW).get("escalation_frequency")

    assert steady.present is False
    assert shrinking.present is True and shrinking.evidence[-1] == last.pk


def test_physical_violence_after_only_psychological_is_more_severe(woman: Person) -> None:
    r = Records(woman)
    first = r.add(300, types=("psicologica",))
    r.add(200, types=("psicologica", "economica"))
    assert file_indicators(woman.pk, now=NOW).get("escalation_severity").present is False
    hit = r.add(100, types=("fisica",))
    armed = r.add(50, types=("fisica",), weapons=("arma_blanca",))
    r.add(20, types=("fisica",))  # not higher than before: no new rise

    ind = file_indicators(woman.pk, now=NOW).get("escalation_severity")

    assert ind.present is True
    assert ind.evidence == (first.pk, hit.pk, armed.pk)
    assert ind.count == 4  # the highest severity reached (weapons)


def test_feminicidal_modality_is_the_gravest(woman: Person) -> None:
    r = Records(woman)
    r.add(100, types=("sexual",))
    grave = r.add(10, modalities=("feminicida",))
    ind = file_indicators(woman.pk, now=NOW).get("escalation_severity")
    assert ind.present is True and ind.evidence[-1] == grave.pk and ind.count == 5


def test_an_incident_while_an_order_is_in_force_is_a_breach(catalogs: None) -> None:
    woman, him, other = (
        _person(),
        _person(PersonKind.AGGRESSOR, "Beto"),
        _person(PersonKind.AGGRESSOR, "Carlos"),
    )
    r = Records(woman, him)
    r.add(100)  # the incident that led to the order
    order = r.add(99, "protection_order", "FGJ", details={"order_valid_until": "2026-04-30"})
    r.add(98.5, "medical_attention", "SEDESA")  # same incident, within the day of grace
    r.add(60, aggressor=other)  # another man: not a breach of his order
    breach = r.add(50)
    r.add(10)  # after the order expired

    ind = file_indicators(woman.pk, now=NOW).get("order_breach")

    assert ind.present is True and ind.count == 1
    assert ind.evidence == (order.pk, breach.pk)


def test_an_order_without_an_end_lasts_60_days_and_a_flag_is_a_breach(woman: Person) -> None:
    r = Records(woman)
    r.add(100, "protection_order", "FGJ")
    assert file_indicators(woman.pk, now=NOW).get("order_breach").present is False
    r.add(30)  # 70 days after the order: out of its default validity
    assert file_indicators(woman.pk, now=NOW).get("order_breach").present is False
    flagged = r.add(5, "followup_call", "LINEA", details={"order_breach": True})

    ind = file_indicators(woman.pk, now=NOW).get("order_breach")

    assert ind.present is True and ind.evidence == (flagged.pk,)


def test_a_complaint_counts_from_its_facts_date(woman: Person) -> None:
    r = Records(woman)
    order = r.add(100, "protection_order", "FGJ")
    late = r.add(90, "complaint", "FGJ", details={"facts_date": "2026-02-20"})  # before it
    assert file_indicators(woman.pk, now=NOW).get("order_breach").present is False
    late.details = {"facts_date": "2026-03-10"}
    late.save()
    assert file_indicators(woman.pk, now=NOW).get("order_breach").evidence == (order.pk, late.pk)


def test_weapons_on_records_naming_her_aggressor_and_other_women(catalogs: None) -> None:
    woman, him, second = _person(), _person(PersonKind.AGGRESSOR, "Beto"), _person(name="Eva")
    r = Records(woman, him)
    r.add(30)
    quiet = file_indicators(woman.pk, now=NOW)
    assert quiet.get("weapons").present is False and quiet.get("other_women").present is False

    elsewhere = r.add(20, weapons=("arma_fuego",), woman=second)  # he, with another woman
    r.add(15, woman=_person(name="Flor"), aggressor=_person(PersonKind.AGGRESSOR, "Otro"))

    ind = file_indicators(woman.pk, now=NOW)

    assert ind.get("weapons").present is True and ind.get("weapons").evidence == (elsewhere.pk,)
    linked = ind.get("other_women")
    assert linked.present is True and linked.count == 1 and linked.evidence == (elsewhere.pk,)
    assert "weapons" in ind.factors()


def test_children_at_home_is_unknown_unless_a_record_states_it(woman: Person) -> None:
    r = Records(woman)
    r.add(30)
    assert file_indicators(woman.pk, now=NOW).get("children_at_home").present is None
    said = r.add(20, "service_session", "SEMUJERES", details={"children_at_home": 2})
    ind = file_indicators(woman.pk, now=NOW).get("children_at_home")
    assert ind.present is True and ind.evidence == (said.pk,)
    r.add(10, "service_session", "SEMUJERES", details={"children_at_home": False})
    assert file_indicators(woman.pk, now=NOW).get("children_at_home").present is False


def test_vicarious_and_sexual_violence_give_plan_factors(woman: Person) -> None:
    r = Records(woman)
    vicaria = r.add(30, types=("vicaria",))
    r.add(20, types=("sexual",))
    ind = file_indicators(woman.pk, now=NOW)
    assert ind.get("vicarious_violence").evidence == (vicaria.pk,)
    assert {"children", "sexual_violence", "escalation"} <= ind.factors()


def test_a_merged_file_is_read_as_the_file_it_went_into(woman: Person) -> None:
    Records(woman).add(10)
    absorbed = _person(name="Ana M.")
    absorbed.merged_into = woman
    absorbed.save()
    assert file_indicators(absorbed.pk, now=NOW).person_id == woman.pk


def test_rows_link_only_to_records_on_the_page(catalogs: None) -> None:
    woman, him, second = _person(), _person(PersonKind.AGGRESSOR, "Beto"), _person(name="Eva")
    r = Records(woman, him)
    mine = r.add(20, weapons=("objeto",))
    theirs = r.add(10, weapons=("arma_fuego",), woman=second)
    rows = {x.code: x for x in indicator_rows(file_indicators(woman.pk, now=NOW), {mine.pk})}
    assert rows["weapons"].visible == (mine.pk,) and rows["weapons"].hidden == 1
    assert theirs.pk not in rows["other_women"].visible and rows["other_women"].hidden == 1


def test_her_file_page_shows_the_indicators_without_other_womens_records(
    make_user: Callable[..., User],
) -> None:
    from django.conf import settings

    woman, him, second = _person(), _person(PersonKind.AGGRESSOR, "Beto"), _person(name="Eva")
    r = Records(woman, him)
    mine = r.add(20, "service_session", "SEMUJERES", weapons=("objeto",))
    theirs = r.add(10, weapons=("arma_fuego",), woman=second)
    client = login_verified(Client(), make_user("caseworker"))
    apps_with_risk = [*settings.INSTALLED_APPS]
    if "violeta.risk" not in apps_with_risk:  # its own app registers it; this test needs it
        apps_with_risk.append("violeta.risk")

    with override_settings(INSTALLED_APPS=apps_with_risk):
        page = client.get(reverse("records:person_file", args=[woman.pk])).content.decode()

    assert 'id="indicators"' in page and 'id="indicator-weapons"' in page
    assert f'href="#record-{mine.pk}"' in page and f'id="record-{mine.pk}"' in page
    assert f"#record-{theirs.pk}" not in page
    assert "Eva" not in page


def test_a_breach_registered_by_the_police_is_a_breach(woman: Person) -> None:
    r = Records(woman)
    r.add(100, "protection_order", "FGJ")
    r.add(30)  # out of the order's default validity: not one by date
    registered = r.add(5, "police_intervention", "SSC", details={"event": "order_breach"})

    ind = file_indicators(woman.pk, now=NOW).get("order_breach")

    assert ind.present is True and ind.evidence == (registered.pk,)
