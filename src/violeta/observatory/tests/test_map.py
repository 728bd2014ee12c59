"""The map of the alcaldías: loading INEGI's boundaries, bad files, and the SVG choropleth."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import shapely
from django.core.management import CommandError, call_command
from django.test import Client
from shapely.geometry import shape

from conftest import shared_data
from violeta.catalogs.models import Alcaldia
from violeta.observatory.boundaries import boundaries_load
from violeta.observatory.models import Boundary, BoundarySet, Release
from violeta.observatory.services import observatory_refresh

pytestmark = pytest.mark.django_db

GEO = shared_data() / "geo"
ATTRIBUTION = "Fuente: INEGI, Marco Geoestadístico 2023"


def _inegi(name: str = "cdmx_alcaldias_inegi_mg2023.geojson") -> Path:
    path = GEO / name
    if not path.exists():
        pytest.fail(f"The INEGI boundaries are needed for this test and are not at {path}")
    return path


@pytest.fixture
def inegi() -> Path:
    return _inegi()


@pytest.fixture
def small() -> dict[str, Any]:
    """The simplified INEGI file as data, for making bad copies of it quickly."""
    data: dict[str, Any] = json.loads(
        _inegi("cdmx_alcaldias_inegi_mg2023_simplified.geojson").read_text()
    )
    return data


def test_loads_the_16_alcaldias_from_inegis_file(catalogs: None, inegi: Path) -> None:
    call_command("observatory", "boundaries", str(inegi), "--attribution", ATTRIBUTION)
    loaded = BoundarySet.objects.get()
    assert loaded.source == inegi.name and loaded.attribution == ATTRIBUTION
    assert loaded.width == 600 and 700 < loaded.height < 900  # the city is taller than wide
    boundaries = list(loaded.boundaries.select_related("alcaldia"))
    codes = {b.alcaldia.inegi_code for b in boundaries}
    assert codes == set(Alcaldia.objects.values_list("inegi_code", flat=True)) and len(codes) == 16
    source = {
        f["properties"]["cve_geo"]: shape(f["geometry"])
        for f in json.loads(inegi.read_text())["features"]
    }
    stored = {b.alcaldia.inegi_code: shape(b.geometry) for b in boundaries}
    points = sum(shapely.get_num_coordinates(list(stored.values())))
    assert 1000 < points < 17428 / 4  # simplified: a fraction of the 17,428 points of the file
    for code, geometry in stored.items():  # each keeps its shape and place
        assert geometry.is_valid and geometry.geom_type in ("Polygon", "MultiPolygon")
        assert abs(geometry.area - source[code].area) / source[code].area < 0.01
        assert geometry.representative_point().within(source[code].buffer(0.002))
    # simplified as a coverage: neighbours still meet, no gaps or overlaps appear
    union = shapely.union_all(list(stored.values()))
    assert abs(union.area - sum(g.area for g in stored.values())) / union.area < 1e-4
    for boundary in boundaries:  # SVG paths inside the viewBox
        assert re.fullmatch(r"(M[\d. L]+Z)+", boundary.svg_path)
        numbers = [float(n) for n in re.findall(r"[\d.]+", boundary.svg_path)]
        assert min(numbers) >= 0 and max(numbers) <= loaded.height
    assert sum(len(b.svg_path) for b in boundaries) < 60_000  # light enough for a phone


def test_a_reload_replaces_the_set_whole_and_names_its_source_by_default(
    catalogs: None, inegi: Path, tmp_path: Path, small: dict[str, Any]
) -> None:
    boundaries_load(inegi, attribution=ATTRIBUTION)
    other = tmp_path / "limites.geojson"
    for feature in small["features"]:  # the upper-case INEGI property name is found too
        feature["properties"]["CVEGEO"] = feature["properties"].pop("cve_geo")
    other.write_text(json.dumps(small))
    call_command("observatory", "boundaries", str(other))
    loaded = BoundarySet.objects.get()
    assert loaded.source == "limites.geojson" and loaded.attribution == "Fuente: limites.geojson"
    assert (
        Boundary.objects.count() == 16
        and Boundary.objects.get(alcaldia__inegi_code="09007").boundary_set_id == loaded.pk
    )


def _drop(code: str) -> Any:
    def change(data: dict[str, Any]) -> None:
        data["features"] = [f for f in data["features"] if f["properties"]["cve_geo"] != code]

    return change


def _set(index: int, path: str, value: object) -> Any:
    def change(data: dict[str, Any]) -> None:
        target = data["features"][index]
        *parents, last = path.split(".")
        for part in parents:
            target = target[part]
        if value is KeyError:
            del target[last]
        else:
            target[last] = value

    return change


def _duplicate(data: dict[str, Any]) -> None:
    data["features"][4]["properties"]["cve_geo"] = data["features"][1]["properties"]["cve_geo"]


def _metres(data: dict[str, Any]) -> None:  # INEGI's own Lambert projection, in metres
    ring = data["features"][6]["geometry"]["coordinates"][0]
    data["features"][6]["geometry"]["coordinates"][0] = [[x * 30000, y * 30000] for x, y in ring]


def _rename(data: dict[str, Any]) -> None:
    for feature in data["features"]:
        feature["properties"]["clave"] = feature["properties"].pop("cve_geo")


@pytest.mark.parametrize(
    "change, message",
    [
        ("{not json", "malo.geojson: no es JSON válido (línea 1, columna 2"),
        (
            {"type": "Feature"},
            "malo.geojson: no es una FeatureCollection de GeoJSON (type = «Feature»)",
        ),
        ([1, 2], "no es una FeatureCollection de GeoJSON (type = «list»)"),
        ({"type": "FeatureCollection", "features": []}, "no tiene elementos"),
        (
            _set(3, "properties.cve_geo", KeyError),
            "malo.geojson, features[3], propiedad «cve_geo»: falta el código",
        ),
        (
            _set(3, "properties.cve_geo", ""),
            "features[3], propiedad «cve_geo»: el código de alcaldía está vacío",
        ),
        (
            _set(5, "geometry", {"type": "Point", "coordinates": [-99.1, 19.4]}),
            "malo.geojson, features[5], geometry: el tipo es «Point»; "
            "se esperaba Polygon o MultiPolygon",
        ),
        (_set(5, "geometry", None), "features[5], geometry: el tipo es «None»"),
        (
            _set(5, "geometry.coordinates", [[1, 2]]),
            "features[5], geometry: coordenadas no válidas",
        ),
        (
            _set(2, "properties.cve_geo", "09999"),
            "features[2], propiedad «cve_geo»: «09999» no es el código INEGI de "
            "una alcaldía del catálogo",
        ),
        (_set(2, "properties.cve_geo", "15001"), "«15001» no es el código INEGI"),
        (
            _duplicate,
            "features[4], propiedad «cve_geo»: «09003» se repite (también en features[1])",
        ),
        (_drop("09007"), "malo.geojson: faltan alcaldías del catálogo: 09007 Iztapalapa"),
        (_metres, "features[6], geometry: las coordenadas no son longitud/latitud WGS84"),
        (
            _rename,
            "features[0]: ningún elemento tiene propiedad de código (cve_geo, CVEGEO, cvegeo); "
            "indique cuál con --code-property",
        ),
        (_set(0, "type", "Topology"), "features[0]: no es un Feature de GeoJSON"),
    ],
)
def test_a_bad_file_is_named_with_its_feature_and_property_and_changes_nothing(
    catalogs: None, small: dict[str, Any], tmp_path: Path, change: Any, message: str
) -> None:
    previous = boundaries_load(_inegi(), attribution="anterior")
    bad = tmp_path / "malo.geojson"
    if callable(change):
        change(small)
        bad.write_text(json.dumps(small))
    else:
        bad.write_text(change if isinstance(change, str) else json.dumps(change))
    with pytest.raises(CommandError) as raised:
        call_command("observatory", "boundaries", str(bad))
    assert message in str(raised.value) and "No se cargaron los límites" in str(raised.value)
    assert BoundarySet.objects.get().pk == previous.pk  # the previous set is kept, whole
    assert Boundary.objects.filter(boundary_set=previous).count() == 16


def test_the_code_property_can_be_named_and_a_missing_file_is_named(
    catalogs: None, small: dict[str, Any], tmp_path: Path
) -> None:
    _rename(small)
    path = tmp_path / "clave.geojson"
    path.write_text(json.dumps(small))
    call_command("observatory", "boundaries", str(path), "--code-property", "clave")
    assert Boundary.objects.count() == 16
    for feature in small["features"]:  # integer codes, as SESNSP writes them: 9002
        feature["properties"]["clave"] = int(feature["properties"]["clave"])
    path.write_text(json.dumps(small))
    call_command("observatory", "boundaries", str(path), "--code-property", "clave")
    assert Boundary.objects.filter(alcaldia__inegi_code="09002").count() == 1
    with pytest.raises(CommandError, match=r"nada\.geojson: no se puede leer el archivo"):
        call_command("observatory", "boundaries", str(tmp_path / "nada.geojson"))
    with pytest.raises(CommandError, match="--tolerance"):
        call_command("observatory", "boundaries", str(path), "--tolerance", "-1")


def test_a_failure_while_storing_keeps_the_previous_set(
    catalogs: None, inegi: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    previous = boundaries_load(inegi, attribution="anterior")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Boundary.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        boundaries_load(inegi, attribution="nueva")
    assert list(BoundarySet.objects.values_list("pk", "attribution")) == [(previous.pk, "anterior")]
    assert Boundary.objects.count() == 16


def test_an_empty_catalog_is_explained(db: None, inegi: Path) -> None:
    with pytest.raises(CommandError, match="el catálogo de alcaldías está vacío"):
        call_command("observatory", "boundaries", str(inegi))


# --- the page ---------------------------------------------------------------------------------

AREA = re.compile(
    r'<path class="area (q\d|hidden)( selected)?" data-code="(\d{5})" role="img" '
    r'aria-label="([^"]+)"( fill="url\(#map-hatch\)")? d="[^"]+"><title>([^<]+)</title></path>'
)


def _areas(html: str) -> dict[str, tuple[str, str]]:
    """code -> (shade, accessible name) of each area drawn, checking its title says the same."""
    found = {}
    for shade, _selected, code, label, hatch, title in AREA.findall(html):
        assert title == label and (shade == "hidden") == bool(hatch)
        found[code] = (shade, label)
    return found


def _table(response: Any, slug: str) -> dict[str, list[str]]:
    table = next(t for t in response.context["tables"] if t.slug == slug)
    return {"columns": table.columns, **{label: cells for label, cells in table.rows}}


def _shown(area_label: str) -> str:
    """The value an area's accessible name gives: "—" for a hidden one."""
    if area_label.endswith(": cifra oculta"):
        return "—"
    match = re.fullmatch(r".+: (\d+) registros", area_label)
    assert match, area_label
    return match.group(1)


