"""The OpenAPI 3.1 document of the observatory's open-data API, written out (it is small and
public, and kept apart from the staff API's generated schema). Tests validate it with
openapi-spec-validator and validate real answers against its schemas."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response

BASE = "/observatorio/api/v1"
MONTH = {"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$", "examples": ["2026-03"]}
NULLABLE_MONTH = {"type": ["string", "null"], "pattern": MONTH["pattern"]}


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def _param(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema}  # fmt: skip


HEADERS = {
    "ETag": {"description": "Changes with the release (and URL, language).",
             "schema": {"type": "string"}},
    "Last-Modified": {"description": "The release's cut date.", "schema": {"type": "string"}},
    "Access-Control-Allow-Origin": {"description": "Always `*` (GET only).",
                                    "schema": {"type": "string", "const": "*"}},
}  # fmt: skip


def _ok(schema: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "headers": HEADERS,
        "content": {"application/json": {"schema": _ref("schemas", schema)}},
    }


RELEASE = {
    "publicacion": {"type": "integer", "description": "Id of the release (changes each refresh)."},
    "fecha_corte": {"type": "string", "format": "date-time",
                    "description": "Cut date: when the release was computed from the records."},
    "k": {"type": "integer", "minimum": 1, "description": "Minimum women per published figure."},
    "regla": {"type": "string", "description": "The disclosure rule that protected the data."},
    "licencia": _ref("schemas", "Licencia"),
}  # fmt: skip

SCHEMAS: dict[str, Any] = {
    "Licencia": {
        "type": "object", "required": ["nombre", "url"],
        "properties": {"nombre": {"const": "CC-BY-4.0"}, "url": {"type": "string",
                                                                  "format": "uri"}},
    },
    "Periodo": {
        "type": "object", "required": ["desde", "hasta", "ultimo_mes_preliminar"],
        "properties": {
            "desde": NULLABLE_MONTH, "hasta": NULLABLE_MONTH,
            "todo_el_periodo": {"type": "boolean", "description":
                                "True when the table covers the whole published period."},
            "ultimo_mes_preliminar": {"type": "boolean", "description":
                                      "The release's last month is provisional (grows)."},
        },
    },
    "EntradaTabla": {
        "type": "object",
        "required": ["slug", "titulo", "dimensiones", "filas", "columnas", "requiere", "periodo",
                     "fecha_corte", "k", "regla", "licencia", "url", "csv"],
        "properties": {
            "slug": {"type": "string"}, "titulo": {"type": "string"},
            "dimensiones": {"type": "array", "items": {"type": "string"}},
            "filas": {"type": "string", "description": "mes, alcaldia or a dimension."},
            "columnas": {"type": "string",
                         "description": "A dimension, or medida (records and women)."},
            "requiere": {"type": ["string", "null"], "enum": ["alcaldia", "tipo", None],
                         "description": "The filter the table needs, if any."},
            "periodo": _ref("schemas", "Periodo"),
            **{k: v for k, v in RELEASE.items() if k != "publicacion"},
            "url": {"type": "string", "format": "uri"}, "csv": {"type": "string", "format": "uri"},
        },
    },
    "Indice": {
        "type": "object",
        "required": [*RELEASE, "primer_mes", "ultimo_mes", "parametros", "openapi", "tablas"],
        "properties": {
            **RELEASE, "primer_mes": MONTH, "ultimo_mes": MONTH,
            "parametros": {"type": "array", "items": {"type": "string"}},
            "openapi": {"type": "string", "format": "uri"},
            "tablas": {"type": "array", "items": _ref("schemas", "EntradaTabla")},
        },
    },
    "Tabla": {
        "type": "object",
        "required": [*RELEASE, "slug", "titulo", "filtros", "periodo", "filas_son",
                     "columnas_son", "encabezado_filas", "columnas", "filas"],
        "properties": {
            **RELEASE, "slug": {"type": "string"}, "titulo": {"type": "string"},
            "filtros": {
                "type": "object", "required": ["desde", "hasta", "alcaldia", "tipo"],
                "properties": {n: {"type": "string"} for n in ("desde", "hasta", "alcaldia",
                                                               "tipo")},
            },
            "periodo": _ref("schemas", "Periodo"),
            "filas_son": {"type": "string"}, "columnas_son": {"type": "string"},
            "encabezado_filas": {"type": "string"},
            "columnas": {"type": "array", "items": {
                "type": "object", "required": ["clave", "etiqueta"],
                "properties": {"clave": {"type": "string", "description":
                                         "Category code, or records / women."},
                               "etiqueta": {"type": "string"}}}},
            "filas": {"type": "array", "items": {
                "type": "object", "required": ["clave", "etiqueta", "valores"],
                "properties": {
                    "clave": {"type": "string", "description":
                              "Month (YYYY-MM), total, or a category code."},
                    "etiqueta": {"type": "string"},
                    "valores": {"type": "array", "description": "One per column; null: hidden.",
                                "items": {"type": ["integer", "null"], "minimum": 0}},
                }}},
        },
    },
    "Problema": {
        "type": "object", "required": ["type", "title", "status", "detail"],
        "description": "RFC 9457 problem details.",
        "properties": {
            "type": {"type": "string", "format": "uri"}, "title": {"type": "string"},
            "status": {"type": "integer"}, "detail": {"type": "string"},
            "errors": {"type": "object", "description": "Messages by query parameter.",
                       "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        },
    },
}  # fmt: skip


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": _ref("schemas", "Problema")}},
    }


RESPONSES = {
    "NoModificado": {"description": "Not modified: the copy sent in If-None-Match or "
                     "If-Modified-Since is from the current release.", "headers": HEADERS},
    "FiltroInvalido": _problem("A filter is not valid (or a table lacks the filter it needs); "
                               "`errors` names the parameter. No figures."),
    "NoEncontrado": _problem("No such table, or nothing published yet."),
    "Limite": _problem("Too many requests from this address: see Retry-After."),
}  # fmt: skip

FILTERS = [
    _param("desde", "First month shown in the month tables (YYYY-MM).", MONTH),
    _param("hasta", "Last month shown in the month tables (YYYY-MM).", MONTH),
    _param("alcaldia", "INEGI code of an alcaldía (e.g. 09015).", {"type": "string"}),
    _param("tipo", "Code of a type of violence (e.g. psicologica).", {"type": "string"}),
]
ERRORS = {
    "304": _ref("responses", "NoModificado"),
    "404": _ref("responses", "NoEncontrado"),
    "429": _ref("responses", "Limite"),
}

DESCRIPTION = """Open data of the public observatory of violence against women: the published
aggregates, no login, no token, read-only (GET), CORS open to any origin.

