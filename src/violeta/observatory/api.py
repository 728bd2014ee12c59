"""The observatory's open-data API (``/observatorio/api/v1/``): public, read-only, no login.

It serves the tables of the page, built by the same code (``selectors.build_tables``) from the
current release, as numbers: a hidden figure is ``null``, never a number. Filters are read and
checked by ``selectors.parse_filters`` (the page's messages, here as problem+json naming the
parameter). Every answer carries the release's cut date, k and the rule, CORS for GET (any
origin: notebooks and newsrooms), and an ETag / Last-Modified from the release so that caches
revalidate with a 304. Built on Django REST framework like the staff API (``violeta.api``), with
its problem+json errors, but without tokens or audit: nothing here is personal.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.http import HttpResponse, HttpResponseBase
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, throttling
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from violeta.api.problems import problem
from violeta.observatory.labels import dimension_title
from violeta.observatory.models import Release
from violeta.observatory.selectors import (
    HIDDEN,
    Filters,
    Table,
    build_tables,
    current_release,
    figures,
    parse_filters,
)
from violeta.observatory.tables import ALCALDIA_TABLES, MONTH_TABLES

PARAMETERS = ("desde", "hasta", "alcaldia", "tipo")
LICENCE = {"nombre": "CC-BY-4.0", "url": "https://creativecommons.org/licenses/by/4.0/"}
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, If-None-Match, If-Modified-Since",
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Retry-After",
    "Access-Control-Max-Age": "86400",
}


def rule(k: int) -> str:
    return _(
        "Every published figure counts at least %(k)s women. Figures under %(k)s, zeros "
        "included, are hidden (primary suppression), and so are others chosen so that no hidden "
        "figure can be worked out from the published ones (complementary suppression, checked "
        "exactly with linear algebra). A hidden figure is null: it is 0 to %(k)s minus 1, or "
        "hidden to protect another."
    ) % {"k": k}


def shape(slug: str) -> dict[str, Any]:
    """Rows, columns and the filter a table needs, from its slug (``None``: no such table)."""
    if slug == "month":
        return {"filas": "mes", "columnas": "medida", "requiere": None}
    if slug in (*MONTH_TABLES, "alert_level"):
        return {"filas": "mes", "columnas": slug, "requiere": None}
    if slug.startswith("alcaldia-") and slug[9:] in ALCALDIA_TABLES:
        return {"filas": slug[9:], "columnas": "medida", "requiere": "alcaldia"}
    if slug == "type-alcaldia":
        return {"filas": "alcaldia", "columnas": "medida", "requiere": "tipo"}
    return {}


def _release_meta(release: Release) -> dict[str, Any]:
    return {
        "publicacion": release.pk,
        "fecha_corte": release.created_at.isoformat(),
        "k": release.k,
        "regla": rule(release.k),
        "licencia": LICENCE,
    }


def _period(release: Release, table: Table, shape_: dict[str, Any]) -> dict[str, Any]:
    whole = {"desde": release.first_month, "hasta": release.last_month}
    if shape_["filas"] != "mes":
        return {**whole, "todo_el_periodo": True, "ultimo_mes_preliminar": True}
    months = [code for code in table.row_codes if code != "total"]
    return {
        "desde": months[0] if months else None,
        "hasta": months[-1] if months else None,
        "todo_el_periodo": "total" in table.row_codes,
        "ultimo_mes_preliminar": release.last_month in months,
    }


_LAST: tuple[tuple[int, str], dict[str, tuple[int | None, int | None]]] | None = None


def _figures(release: Release) -> dict[str, tuple[int | None, int | None]]:
    """The release's figures, kept for the next call: a release never changes once stored
    (a refresh makes a new one), so one entry per process is enough. Keyed by id and time
    (an id may come back after a rolled-back transaction)."""
    global _LAST
    last, key = _LAST, (release.pk, release.created_at.isoformat())
    if last is not None and last[0] == key:
        return last[1]
    data = figures(release)
    _LAST = (key, data)
    return data


def _number(cell: str) -> int | None:
    return None if cell == HIDDEN else int(cell)


class PublicThrottle(throttling.SimpleRateThrottle):
    """settings.VIOLETA_OBSERVATORY_API_RATE (e.g. "300/min") per address."""

    scope = "observatory_api"

    def get_rate(self) -> str:
        return str(getattr(settings, "VIOLETA_OBSERVATORY_API_RATE", "300/min"))

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class PublicView(APIView):
    """No authentication, GET only, CORS for any origin; conditional GET on the release."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [PublicThrottle]
    http_method_names = ["get", "head", "options"]

    def options(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(status=204)  # the CORS preflight

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        response = super().finalize_response(request, response, *args, **kwargs)
        for name, value in CORS.items():
            response[name] = value
        if response.status_code in (200, 304):
            response.setdefault("Cache-Control", "public, max-age=60")
        response["Vary"] = "Accept-Language, Cookie"
        return response

    def conditional(self, request: Request, release: Release) -> HttpResponse | None:
        """304 when the client's copy was built from this release (same URL and language)."""
        seed = f"{release.pk}|{release.created_at.isoformat()}|{get_language()}|"
        seed += request.get_full_path()
        self.etag = '"' + hashlib.sha256(seed.encode()).hexdigest()[:32] + '"'
        self.modified = release.created_at.timestamp()
        unchanged = get_conditional_response(
            request._request, etag=self.etag, last_modified=int(self.modified)
        )
        if unchanged is not None:
            unchanged["ETag"] = self.etag
            unchanged["Last-Modified"] = http_date(self.modified)
        return unchanged

    def fresh(self, body: dict[str, Any]) -> Response:
        response = Response(body)
        response["ETag"] = self.etag
        response["Last-Modified"] = http_date(self.modified)
        return response


def _none() -> Response:
    return problem(404, _("The observatory has not published any figures yet."))


def _unknown(request: Request) -> Response | None:
    extra = sorted(set(request.query_params) - set(PARAMETERS))
    if not extra:
        return None
    message = _("Unknown parameter; use desde, hasta, alcaldia or tipo.")
    return problem(400, message, errors={name[:40]: [message] for name in extra[:5]})


class TableIndex(PublicView):
    """The tables of the current release, with period, cut date, k, rule and licence."""

    @extend_schema(exclude=True)  # documented in its own document (observatory.api_schema)
    def get(self, request: Request) -> Response | HttpResponse:
        release = current_release()
        if release is None:
            return _none()
        if (unchanged := self.conditional(request, release)) is not None:
            return unchanged
        tables = build_tables(release, _figures(release), Filters())
        listed = [(t.slug, t.caption) for t in tables]
        for dim in ALCALDIA_TABLES:
            title = _("%(dimension)s in one alcaldía, whole published period") % {
                "dimension": dimension_title(dim).capitalize()
            }
            listed.append((f"alcaldia-{dim}", title))
        listed.append(("type-alcaldia", _("One type of violence by alcaldía, whole period")))
        meta = _release_meta(release)
        entries = []
        for slug, title in listed:
            s = shape(slug)
            url = reverse("observatory:api:table", args=[slug])
            entries.append({
                "slug": slug, "titulo": title, "dimensiones": [s["filas"], s["columnas"]],
                "filas": s["filas"], "columnas": s["columnas"], "requiere": s["requiere"],
                "periodo": {"desde": release.first_month, "hasta": release.last_month,
                            "ultimo_mes_preliminar": True},
                "fecha_corte": meta["fecha_corte"], "k": release.k, "regla": meta["regla"],
                "licencia": LICENCE, "url": request.build_absolute_uri(url),
                "csv": request.build_absolute_uri(reverse("observatory:csv", args=[slug])),
            })  # fmt: skip
        body = {
            **meta,
            "primer_mes": release.first_month,
            "ultimo_mes": release.last_month,
            "parametros": list(PARAMETERS),
            "openapi": request.build_absolute_uri(reverse("observatory:api:openapi")),
            "tablas": entries,
        }
        return self.fresh(body)


class TableDetail(PublicView):
    """One table for these filters: exactly the figures of the page and its CSV."""

    @extend_schema(exclude=True)
    def get(self, request: Request, slug: str) -> Response | HttpResponse:
        s = shape(slug)
        if not s:
            raise exceptions.NotFound(_("There is no table “%(slug)s”.") % {"slug": slug[:40]})
        release = current_release()
        if release is None:
            return _none()
        if (refused := _unknown(request)) is not None:
            return refused
        # An ETag is only ever given with a 200, so a matching If-None-Match needs no checks.
        early = request.META.get("HTTP_IF_NONE_MATCH", "*").strip() != "*"
        if early and (unchanged := self.conditional(request, release)) is not None:
            return unchanged
        data = _figures(release)
        params = {name: request.query_params.get(name, "") for name in request.query_params}
        f = parse_filters(params, release, set(data))
        if f.problems:
            detail = _("These filters cannot be applied, so no figures are shown:")
            return problem(400, f"{detail} {' '.join(f.problems)}", errors=f.errors)
        needed = s["requiere"]
        if needed and not params.get(needed, "").strip():
            message = _("This table needs the parameter “%(name)s”.") % {"name": needed}
            return problem(400, message, errors={needed: [message]})
        if (unchanged := self.conditional(request, release)) is not None:
            return unchanged
        table = next(t for t in build_tables(release, data, f) if t.slug == slug)
        body = {
            "slug": slug,
            "titulo": table.caption,
            **_release_meta(release),
            "filtros": {"desde": f.since, "hasta": f.until, "alcaldia": f.alcaldia,
                        "tipo": f.type},
            "periodo": _period(release, table, s),
            "filas_son": s["filas"],
            "columnas_son": s["columnas"],
            "encabezado_filas": table.row_header,
            "columnas": [
                {"clave": code, "etiqueta": name}
                for code, name in zip(table.column_codes, table.columns, strict=True)
            ],
            "filas": [
                {"clave": code, "etiqueta": name, "valores": [_number(c) for c in cells]}
                for code, (name, cells) in zip(table.row_codes, table.rows, strict=True)
            ],
        }  # fmt: skip
        return self.fresh(body)


class Missing(PublicView):
    """Any other path under the API: a 404 problem, not the site's HTML page."""

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise exceptions.NotFound(_("No such endpoint: see /observatorio/api/v1/openapi.json."))
