"""The open-data API: the page's figures as numbers (hidden = null), its errors as problem+json,
CORS, conditional GET, the rate limit and its own OpenAPI document."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from drf_spectacular.validation import validate_schema
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_spec
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from violeta.observatory.api_schema import DOCUMENT
from violeta.observatory.models import Figure, Release
from violeta.observatory.services import observatory_refresh
from violeta.observatory.tests.test_pages import _register

pytestmark = pytest.mark.django_db
API = "/observatorio/api/v1"


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    cache.clear()  # rate-limit counters
    yield
    cache.clear()


@pytest.fixture
def release(synthetic: Path) -> Release:
    """The synthetic city: many figures hidden (slow to build: used where figures matter)."""
    return observatory_refresh(k=5)


@pytest.fixture
def small(catalogs: None) -> Release:
    """Fourteen records in two alcaldías: quick, for errors and headers."""
    for n in range(14):
        when = timezone.now() - dt.timedelta(days=40 * (n % 2), hours=1)
        _register(n, when=when, alcaldia="09015" if n < 8 else "09007")
    return observatory_refresh(k=5)


def _conforms(body: Any, schema: str) -> None:
    """The answer matches the schema of that name in the OpenAPI document."""
    registry = Registry().with_resource("urn:doc", DRAFT202012.create_resource(DOCUMENT))
    validator = Draft202012Validator(
        {"$ref": f"urn:doc#/components/schemas/{schema}"}, registry=registry
    )
    errors = [e.message for e in validator.iter_errors(body)]
    assert errors == []


def _csv(query: str, slug: str) -> list[list[int | None]]:
    response = Client().get(f"/observatorio/{slug}.csv{query}")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))[1:]
    return [[None if v == "—" else int(v) for v in row[1:]] for row in rows]


def _queries(release: Release) -> list[str]:
    last = release.last_month
    year = int(last[:4]) - 1
    return [
        "",
        f"?desde={year}-01&hasta={year}-06",
        "?alcaldia=09007",
        "?tipo=fisica",
        f"?alcaldia=09015&tipo=psicologica&desde={year}-03",
        f"?hasta={last}&alcaldia=09005",
    ]


def test_the_index_lists_every_table_with_period_cut_date_rule_and_licence(
    release: Release,
) -> None:
    response = Client().get(f"{API}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    _conforms(body, "Indice")
    slugs = {t["slug"]: t for t in body["tablas"]}
    assert {"month", "alcaldia", "age", "type", "stage", "alert_level"} <= set(slugs)
    assert {"alcaldia-age", "alcaldia-type", "type-alcaldia"} <= set(slugs)
    assert slugs["alcaldia-age"]["requiere"] == "alcaldia"
    assert slugs["type-alcaldia"]["requiere"] == "tipo" and slugs["month"]["requiere"] is None
    age = slugs["age"]
    assert age["periodo"] == {
        "desde": release.first_month,
        "hasta": release.last_month,
        "ultimo_mes_preliminar": True,
    }
    assert age["fecha_corte"] == release.created_at.isoformat()
    assert age["k"] == 5 and "5 mujeres" in age["regla"] and "null" in age["regla"]
    assert age["licencia"]["nombre"] == "CC-BY-4.0"
    assert age["url"].endswith(f"{API}/tablas/age") and age["csv"].endswith("/observatorio/age.csv")
    assert body["openapi"].endswith(f"{API}/openapi.json")


def test_every_table_equals_the_page_and_its_csv_under_several_filters(
    release: Release,
) -> None:
    hidden_seen = 0
    for query in _queries(release):
        page = Client().get(f"/observatorio/{query}")
        assert page.status_code == 200, query
        slugs = [t.slug for t in page.context["tables"]]
        assert len(slugs) >= 9
        for table in page.context["tables"]:
            response = Client().get(f"{API}/tablas/{table.slug}{query}")
            assert response.status_code == 200, (query, table.slug)
            body = response.json()
            _conforms(body, "Tabla")
            values = [row["valores"] for row in body["filas"]]
            assert values == _csv(query, table.slug), (query, table.slug)
            shown = [[None if c == "—" else int(c) for c in cells] for _, cells in table.rows]
            assert values == shown
            assert [row["etiqueta"] for row in body["filas"]] == [label for label, _ in table.rows]
            assert [c["etiqueta"] for c in body["columnas"]] == table.columns
            flat = [v for row in values for v in row]
            hidden_seen += flat.count(None)
            assert all(v >= 5 for v in flat if v is not None)  # records ≥ women ≥ k
    assert hidden_seen > 0  # the data do hide figures, and they stay null


def test_codes_and_period_follow_the_filters(release: Release) -> None:
    year = int(release.last_month[:4]) - 1
    body = Client().get(f"{API}/tablas/alcaldia?desde={year}-02&hasta={year}-04").json()
    assert [r["clave"] for r in body["filas"]] == [f"{year}-02", f"{year}-03", f"{year}-04"]
    assert body["periodo"] == {
        "desde": f"{year}-02",
        "hasta": f"{year}-04",
        "todo_el_periodo": False,
        "ultimo_mes_preliminar": False,
    }
    assert body["filtros"]["desde"] == f"{year}-02" and body["columnas_son"] == "alcaldia"
    whole = Client().get(f"{API}/tablas/month").json()
    assert whole["filas"][-1]["clave"] == "total" and whole["periodo"]["todo_el_periodo"]
    assert [c["clave"] for c in whole["columnas"]] == ["records", "women"]
    total = Figure.objects.get(release=release, key="total")
    assert whole["filas"][-1]["valores"] == [total.records, total.women]
    one = Client().get(f"{API}/tablas/alcaldia-age?alcaldia=09007").json()
    assert one["filas_son"] == "age" and one["periodo"]["todo_el_periodo"]
    figure = Figure.objects.get(release=release, key="cell|alcaldia|age|09007|30_44")
    row = next(r for r in one["filas"] if r["clave"] == "30_44")
    assert row["valores"] == [figure.records, figure.women]


@pytest.mark.parametrize(
    "query, parameter, message",
    [
        ("?desde=2025-13", "desde", "no es un mes"),
        ("?hasta=abc&desde=2025-01", "hasta", "“abc” en “hasta” no es un mes"),
        ("?desde=2026-05&hasta=2025-01", "desde", "empieza después de terminar"),
        ("?alcaldia=99999", "alcaldia", "No existe “99999” en “alcaldia”"),
        ("?tipo=%3Cscript%3E", "tipo", "No existe “<script>” en “tipo”"),
        ("?tipo=" + "x" * 5000, "tipo", "No existe “" + "x" * 40 + "” en “tipo”"),
        ("?alcadia=09007", "alcadia", "Parámetro desconocido"),
    ],
)
def test_bad_filters_give_problem_json_naming_the_parameter(
    small: Release, query: str, parameter: str, message: str
) -> None:
    response = Client().get(f"{API}/tablas/age{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response["Access-Control-Allow-Origin"] == "*"
    body = response.json()
    _conforms(body, "Problema")
    assert body["status"] == 400 and message in body["detail"]
    assert any(message in m for m in body["errors"][parameter])
    assert "filas" not in body


def test_a_table_that_needs_a_filter_says_which(small: Release) -> None:
    response = Client().get(f"{API}/tablas/alcaldia-age")
    assert response.status_code == 400
    assert "alcaldia" in response.json()["errors"]
    assert Client().get(f"{API}/tablas/type-alcaldia").json()["errors"].keys() == {"tipo"}
    assert Client().get(f"{API}/tablas/type-alcaldia?tipo=psicologica").status_code == 200


@pytest.mark.parametrize("path", ["/tablas/nada", "/tablas/alcaldia-month", "/tablas", "/x/y"])
def test_unknown_tables_and_paths_are_404_problems(small: Release, path: str) -> None:
    response = Client().get(API + path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404


def test_nothing_published_yet_is_a_404_problem(catalogs: None) -> None:
    for path in ("/", "/tablas/month"):
        response = Client().get(API + path)
        assert response.status_code == 404
        assert "aún no ha publicado" in response.json()["detail"]


def test_nothing_personal_in_any_answer(catalogs: None) -> None:
    for n in range(6):
        _register(n, when=timezone.now() - dt.timedelta(hours=1))
    observatory_refresh(k=5)
    texts = [Client().get(f"{API}/").content.decode()]
    for slug in ("month", "alcaldia", "age", "type", "modality", "agency", "stage"):
        texts.append(Client().get(f"{API}/tablas/{slug}").content.decode())
    texts.append(Client().get(f"{API}/tablas/alcaldia-age?alcaldia=09015").content.decode())
    texts.append(Client().get(f"{API}/tablas/type-alcaldia?tipo=psicologica").content.decode())
    texts.append(Client().get(f"{API}/tablas/age?alcaldia=nadie").content.decode())
    everything = "\n".join(texts)
    for secret in ("Zenaida", "Quetzalli", "Colonia Secreta", "Tepito", "Relato", "OBS-"):
        assert secret not in everything
    total = json.loads(texts[1])["filas"][-1]
    assert total["valores"] == [6, 6]  # the figures are there, the people are not
    page = Client().get("/observatorio/").content.decode()
    assert f'href="{API}/"' in page and f'href="{API}/openapi.json"' in page  # linked from the page


def test_the_openapi_document_is_valid_and_served_with_cors(small: Release) -> None:
    validate_spec(DOCUMENT)
    validate_schema(DOCUMENT)
    response = Client().get(f"{API}/openapi.json")
    assert response.status_code == 200
    assert response.json() == DOCUMENT
    assert response["Access-Control-Allow-Origin"] == "*"
    again = Client().get(f"{API}/openapi.json", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    # every documented path answers (the table path with a real slug)
    for path in DOCUMENT["paths"]:
        assert Client().get(path.replace("{slug}", "month")).status_code == 200, path
    # and the staff API's generated schema does not list the public API
    staff = Client().get("/api/v1/schema/?format=json").json()
    assert not any(p.startswith("/observatorio/") for p in staff["paths"])


def test_cors_for_get_and_preflight_and_no_writes(small: Release) -> None:
    response = Client().get(f"{API}/tablas/month", HTTP_ORIGIN="https://example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    preflight = Client().options(
        f"{API}/tablas/month",
        HTTP_ORIGIN="https://example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
    )
    assert preflight.status_code == 204
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "If-None-Match" in preflight["Access-Control-Allow-Headers"]
    for method in ("post", "put", "delete"):
        refused = getattr(Client(), method)(f"{API}/tablas/month")
        assert refused.status_code == 405
        assert refused["Content-Type"] == "application/problem+json"


def test_conditional_get_gives_304_until_the_next_release(small: Release) -> None:
    url = f"{API}/tablas/age?alcaldia=09007"
    first = Client().get(url)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert first["Cache-Control"].startswith("public")
    same = Client().get(url, HTTP_IF_NONE_MATCH=etag)
    assert same.status_code == 304 and same.content == b""
    assert same["ETag"] == etag and same["Last-Modified"] == modified
    assert same["Access-Control-Allow-Origin"] == "*"
    assert Client().get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    other = Client().get(f"{API}/tablas/age?alcaldia=09005", HTTP_IF_NONE_MATCH=etag)
    assert other.status_code == 200  # another URL, another ETag
    index = Client().get(f"{API}/")
    assert Client().get(f"{API}/", HTTP_IF_NONE_MATCH=index["ETag"]).status_code == 304
    Release.objects.filter(pk=small.pk).update(
        created_at=small.created_at - dt.timedelta(minutes=10)
    )
    observatory_refresh(k=5)
    fresh = Client().get(url, HTTP_IF_NONE_MATCH=etag, HTTP_IF_MODIFIED_SINCE=modified)
    assert fresh.status_code == 200 and fresh["ETag"] != etag


def test_the_rate_limit_answers_429_with_retry_after(small: Release, settings: Any) -> None:
    settings.VIOLETA_OBSERVATORY_API_RATE = "3/min"
    codes = [Client().get(f"{API}/tablas/month").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = Client().get(f"{API}/")
    assert limited["Content-Type"] == "application/problem+json"
    assert int(limited["Retry-After"]) > 0


def test_a_new_release_is_served_at_once(small: Release) -> None:
    before = Client().get(f"{API}/tablas/month").json()
    assert before["filas"][-1]["valores"] == [14, 14]
    for n in range(14, 20):
        _register(n, when=timezone.now() - dt.timedelta(hours=2))
    observatory_refresh(k=5)
    after = Client().get(f"{API}/tablas/month").json()
    assert after["filas"][-1]["valores"] == [20, 20]
    assert after["publicacion"] != before["publicacion"]


def test_if_none_match_star_does_not_hide_a_bad_filter(small: Release) -> None:
    response = Client().get(f"{API}/tablas/age?desde=2025-13", HTTP_IF_NONE_MATCH="*")
    assert response.status_code == 400
