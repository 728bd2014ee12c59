"""The national registry's incident file: rows, order links, period, schema, command, page."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from frictionless import Report, Resource, Schema

from conftest import login_verified
from violeta.agencies.models import User
from violeta.audit.models import AuditEntry
from violeta.exports.banavim import SCHEMA_PATH, banavim_rows, columns
from violeta.exports.period import Period
from violeta.exports.tests.helpers import ORDER, OTHER_WOMAN, register

pytestmark = pytest.mark.django_db
MARCH = Period(dt.date(2025, 3, 1), dt.date(2025, 3, 31))
SPRING = Period(dt.date(2025, 3, 1), dt.date(2025, 5, 31))
IDENTITIES = ("Guadalupe", "Hernández", "HELG900215MDFRPD07", "55 1234 5678", "Calle Pino",
              "Ramírez", "Rosario", "Castañeda", "refiere golpes")  # fmt: skip


def _validate(path: Path) -> Report:
    """Frictionless refuses absolute paths unless given the folder as base path."""
    schema = Schema.from_descriptor(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    return Resource(path=path.name, basepath=str(path.parent), schema=schema).validate()


@pytest.fixture
def incidents(catalogs: None) -> dict[str, int]:
    """Her night of 1 March 2025 (911 call, complaint, then an order), a session after it (not
    an incident) and a 911 call in May; another woman's police intervention in April."""
    made = {
        "call": register("C5-1", "C5", "emergency_call", occurred_at="2025-03-01T10:30:00"),
        "complaint": register("CI-1", "FGJ", "complaint", occurred_at="2025-03-01T14:00:00"),
        "order": register(
            "OP-1", "FGJ", "protection_order", occurred_at="2025-03-01T16:00:00", details=ORDER
        ),
        "session": register("S-1", "SEMUJERES", "service_session", occurred_at="2025-03-05T10:00"),
        "may": register("C5-2", "C5", "emergency_call", occurred_at="2025-05-20T22:00:00"),
        "other": register(
            "SSC-1",
            "SSC",
            "police_intervention",
            occurred_at="2025-04-10T09:00:00",
            victim=OTHER_WOMAN,
            relationship="expareja",
        ),
    }
    return {name: outcome.record.pk for name, outcome in made.items()}


def test_one_row_per_incident_in_the_period_with_the_order_linked_to_the_complaint(
    incidents: dict[str, int],
) -> None:
    rows = list(banavim_rows(MARCH))

    assert [r["incident_id"] for r in rows] == [incidents["call"], incidents["complaint"]]
    call, complaint = rows
    assert complaint["protection_order_granted"] is True and complaint["protection_orders"] == 1
    assert complaint["order_record_ids"] == str(incidents["order"])
    assert complaint["order_types"] == "administrativa"
    assert complaint["order_measures"] == "no_acercarse;vigilancia_policial"
    assert (complaint["order_valid_from"], complaint["order_valid_until"]) == (
        "2025-03-01",
        "2025-04-29",
    )
    assert call["protection_order_granted"] is False and call["order_record_ids"] == ""
    assert call["incident_date"] == "2025-03-01" and call["agency"] == "C5"
    assert call["victim_age"] == 35 and call["victim_sex"] == "M"
    assert call["victim_alcaldia"] == "09007" and call["incident_alcaldia"] == "09007"
    assert call["aggressor_known"] is True and call["aggressor_sex"] == "H"
    assert call["relationship"] == "pareja" and call["violence_types"] == "fisica;psicologica"
    assert call["victim_id"] == complaint["victim_id"]  # one pseudonym per woman
    assert set(call) == set(columns())


def test_the_period_filters_by_day_and_the_counts_follow(incidents: dict[str, int]) -> None:
    spring = list(banavim_rows(SPRING))
    april = list(banavim_rows(Period(dt.date(2025, 4, 1), dt.date(2025, 4, 30))))
    may_only = list(banavim_rows(Period(dt.date(2025, 5, 20), dt.date(2025, 5, 20))))

    assert len(spring) == 4 and sum(r["protection_orders"] for r in spring) == 1
    assert incidents["session"] not in {r["incident_id"] for r in spring}  # not an incident
    assert [r["incident_id"] for r in april] == [incidents["other"]]
    assert april[0]["relationship"] == "expareja" and april[0]["victim_age"] == 39
    assert [r["incident_id"] for r in may_only] == [incidents["may"]]
    assert may_only[0]["protection_order_granted"] is False  # the March order is not May's
    assert list(banavim_rows(Period(dt.date(2025, 6, 1), dt.date(2025, 6, 30)))) == []


def test_an_order_follows_the_complaint_with_its_carpeta_even_in_another_file(
    catalogs: None,
) -> None:
    carpeta = {"carpeta": "CI-FIDVF/014/UI-3 C/D/00002/03-2025"}
    complaint = register(
        "CI-7", "FGJ", "complaint", occurred_at="2025-03-10T12:00", details=carpeta
    )
    call = register("C5-7", "C5", "emergency_call", occurred_at="2025-03-10T14:00")
    hers = register(
        "OP-7", "FGJ", "protection_order", occurred_at="2025-03-10T15:00",
        details={**ORDER, **carpeta},
    )  # fmt: skip
    unlinked = register(
        "OP-8", "FGJ", "protection_order", occurred_at="2025-03-10T16:00",
        details={**ORDER, **carpeta}, victim={"curp": "", "given_names": "Sin",
        "first_surname": "Registro", "second_surname": "", "birth_date": "", "phone": ""},
    )  # fmt: skip
    assert unlinked.victim.pk != hers.victim.pk  # linkage has not joined this one (yet)

    rows = {
        r["incident_id"]: r
        for r in banavim_rows(Period(dt.date(2025, 3, 10), dt.date(2025, 3, 10)))
    }

    linked = f"{hers.record.pk};{unlinked.record.pk}"
    assert rows[complaint.record.pk]["order_record_ids"] == linked
    assert rows[call.record.pk]["protection_orders"] == 0  # later, but not the carpeta's


