"""Reading the current release for the public pages: filters only *select* published figures."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from violeta.observatory.labels import Labels, dimension_title
from violeta.observatory.models import Figure, Release
from violeta.observatory.tables import MONTH_TABLES, month_range

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
SECTIONS = ("month", *MONTH_TABLES, "alert_level")
HIDDEN = "—"
MEASURES = ["records", "women"]


@dataclass
class Filters:
    since: str = ""
    until: str = ""
    alcaldia: str = ""
    type: str = ""
    problems: list[str] = field(default_factory=list)
    # the same messages by query parameter (the open-data API names the parameter at fault)
    errors: dict[str, list[str]] = field(default_factory=dict)

    def problem(self, names: tuple[str, ...], message: str) -> None:
        self.problems.append(message)
        for name in names:
            self.errors.setdefault(name, []).append(message)


@dataclass
class Table:
    slug: str
    caption: str
    columns: list[str]
    rows: list[tuple[str, list[str]]]
    row_header: str = ""
    # machine-readable codes of the rows (month, "total" or category) and columns (category,
    # or "records"/"women"), for the open-data API
    row_codes: list[str] = field(default_factory=list)
    column_codes: list[str] = field(default_factory=list)


def current_release() -> Release | None:
    return Release.objects.filter(is_current=True).first()


def figures(release: Release) -> dict[str, tuple[int | None, int | None]]:
    return {
        key: (records, women)
        for key, records, women in Figure.objects.filter(release=release).values_list(
            "key", "records", "women"
        )
    }


def parse_filters(params: dict[str, str], release: Release, known: set[str]) -> Filters:
    """Read the query string; every bad value is named in ``problems`` (then nothing is shown)."""
    f = Filters()
    for name, attr in (("desde", "since"), ("hasta", "until")):
        value = params.get(name, "").strip()
        if value and not MONTH.match(value):
            f.problem((name,), _("“%(value)s” in “%(name)s” is not a month (YYYY-MM).") % {
                "value": value[:20], "name": name})  # fmt: skip
        elif value:
            setattr(f, attr, value)
    if f.since and f.until and f.since > f.until:
        f.problem(("desde", "hasta"), _("The period starts after it ends."))
    for name, attr, dim in (("alcaldia", "alcaldia", "alcaldia"), ("tipo", "type", "type")):
        value = params.get(name, "").strip()
        if value and f"{dim}|{value}" not in known:
            f.problem((name,), _("There is no “%(value)s” in “%(name)s”.") % {
                "value": value[:40], "name": name})  # fmt: skip
        elif value:
            setattr(f, attr, value)
    return f


def month_label(month: str, release: Release) -> str:
    if month == release.last_month:
        return _("%(month)s (provisional)") % {"month": month}
    return month


def _get(data: dict[str, tuple[int | None, int | None]], key: str) -> tuple[int | None, ...]:
    """A figure of the release; one it lacks (a release swapped mid-request) shows as hidden."""
    return data.get(key, (None, None))


def _cell(value: int | None) -> str:
    return HIDDEN if value is None else str(value)


def _pair(values: tuple[int | None, ...]) -> list[str]:
    return [_cell(v) for v in values]


def _measures() -> list[str]:
    return [_("Records"), _("Women")]


def build_tables(release: Release, data: dict[str, tuple[int | None, int | None]],
                 f: Filters) -> list[Table]:  # fmt: skip
    """The tables of the page for these filters, each made only of published figures."""
    months = [
        m for m in month_range(release.first_month, release.last_month)
        if (not f.since or m >= f.since) and (not f.until or m <= f.until)
    ]  # fmt: skip
    whole = not f.since and not f.until
    label = Labels()
    categories: dict[str, list[str]] = {}
    for key in data:
        parts = key.split("|")
        if len(parts) == 2 and parts[0] in (*MONTH_TABLES, "alert_level"):
            categories.setdefault(parts[0], []).append(parts[1])
    tables = []
    rows = [(month_label(m, release), _pair(_get(data, f"month|{m}"))) for m in months]
    if whole:
        rows.append((_("Total"), _pair(_get(data, "total"))))
    caption = _("Records and women attended by month")
    codes = [*months, "total"] if whole else months
    tables.append(Table("month", caption, _measures(), rows, _("Month"), codes, MEASURES))
    for dim in (*MONTH_TABLES, "alert_level"):
        cats = categories.get(dim, [])
        if dim == "alcaldia" and f.alcaldia:
            cats = [f.alcaldia]
        if dim == "type" and f.type:
            cats = [f.type]
        rows = [
            (
                month_label(m, release),
                [_cell(_get(data, f"cell|month|{dim}|{m}|{c}")[0]) for c in cats],
            )
            for m in months
        ]
        if whole:
            rows.append((_("Total"), [_cell(_get(data, f"{dim}|{c}")[0]) for c in cats]))
        caption = _("Records by month and %(dimension)s") % {"dimension": dimension_title(dim)}
        if dim == "alert_level":
            caption = _("Alerts raised by month and level (counts only)")
        columns = [label(dim, c) for c in cats]
        tables.append(Table(dim, caption, columns, rows, _("Month"), codes, cats))
        if dim in ("age", "agency", "risk", "type", "modality", "stage") and f.alcaldia:
            place = label("alcaldia", f.alcaldia)
            title = _("%(dimension)s in %(alcaldia)s, whole published period") % {
                "dimension": dimension_title(dim),
                "alcaldia": place,
            }
            wanted = [f.type] if dim == "type" and f.type else cats
            rows = [
                (label(dim, c), _pair(_get(data, f"cell|alcaldia|{dim}|{f.alcaldia}|{c}")))
                for c in wanted
            ]
            header = dimension_title(dim).capitalize()
            table = Table(f"alcaldia-{dim}", title, _measures(), rows, header, wanted, MEASURES)
            tables.append(table)
    if f.type:
        title = _("%(type)s by alcaldía, whole published period") % {"type": label("type", f.type)}
        places = categories.get("alcaldia", [])
        rows = [
            (label("alcaldia", a), _pair(_get(data, f"cell|alcaldia|type|{a}|{f.type}")))
            for a in places
        ]
        header = _("Alcaldía")
        tables.append(Table("type-alcaldia", title, _measures(), rows, header, places, MEASURES))
    return tables