def test_without_boundaries_the_page_shows_the_tile_grid(synthetic: Path) -> None:
    observatory_refresh(k=5)
    html = Client().get("/observatorio/").content.decode()
    assert 'class="tiles"' in html and "choropleth" not in html and "<path" not in html


def test_with_boundaries_the_map_is_an_svg_of_16_alcaldias_with_the_tables_figures(
    synthetic: Path, inegi: Path
) -> None:
    release = observatory_refresh(k=5)
    boundaries_load(inegi, attribution=ATTRIBUTION)
    client = Client()
    names = dict(Alcaldia.objects.values_list("inegi_code", "name"))
    response = client.get("/observatorio/")
    html = response.content.decode()
    assert response.status_code == 200 and 'class="tiles"' not in html
    assert html.count("<path ") == 16 and len(_areas(html)) == 16
    assert '<svg viewBox="0 0 600 ' in html and 'aria-labelledby="map-title map-desc"' in html
    assert '<title id="map-title">Registros por alcaldía, todo el periodo publicado</title>' in html
    assert f"Límites: {ATTRIBUTION}</p>" in html
    assert " style=" not in html and "<script>" not in html  # CSP: no inline style or script
    # the map's values are the total row of "records by month and alcaldía"
    table = _table(response, "alcaldia")
    by_name = dict(zip(table["columns"], table["Total"], strict=True))
    areas = _areas(html)
    assert {code: _shown(label) for code, (_s, label) in areas.items()} == {
        code: by_name[names[code]] for code in areas
    }
    hidden = [code for code, (shade, _label) in areas.items() if shade == "hidden"]
    assert hidden and len(hidden) < 16  # the synthetic city has both
    published = {
        f.key.split("|")[1]: f.records for f in release.figures.filter(key__startswith="alcaldia|")
    }
    assert {c for c, v in published.items() if v is None} - {"sin_dato"} == set(hidden)
    for code in hidden:  # named hidden, never a number (nor a zero) anywhere in the area
        assert areas[code][1] == f"{names[code]}: cifra oculta"
    assert all(int(_shown(label)) >= 5 for shade, label in areas.values() if shade != "hidden")
    assert "cifra oculta</li>" in html  # the legend names the hatch
    unplaced = by_name["Sin dato"].replace("—", "cifra oculta")  # said below the map
    assert f"Registros sin alcaldía registrada (no están en el mapa): {unplaced}" in html