def test_the_command_writes_a_csv_that_the_frictionless_schema_validates(
    incidents: dict[str, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "banavim.csv"

    call_command("export_banavim", "--from", "2025-03-01", "--to", "2025-05-31", "--out", str(out))

    text = out.read_text(encoding="utf-8")
    assert not text.startswith("\ufeff") and text.splitlines()[0] == ",".join(columns())
    assert len(list(csv.DictReader(io.StringIO(text)))) == 4
    assert all(name not in text for name in IDENTITIES)
    assert "rows=4" in capsys.readouterr().err
    report = _validate(out)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert not list(tmp_path.glob("*.partial"))
    entry = AuditEntry.objects.get(subject_type="national_registry")
    assert entry.subject_id == "2025-03-01/2025-05-31" and entry.details["format"] == "csv"


def test_the_schema_has_teeth_a_wrong_value_fails_validation(
    incidents: dict[str, int], tmp_path: Path
) -> None:
    out = tmp_path / "banavim.csv"
    call_command("export_banavim", "--from", "2025-03-01", "--to", "2025-03-31", "--out", str(out))
    broken = tmp_path / "broken.csv"
    broken.write_text(out.read_text(encoding="utf-8").replace(",pareja,", ",vecino,"))

    report = _validate(broken)

    assert not report.valid
    assert {e[1] for e in report.flatten(["rowNumber", "fieldName"])} == {"relationship"}


def test_the_command_writes_json_with_typed_values(
    incidents: dict[str, int], tmp_path: Path
) -> None:
    out = tmp_path / "banavim.json"
    call_command(
        "export_banavim", "--from", "2025-03-01", "--to", "2025-03-31", "--format", "json",
        "--out", str(out),
    )  # fmt: skip

    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["schema"] == "violeta-banavim-incidentes" and data["schema_version"] == "1.0"
    assert data["period"] == {"from": "2025-03-01", "to": "2025-03-31"}
    assert [r["protection_order_granted"] for r in data["rows"]] == [False, True]
    assert data["rows"][0]["order_valid_from"] is None and data["rows"][0]["victim_age"] == 35


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2025-03-31", "2025-03-01", "El primer día (2025-03-31) es posterior al último día"),
        ("2025-13-01", "2025-03-01", "Primer día: «2025-13-01» no es una fecha (AAAA-MM-DD)."),
        ("2025-03-01", "marzo", "Último día: «marzo» no es una fecha"),
        ("2025-03-01", "2999-01-01", "El último día (2999-01-01) está en el futuro"),
    ],
)
def test_a_bad_period_is_a_clear_spanish_error_and_nothing_is_written(
    catalogs: None, tmp_path: Path, start: str, end: str, message: str
) -> None:
    out = tmp_path / "x.csv"
    with pytest.raises(CommandError) as error:
        call_command("export_banavim", "--from", start, "--to", end, "--out", str(out))
    assert message in str(error.value)
    assert not out.exists() and not AuditEntry.objects.filter(action="export").exists()


def test_an_analyst_downloads_it_from_the_page_streamed_and_audited(
    make_user: Callable[..., User], incidents: dict[str, int]
) -> None:
    client = login_verified(Client(), make_user("analyst", None))
    url = reverse("exports:banavim")
    assert client.get(url).status_code == 200

    response = client.post(url, {"date_from": "2025-03-01", "date_to": "2025-05-31", "fmt": "csv"})

    assert response.status_code == 200 and response.streaming
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"] == 'attachment; filename="banavim-20250301-20250531.csv"'
    text = b"".join(response.streaming_content).decode()  # type: ignore[arg-type]
    assert len(text.strip().splitlines()) == 5
    entry = AuditEntry.objects.get(subject_type="national_registry")
    assert entry.actor_label == "none.analyst" and entry.details["format"] == "csv"


def test_a_bad_period_on_the_page_says_what_is_wrong(
    make_user: Callable[..., User], catalogs: None
) -> None:
    client = login_verified(Client(), make_user("supervisor"))
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()

    response = client.post(
        reverse("exports:banavim"), {"date_from": "2025-03-01", "date_to": tomorrow, "fmt": "csv"}
    )

    assert response.status_code == 200 and not response.streaming
    assert f"El último día ({tomorrow}) está en el futuro" in response.content.decode()
    assert not AuditEntry.objects.filter(action="export").exists()


@pytest.mark.parametrize(
    ("role", "agency"),
    [("operator", "C5"), ("caseworker", "SEMUJERES"), ("administrator", None), ("auditor", None)],
)
def test_other_roles_may_not_export_it(
    make_user: Callable[..., User], catalogs: None, role: str, agency: str | None
) -> None:
    client = login_verified(Client(), make_user(role, agency))
    url = reverse("exports:banavim")
    assert client.get(url).status_code == 403
    form = {"date_from": "2025-03-01", "date_to": "2025-03-31", "fmt": "csv"}
    assert client.post(url, form).status_code == 403
    assert not AuditEntry.objects.filter(action="export").exists()


def test_the_queries_do_not_grow_with_the_rows(incidents: dict[str, int]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as march:
        assert len(list(banavim_rows(MARCH))) == 2
    for n in range(20):
        register(f"C5-x{n}", "C5", "emergency_call", occurred_at=f"2025-05-{n + 1:02d}T08:00:00")
    with CaptureQueriesContext(connection) as spring:
        assert len(list(banavim_rows(SPRING))) == 24

    assert len(spring) == len(march)
