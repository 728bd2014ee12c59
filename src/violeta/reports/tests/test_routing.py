"""Routing rules: danger first, then type and alcaldía, then the default."""

from __future__ import annotations

from violeta.agencies.models import Agency
from violeta.reports.routing import reason_label, report_route, routing_rules


def test_immediate_danger_goes_to_the_police_whatever_the_type() -> None:
    route = report_route(type_codes=["sexual"], alcaldia_code="09007", immediate_danger=True)
    assert (route.agency_code, route.reason) == ("SSC", "immediate_danger")


def test_sexual_violence_goes_to_health_first() -> None:
    route = report_route(type_codes=["psicologica", "sexual"], alcaldia_code="09015")
    assert (route.agency_code, route.reason) == ("SEDESA", "sexual_violence_health_first")


def test_a_rule_on_type_and_alcaldia_needs_both() -> None:
    assert report_route(type_codes=["fisica"], alcaldia_code="09007").agency_code == "LINEA"
    assert report_route(type_codes=["fisica"], alcaldia_code="09015").agency_code == "SEMUJERES"
    assert report_route(type_codes=["economica"], alcaldia_code="09007").agency_code == "SEMUJERES"


def test_nothing_known_goes_to_the_default_womens_services() -> None:
    route = report_route(type_codes=[])
    assert (route.agency_code, route.reason) == ("SEMUJERES", "default_womens_services")


def test_rules_given_as_data_are_tried_in_order() -> None:
    rules = {
        "default": {"agency": "SEMUJERES", "reason": "d"},
        "rules": [
            {"alcaldias": ["09009"], "agency": "FGJ", "reason": "first"},
            {"types": ["vicaria"], "agency": "LINEA", "reason": "second"},
        ],
    }
    route = report_route(type_codes=["vicaria"], alcaldia_code="09009", rules=rules)
    assert route.reason == "first"
    route = report_route(type_codes=["vicaria"], alcaldia_code="09010", rules=rules)
    assert route.reason == "second"


def test_every_agency_in_the_rules_file_exists_and_every_reason_has_a_label(
    catalogs: None,
) -> None:
    data = routing_rules()
    codes = {data["default"]["agency"]} | {r["agency"] for r in data["rules"]}
    assert codes <= set(Agency.objects.values_list("code", flat=True))
    for reason in [data["default"]["reason"]] + [r["reason"] for r in data["rules"]]:
        assert reason_label(reason) != reason


def test_the_demo_reports_are_made_once_along_each_routing_path(catalogs: None) -> None:
    from violeta.reports.demo import demo_public_reports
    from violeta.reports.models import PublicReport

    made = demo_public_reports()
    assert len(made) == 4 and demo_public_reports() == []
    agencies = set(PublicReport.objects.values_list("agency__code", flat=True))
    assert agencies == {"SSC", "SEDESA", "LINEA", "SEMUJERES"}