def test_the_map_follows_the_filters_with_published_figures_only(
    synthetic: Path, inegi: Path
) -> None:
    release = observatory_refresh(k=5)
    boundaries_load(inegi, attribution=ATTRIBUTION)
    client = Client()
    names = dict(Alcaldia.objects.values_list("inegi_code", "name"))
    # a type: the table "<type> by alcaldía, whole published period"
    response = client.get("/observatorio/?tipo=fisica")
    areas = _areas(response.content.decode())
    rows = _table(response, "type-alcaldia")
    assert len(areas) == 16
    assert {c: _shown(label) for c, (_s, label) in areas.items()} == {
        c: rows[names[c]][0] if names[c] in rows else "—" for c in areas
    }
    # one month: that month's row of "records by month and alcaldía"
    month = _busiest_month(release)
    response = client.get(f"/observatorio/?desde={month}&hasta={month}&alcaldia=09007")
    html = response.content.decode()
    areas = _areas(html)
    table = _table(response, "alcaldia")  # with an alcaldía chosen the table shows its column
    row = next(cells for label, cells in table.items() if label.startswith(month))
    assert _shown(areas["09007"][1]) == row[0] and 'class="area' in html
    assert re.search(r'class="area (q\d|hidden) selected" data-code="09007"', html)
    assert f"Registros por alcaldía en {month}" in html
    cells = {
        f.key.split("|")[4]: f.records
        for f in release.figures.filter(key__startswith=f"cell|month|alcaldia|{month}|")
    }
    assert {c: _shown(label) for c, (_s, label) in areas.items()} == {
        c: "—" if cells.get(c) is None else str(cells[c]) for c in areas
    }
    # a longer sub-period has no published figure by alcaldía: the whole period, said so
    response = client.get(f"/observatorio/?desde={release.first_month}&hasta={month}")
    html = response.content.decode()
    assert "el mapa muestra todo el periodo" in html and len(_areas(html)) == 16
    # a month outside the release or bad filters: no map at all
    assert "<path" not in client.get("/observatorio/?desde=1990-01&hasta=1990-01").content.decode()
    assert "<path" not in client.get("/observatorio/?desde=nada").content.decode()


def _busiest_month(release: Release) -> str:
    month_figures = release.figures.filter(key__startswith="month|", records__isnull=False)
    return max(month_figures, key=lambda f: f.records or 0).key.split("|")[1]


def test_the_header_links_to_the_observatory_for_everyone(staff_client: Any) -> None:
    public = Client().get("/observatorio/").content.decode()
    assert '<a class="public-link" href="/observatorio/">Observatorio</a>' in public
    staff = staff_client("caseworker").get("/").content.decode()
    assert '<a class="public-link" href="/observatorio/">Observatorio</a>' in staff
    english = Client()
    english.cookies["django_language"] = "en"
    assert ">Observatory</a>" in english.get("/observatorio/").content.decode()
