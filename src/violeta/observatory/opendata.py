"""Open data of the current release: every published figure as CSV and JSON, its data
dictionary and a Frictionless Data Package descriptor. Hidden figures are empty (CSV) or null."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse

from violeta.observatory.history import release_meta
from violeta.observatory.models import Release
from violeta.observatory.selectors import current_release, figures

FIELDS: list[tuple[str, str, str]] = [
    ("clave", "string", "Identificador de la cifra (única en la publicación)."),
    ("tabla", "string", "total, mes, categoria, mes_categoria o alcaldia_categoria."),
    ("dimension", "string", "alcaldia, age, agency, risk, type, modality, stage o alert_level."),
    ("mes", "string", "Mes (AAAA-MM) para las cifras mensuales; vacío si es todo el periodo."),
    ("alcaldia", "string", "Clave INEGI de la alcaldía en las tablas por alcaldía."),
    ("categoria", "string", "Código de la categoría; sin_dato: no se registró."),
    ("registros", "integer", "Registros de las instituciones; vacío: cifra oculta "
     "(menos de k mujeres, o para proteger otra)."),
    ("mujeres", "integer", "Mujeres distintas contadas en la cifra; vacío: cifra oculta."),
]  # fmt: skip


def _split(key: str) -> dict[str, str]:
    parts = key.split("|")
    row = {"clave": key, "tabla": "", "dimension": "", "mes": "", "alcaldia": "", "categoria": ""}
    if parts[0] in ("total", "alerts"):
        row.update(tabla="total", dimension="alert_level" if parts[0] == "alerts" else "")
    elif parts[0] in ("month", "alerts_month"):
        row.update(tabla="mes", mes=parts[1])
        row["dimension"] = "alert_level" if parts[0] == "alerts_month" else ""
    elif parts[0] == "cell" and parts[1] == "month":
        row.update(tabla="mes_categoria", dimension=parts[2], mes=parts[3], categoria=parts[4])
    elif parts[0] == "cell":
        row.update(tabla="alcaldia_categoria", dimension=parts[2], alcaldia=parts[3])
        row["categoria"] = parts[4]
    else:
        row.update(tabla="categoria", dimension=parts[0], categoria=parts[1])
    return row


def _rows(release: Release) -> list[dict[str, Any]]:
    return [
        {**_split(key), "registros": records, "mujeres": women}
        for key, (records, women) in sorted(figures(release).items())
    ]


def _none() -> HttpResponse:
    return JsonResponse({"detail": "El observatorio aún no ha publicado cifras."}, status=404)


def _meta(release: Release) -> dict[str, Any]:
    return {
        "publicacion": release.pk,
        "calculada": release.created_at.isoformat(),
        "k": release.k,
        "primer_mes": release.first_month,
        "ultimo_mes": release.last_month,
        "ultimo_mes_preliminar": True,
        **release_meta(release),  # mode, rule, privacy budget (observatory.history)
    }


@login_not_required
def figures_csv(request: HttpRequest) -> HttpResponse:
    release = current_release()
    if release is None:
        return _none()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="cifras.csv"'
    writer = csv.DictWriter(response, fieldnames=[name for name, _, _ in FIELDS])
    writer.writeheader()
    writer.writerows(_rows(release))
    return response


@login_not_required
def figures_json(request: HttpRequest) -> HttpResponse:
    release = current_release()
    if release is None:
        return _none()
    return JsonResponse({**_meta(release), "cifras": _rows(release)})


@login_not_required
def dictionary_csv(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="diccionario.csv"'
    writer = csv.writer(response)
    writer.writerow(["campo", "tipo", "descripcion"])
    writer.writerows(FIELDS)
    return response


@login_not_required
def datapackage(request: HttpRequest) -> HttpResponse:
    release = current_release()
    if release is None:
        return _none()
    return JsonResponse(
        {
            "profile": "tabular-data-package",
            "name": "violeta-observatorio",
            "title": "Observatorio público de la violencia contra las mujeres",
            "licenses": [
                {"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}
            ],
            "violeta": _meta(release),
            "resources": [
                {
                    "name": "cifras",
                    "path": request.build_absolute_uri("cifras.csv"),
                    "profile": "tabular-data-resource",
                    "format": "csv",
                    "encoding": "utf-8",
                    "schema": {
                        "fields": [{"name": n, "type": t, "description": d} for n, t, d in FIELDS],
                        "primaryKey": ["clave"],
                        "missingValues": [""],
                    },
                }
            ],
        }
    )