Every figure is a count of agency records (and of distinct women) from the current release.
A **hidden figure is `null`**, never a number: it counts fewer than k women or is hidden to
protect another (complementary suppression). Each answer states its period, its cut date
(`fecha_corte`, when the release was computed), k and the rule (`regla`). Filters only select
published figures: nothing is aggregated at request time. The same tables are on the page
`/observatorio/` and as CSV (`/observatorio/<slug>.csv`).

Answers carry `ETag` and `Last-Modified`: send `If-None-Match` or `If-Modified-Since` to get
`304` until the next release. Errors are `application/problem+json` (RFC 9457). Labels are in
Spanish (es-MX); codes (`clave`) are stable. Rate limited per address (429 with Retry-After)."""

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Violeta: observatorio público, datos abiertos",
        "version": "1.0.0",
        "description": DESCRIPTION,
        "license": {"name": "CC-BY-4.0", "identifier": "CC-BY-4.0"},
    },
    "paths": {
        f"{BASE}/": {"get": {
            "operationId": "tablas", "summary": "The tables of the current release",
            "description": "Each with its dimensions, period, cut date, k, rule and licence.",
            "responses": {"200": _ok("Indice", "The tables."), **ERRORS},
        }},
        f"{BASE}/tablas/{{slug}}": {"get": {
            "operationId": "tabla", "summary": "One table for these filters",
            "description": "Exactly the figures the page and its CSV show; hidden ones null. "
                           "Tables alcaldia-* need `alcaldia`; type-alcaldia needs `tipo`. "
                           "Any other parameter is refused (400).",
            "parameters": [{"name": "slug", "in": "path", "required": True,
                            "schema": {"type": "string"}, "examples": {
                                "mes": {"value": "month"}, "edad": {"value": "age"}}},
                           *FILTERS],
            "responses": {"200": _ok("Tabla", "The table."),
                          "400": _ref("responses", "FiltroInvalido"), **ERRORS},
        }},
        f"{BASE}/openapi.json": {"get": {
            "operationId": "openapi", "summary": "This document",
            "responses": {"200": {"description": "OpenAPI 3.1",
                                  "content": {"application/json": {}}}},
        }},
    },
    "components": {"schemas": SCHEMAS, "responses": RESPONSES},
}  # fmt: skip

_BODY = json.dumps(DOCUMENT, ensure_ascii=False, indent=1).encode()
_ETAG = '"' + hashlib.sha256(_BODY).hexdigest()[:32] + '"'


def openapi(request: HttpRequest) -> HttpResponse:
    """The document, static: served with an ETag and CORS like the API."""
    response = get_conditional_response(request, etag=_ETAG) or HttpResponse(
        _BODY, content_type="application/json"
    )
    response["ETag"] = _ETAG
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=3600"
    return response
