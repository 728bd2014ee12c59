"""Official figures beside Violeta's own on the public page, and their CSV downloads.

Each source shows its latest load (by release date, then load time), for Mexico City or the
alcaldía of the page's filter (when the source has alcaldías), in the page's period. Figures
the observatory derives from victim-level rows (FGJ) are shown only when they reach k.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from violeta.observatory.official_import import ALCALDIAS, FGJ_CATEGORIES, WOMEN
from violeta.observatory.official_models import OfficialDataset, OfficialFigure, OfficialSource
from violeta.observatory.selectors import HIDDEN, MONTH
from violeta.observatory.tables import month_range

CDMX = "09"
BY_ALCALDIA = {
    OfficialSource.FGJ_VICTIMS,
    OfficialSource.SESNSP_ALCALDIAS,
    OfficialSource.SESNSP_MUNICIPAL,
}
WOMEN_ONLY = {OfficialSource.FGJ_VICTIMS, OfficialSource.SESNSP_STATE_VICTIMS}
VICTIM_LEVEL = {OfficialSource.FGJ_VICTIMS}  # figures we count ourselves from row-level data


def publisher(source: str) -> tuple[str, str]:
    """(who publishes it and what, licence and attribution)."""
    if source == OfficialSource.FGJ_VICTIMS:
        return (
            _("Mexico City Attorney General's Office (FGJ CDMX), “Victims in investigation "
              "files”, Mexico City open-data portal"),
            _("CC BY 4.0; attribution: Fiscalía General de Justicia de la Ciudad de México"),
        )  # fmt: skip
    return (
        _("Executive Secretariat of the National Public Security System (SESNSP), datos.gob.mx"),
        _("Libre Uso MX; attribution: Secretariado Ejecutivo del Sistema Nacional de "
          "Seguridad Pública"),
    )  # fmt: skip


def measure(source: str) -> str:
    return {
        OfficialSource.FGJ_VICTIMS: _(
            "Women victims in investigation files for gender-violence crimes, by month the "
            "file was opened (counted by Violeta from the prosecutor's open data)"
        ),
        OfficialSource.SESNSP_ALCALDIAS: _("Investigation files opened, by month"),
        OfficialSource.SESNSP_MUNICIPAL: _("Investigation files opened, by month"),
        OfficialSource.SESNSP_STATE_VICTIMS: _("Women victims, by month"),
        OfficialSource.SESNSP_YEARLY: _("Crimes recorded, by year"),
        OfficialSource.SESNSP_911: _("Emergency (911) calls, by month"),
    }[OfficialSource(source)]


@dataclass
class OfficialTable:
    dataset: OfficialDataset
    slug: str
    caption: str
    publisher: str
    licence: str
    place: str
    row_header: str
    columns: list[str]
    rows: list[tuple[str, list[str]]]
    k: int | None = None


@dataclass
class OfficialSection:
    tables: list[OfficialTable] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    loaded: bool = False


def latest_datasets() -> list[OfficialDataset]:
    """The newest load of each source: latest release date, then latest load."""
    latest: dict[str, OfficialDataset] = {}
    for dataset in OfficialDataset.objects.order_by("-release_date", "-loaded_at", "-pk"):
        latest.setdefault(dataset.source, dataset)
    order = [s.value for s in OfficialSource]
    return sorted(latest.values(), key=lambda d: order.index(d.source))


def parse(params: dict[str, str]) -> tuple[str, str, str, list[str]]:
    """The page's filters (desde, hasta, alcaldia), checked the same way the page checks them."""
    values = {name: params.get(name, "").strip() for name in ("desde", "hasta", "alcaldia")}
    problems = []
    for name in ("desde", "hasta"):
        if values[name] and not MONTH.match(values[name]):
            problems.append(_("“%(value)s” in “%(name)s” is not a month (YYYY-MM).") % {
                "value": values[name][:20], "name": name})  # fmt: skip
    if values["desde"] and values["hasta"] and values["desde"] > values["hasta"]:
        problems.append(_("The period starts after it ends."))
    if values["alcaldia"] and values["alcaldia"] not in ALCALDIAS.values():
        problems.append(_("There is no “%(value)s” in “%(name)s”.") % {
            "value": values["alcaldia"][:40], "name": "alcaldia"})  # fmt: skip
    return values["desde"], values["hasta"], values["alcaldia"], problems


