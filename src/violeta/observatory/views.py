"""The public observatory: no login, only figures of the current release."""

from __future__ import annotations

import csv
from dataclasses import dataclass

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from violeta.observatory import choropleth
from violeta.observatory.labels import Labels
from violeta.observatory.models import Release
from violeta.observatory.selectors import (
    Filters,
    Table,
    build_tables,
    current_release,
    figures,
    parse_filters,
)


def _codes(known: set[str], dim: str) -> list[str]:
    return sorted(k.split("|")[1] for k in known if k.startswith(f"{dim}|"))


@dataclass
class _Selection:
    release: Release | None
    data: dict[str, tuple[int | None, int | None]]
    filters: Filters
    tables: list[Table]


def _select(request: HttpRequest) -> _Selection:
    """The current release's figures and the tables the query string selects."""
    release = current_release()
    if release is None:
        return _Selection(None, {}, Filters(), [])
    data = figures(release)
    f = parse_filters({k: request.GET.get(k, "") for k in request.GET}, release, set(data))
    tables = [] if f.problems else build_tables(release, data, f)
    return _Selection(release, data, f, tables)


def _context(request: HttpRequest) -> dict[str, object]:
    sel = _select(request)
    if sel.release is None:
        return {"release": None, "tables": [], "filters": sel.filters, "query": ""}
    known = set(sel.data)
    label = Labels()
    area_map = choropleth.build(sel.data, sel.filters, sel.release, label)
    alcaldias = [(c, label("alcaldia", c)) for c in _codes(known, "alcaldia")]
    types = [(c, label("type", c)) for c in _codes(known, "type")]
    return {
        "release": sel.release, "tables": sel.tables, "filters": sel.filters,
        "query": request.GET.urlencode(), "alcaldias": alcaldias, "types": types,
        "map": area_map, "tiles": area_map.tiles if area_map else [],
        "total_label": _("Total"), "month_header": _("Month"),
    }  # fmt: skip


@login_not_required
def observatory(request: HttpRequest) -> HttpResponse:
    context = _context(request)
    status = 400 if context["filters"].problems else 200  # type: ignore[attr-defined]
    return render(request, "observatory/observatory.html", context, status=status)


@login_not_required
def table_csv(request: HttpRequest, slug: str) -> HttpResponse:
    sel = _select(request)  # the tables only: no map, no filter labels
    if sel.filters.problems:
        response = HttpResponse(content_type="text/plain; charset=utf-8", status=400)
        response.write("\n".join(sel.filters.problems))
        return response
    tables = [t for t in sel.tables if t.slug == slug]
    if not tables:
        raise Http404(_("There is no such table for these filters."))
    table = tables[0]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="observatorio-{slug}.csv"'
    writer = csv.writer(response)
    writer.writerow(["", *table.columns])
    for label, cells in table.rows:
        writer.writerow([label, *cells])
    return response
