"""The public pages: no login, bad input, the threshold, freshness and nothing personal."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from violeta.agencies.models import Agency
from violeta.catalogs.models import Alcaldia, Modality, RecordKind, ViolenceType
from violeta.observatory.models import Figure, Release
from violeta.observatory.services import observatory_refresh
from violeta.people.identity import IdentityInput
from violeta.records.choices import PartyRole, RecordSource
from violeta.records.models import AgencyRecord, ReportedIdentity
from violeta.records.services import record_register
from violeta.records.validation import PartyInput, RecordInput

pytestmark = pytest.mark.django_db


def _register(number: int, *, when: dt.datetime, alcaldia: str = "09015") -> None:
    record_register(
        actor=None,
        source=RecordSource.API,
        new_victim=True,
        data=RecordInput(
            agency=Agency.objects.get(code="SEMUJERES"),
            agency_record_id=f"OBS-{number}",
            kind=RecordKind.objects.get(code="service_session"),
            occurred_at=when,
            alcaldia=Alcaldia.objects.get(inegi_code=alcaldia),
            colonia="Colonia Secreta Tepito",
            violence_types=[ViolenceType.objects.get(code="psicologica")],
            modalities=[Modality.objects.get(code="familiar")],
            relationship="",
            weapons=[],
            risk_level="",
            narrative="Relato confidencial de prueba",
            details={},
            victim=PartyInput(
                IdentityInput(given_names=f"Zenaida{number}", first_surname="Quetzalli"), age=31
            ),
            aggressor=None,
        ),
    )


def test_public_without_login_in_spanish_before_any_release(catalogs: None) -> None:
    response = Client().get("/observatorio/")
    assert response.status_code == 200
    assert "aún no ha publicado cifras" in response.content.decode()


def test_a_record_registered_now_shows_after_the_next_refresh(catalogs: None) -> None:
    now = timezone.now()
    for n in range(6):
        _register(n, when=now - dt.timedelta(minutes=5))
    first = observatory_refresh(k=5)
    assert Figure.objects.get(release=first, key="total").women == 6
    for n in range(6, 12):
        _register(n, when=now - dt.timedelta(minutes=1))
    second = observatory_refresh(k=5)
    third = observatory_refresh(k=5)
    # nothing changed: the current release is kept (checked again), not copied
    assert third.pk == second.pk and third.checked_at and third.checked_at >= second.created_at
    # every release stays in the public history; the replaced one keeps its figures for pages
    # still reading it, older ones only their metadata
    assert list(Release.objects.order_by("pk").values_list("pk", "is_current")) == [
        (first.pk, False),
        (second.pk, True),
    ]
    assert Figure.objects.filter(release=first).exists()
    assert Figure.objects.get(release=second, key="total").records == 12
    page = Client().get("/observatorio/").content.decode()
    assert "(preliminar)" in page  # the current month is flagged


def test_the_command_takes_k_from_settings_or_the_option(catalogs: None, settings) -> None:
    for n in range(7):
        _register(n, when=timezone.now() - dt.timedelta(hours=1))
    settings.OBSERVATORY_K = 8
    out = io.StringIO()
    call_command("observatory_refresh", stdout=out)
    assert "k=8" in out.getvalue()
    assert (
        Figure.objects.get(release__is_current=True, key="total").women is None
    )  # 7 women < 8: hidden
    call_command("observatory", "refresh", "--k", "5", stdout=out)  # the subcommand form
    assert Figure.objects.get(release__is_current=True, key="total").women == 7
    with pytest.raises(CommandError, match="--k"):
        call_command("observatory", "refresh", "--k", "0", stdout=out)


@pytest.mark.parametrize(
    "query, message",
    [
        ("?desde=2025-13", "no es un mes"),
        ("?desde=abc&hasta=2025-01", "no es un mes"),
        ("?desde=2026-05&hasta=2025-01", "empieza después de terminar"),
        ("?alcaldia=99999", "No existe “99999” en “alcaldia”"),
        ("?tipo=%3Cscript%3E", "No existe “&lt;script&gt;” en “tipo”"),
        ("?alcaldia=%00", "No existe"),
        ("?tipo=" + "x" * 5000, "No existe “" + "x" * 40 + "” en “tipo”"),
        ("?desde=2025-01&desde=1999-99", "“1999-99” en “desde” no es un mes"),
        ("?desde=9999-01", ""),
        ("?desde=0001-01&hasta=0001-02", ""),
    ],
)
def test_bad_filters_give_a_clear_message_and_no_figures(
    catalogs: None, query: str, message: str
) -> None:
    for n in range(6):
        _register(n, when=timezone.now() - dt.timedelta(hours=1))
    observatory_refresh(k=5)
    response = Client().get("/observatorio/" + query)
    html = response.content.decode()
    assert response.status_code in (200, 400)
    if message:
        assert response.status_code == 400 and message in html
        assert "No hay resultados para estos filtros" in html and "<table" not in html
        assert Client().get("/observatorio/month.csv" + query).status_code == 400
    else:  # a valid but empty period: labelled tables without months
        assert response.status_code == 200 and "No hay meses en este periodo" in html
    assert Client().get("/observatorio/no-such-table.csv").status_code == 404


def test_english_is_complete_and_tables_are_accessible(catalogs: None) -> None:
    for n in range(6):
        _register(n, when=timezone.now() - dt.timedelta(hours=1))
    observatory_refresh(k=5)
    client = Client()
    client.cookies["django_language"] = "en"
    html = client.get("/observatorio/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Records by month and type of violence" in html
    assert "Alerts raised by month and level (counts only)" in html
    assert '<th scope="col">' in html and '<th scope="row">' in html and "<caption>" in html


def test_no_name_narrative_or_colonia_is_ever_published(synthetic: Path) -> None:
    observatory_refresh(k=5)
    client = Client()
    outputs = []
    for language in ("es-mx", "en"):
        client.cookies["django_language"] = language
        page = client.get("/observatorio/?alcaldia=09007&tipo=fisica")
        outputs.append(page.content.decode())
        for table in page.context["tables"]:
            outputs.append(
                client.get(
                    f"/observatorio/{table.slug}.csv?alcaldia=09007&tipo=fisica"
                ).content.decode()
            )
    text = "\n".join(outputs)
    identities = ReportedIdentity.objects.filter(role=PartyRole.VICTIM)[:300]
    names = {i.full_name for i in identities if len(i.full_name) > 8}
    narratives = {r.narrative for r in AgencyRecord.objects.all()[:300] if len(r.narrative) > 15}
    colonias = {r.colonia for r in AgencyRecord.objects.all()[:300] if len(r.colonia) > 5}
    assert names and narratives and colonias
    assert not [n for n in names if n in text]
    assert not [n for n in narratives if n in text]
    assert not [c for c in colonias if f">{c}<" in text or f"\n{c}," in text]


@pytest.mark.django_db(transaction=True)  # the worker closes stale connections between rounds
def test_the_worker_can_refresh_the_observatory(catalogs: None, monkeypatch) -> None:
    from violeta.delivery.management.commands import worker

    def stop(**_: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(worker, "run_once", stop)
    _register(1, when=timezone.now() - dt.timedelta(hours=1))
    with pytest.raises(KeyboardInterrupt):
        call_command("worker", "--observatory-every", "300")
    assert Release.objects.filter(is_current=True).count() == 1


def test_open_data_lists_every_published_figure_with_its_dictionary(catalogs: None) -> None:
    client = Client()
    assert client.get("/observatorio/datos/cifras.csv").status_code == 404  # nothing yet
    for n in range(6):
        _register(n, when=timezone.now() - dt.timedelta(hours=1))
    release = observatory_refresh(k=5)
    rows = list(csv.DictReader(io.StringIO(client.get("/observatorio/datos/cifras.csv").text)))
    assert len(rows) == release.figures.count()
    by_key = {r["clave"]: r for r in rows}
    assert by_key["total"]["registros"] == "6" and by_key["total"]["mujeres"] == "6"
    assert by_key["cell|month|type|" + release.last_month + "|fisica"]["registros"] == ""
    assert all(r["mujeres"] == "" or int(r["mujeres"]) >= 5 for r in rows)
    package = client.get("/observatorio/datos/datapackage.json").json()
    fields = [f["name"] for f in package["resources"][0]["schema"]["fields"]]
    assert fields == list(rows[0]) and package["violeta"]["k"] == 5
    dictionary = list(
        csv.reader(io.StringIO(client.get("/observatorio/datos/diccionario.csv").text))
    )
    assert [r[0] for r in dictionary[1:]] == fields
    api = client.get("/observatorio/datos/cifras.json").json()
    assert api["k"] == 5 and len(api["cifras"]) == len(rows)
    assert "Colonia Secreta" not in str(api) and "Zenaida" not in str(api)


def test_without_boundaries_the_map_is_a_tile_grid_of_the_16_alcaldias(synthetic: Path) -> None:
    release = observatory_refresh(k=5)
    response = Client().get("/observatorio/")
    tiles = response.context["tiles"]
    assert len(tiles) == 16 and len({(t.row, t.column) for t in tiles}) == 16
    published = {f.key: f.records for f in release.figures.filter(key__startswith="alcaldia|")}
    for tile in tiles:  # the tiles show the published totals, hidden ones as hidden
        assert tile.records == published[f"alcaldia|{tile.code}"]
        assert (tile.shade == "hidden") == (tile.records is None)
    shown = [t for t in tiles if t.records is not None]
    assert len(shown) >= 8
    biggest = max(shown, key=lambda t: t.records or 0)
    html = response.content.decode()
    assert f'c{biggest.column} {biggest.shade}"><span class="name">{biggest.name}</span>' in html
    assert Client().get("/observatorio/?desde=nada").context["tiles"] == []