def _periods(dataset: OfficialDataset, since: str, until: str) -> list[str]:
    if dataset.yearly:
        years = range(int(dataset.first_period), int(dataset.last_period) + 1)
        return [
            str(y) for y in years
            if (not since or str(y) >= since[:4]) and (not until or str(y) <= until[:4])
        ]  # fmt: skip
    return [
        m for m in month_range(dataset.first_period, dataset.last_period)
        if (not since or m >= since) and (not until or m <= until)
    ]  # fmt: skip


def _categories(dataset: OfficialDataset) -> list[str]:
    if dataset.source == OfficialSource.FGJ_VICTIMS:
        return [code for code, _needles in FGJ_CATEGORIES if code in dataset.categories]
    return sorted(dataset.categories, key=lambda c: dataset.categories[c])


def _place(dataset: OfficialDataset, alcaldia: str, names: dict[str, str]) -> tuple[str, str]:
    """(the geography filter, its name): the alcaldía when the source has alcaldías."""
    if alcaldia and dataset.source in BY_ALCALDIA:
        return alcaldia, names.get(alcaldia, alcaldia)
    if alcaldia:
        return CDMX, _("Mexico City (this source has no figures by alcaldía)")
    return CDMX, _("Mexico City")


def build_table(dataset: OfficialDataset, since: str, until: str, alcaldia: str,
                names: dict[str, str]) -> OfficialTable:  # fmt: skip
    geo, place = _place(dataset, alcaldia, names)
    periods = _periods(dataset, since, until)
    figures = OfficialFigure.objects.filter(dataset=dataset, geo__startswith=geo)
    if dataset.source in WOMEN_ONLY:
        figures = figures.filter(sex=WOMEN)
    first, last = (periods[0], periods[-1]) if periods else ("~", "")  # no period: nothing
    figures = figures.filter(period__gte=first, period__lte=last)
    sums = {
        (row["period"], row["category"]): row["total"]
        for row in figures.values("period", "category").annotate(total=Sum("value"))
    }
    categories = _categories(dataset)
    k = settings.OBSERVATORY_K if dataset.source in VICTIM_LEVEL else None

    def cell(value: int | None) -> str:
        if k is not None:
            return str(value) if value is not None and value >= k else HIDDEN
        return str(value or 0)  # zeros are not stored

    rows = []
    for period in periods:
        values = [sums.get((period, c)) for c in categories]
        cells = [cell(v) for v in values]
        if k is not None:
            cells.append(cell(sum(v or 0 for v in values)))
        rows.append((period, cells))
    columns = [dataset.categories[c] for c in categories]
    if k is not None:
        columns.append(_("Total"))
    who, licence = publisher(dataset.source)
    caption = _("%(measure)s, %(place)s") % {"measure": measure(dataset.source), "place": place}
    header = _("Year") if dataset.yearly else _("Month")
    return OfficialTable(dataset, dataset.source, caption, who, licence, place, header,
                         columns, rows, k)  # fmt: skip


def official_section(params: dict[str, str]) -> OfficialSection:
    since, until, alcaldia, problems = parse(params)
    datasets = latest_datasets()
    section = OfficialSection(problems=problems, loaded=bool(datasets))
    if problems:
        return section
    from violeta.catalogs.models import Alcaldia

    names = dict(Alcaldia.objects.values_list("inegi_code", "name"))
    section.tables = [build_table(d, since, until, alcaldia, names) for d in datasets]
    return section


@login_not_required
def official_csv(request: HttpRequest, source: str) -> HttpResponse:
    """One official table with the page's filters, labelled with its source on every row."""
    params = {k: request.GET.get(k, "") for k in request.GET}
    section = official_section(params)
    if section.problems:
        response = HttpResponse(content_type="text/plain; charset=utf-8", status=400)
        response.write("\n".join(section.problems))
        return response
    tables = [t for t in section.tables if t.slug == source]
    if not tables:
        raise Http404(_("There are no official figures of this source."))
    table = tables[0]
    released = date_format(table.dataset.release_date, "Y-m-d")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="observatorio-oficial-{source}-{released}.csv"'
    )
    writer = csv.writer(response)
    extra = [_("Place"), _("Source"), _("Licence"), _("Release date")]
    writer.writerow([table.row_header, *table.columns, *extra])
    for label, cells in table.rows:
        writer.writerow([label, *cells, table.place, table.publisher, table.licence, released])
    return response
