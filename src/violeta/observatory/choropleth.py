"""The public map of the alcaldías: an SVG choropleth drawn on the server when boundaries are
loaded (``observatory.boundaries``), the tile grid (``observatory.tiles``) otherwise.

Like the tables, the map only *selects* published figures, one per alcaldía, the same ones a
table of the page shows for these filters (``selection``); it never adds anything up. A hidden
figure is drawn hatched and named "hidden figure", never as a number or a zero.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from violeta.observatory.boundaries import current_boundaries
from violeta.observatory.labels import Labels
from violeta.observatory.models import Release
from violeta.observatory.selectors import Filters, month_label
from violeta.observatory.tiles import Tile, shades, tiles


@dataclass(frozen=True)
class Selection:
    key: str  # the figure's key, with ``{code}`` for the alcaldía
    caption: str
    note: str = ""


@dataclass
class Area:
    code: str
    name: str
    path: str
    records: int | None
    shade: str  # q0..q4 (quintiles by rank among the published ones) or "hidden"
    label: str  # the accessible name: alcaldía and value, or "hidden figure"
    selected: bool = False


@dataclass
class MapView:
    caption: str
    note: str
    areas: list[Area] = field(default_factory=list)  # empty: no boundaries, tile grid
    tiles: list[Tile] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (shade, text)
    width: float = 0
    height: float = 0
    attribution: str = ""
    unplaced: str = ""  # the figure of records with no alcaldía recorded (not on the map)
    loaded_at: dt.datetime | None = None


def selection(f: Filters, release: Release, label: Labels) -> Selection | None:
    """Which published figure each alcaldía shows; ``None``: none for this period."""
    if f.type:  # the table "<type> by alcaldía, whole published period"
        return Selection(
            "cell|alcaldia|type|{code}|" + f.type,
            _("%(type)s by alcaldía, whole published period") % {"type": label("type", f.type)},
        )
    if f.since and f.since == f.until:  # that month's row of "records by month and alcaldía"
        if not release.first_month <= f.since <= release.last_month:
            return None
        return Selection(
            "cell|month|alcaldia|" + f.since + "|{code}",
            _("Records by alcaldía in %(month)s") % {"month": month_label(f.since, release)},
        )
    note = ""
    if f.since or f.until:
        note = _(
            "Figures by alcaldía are published for the whole period or for one month (choose "
            "the same month in both fields), not for other periods: the map shows the whole "
            "period."
        )
    # the total row of "records by month and alcaldía"
    return Selection("alcaldia|{code}", _("Records by alcaldía, whole published period"), note)


def _legend(values: dict[str, int | None], shade: dict[str, str]) -> list[tuple[str, str]]:
    legend = []
    for name in ("q0", "q1", "q2", "q3", "q4"):
        members = [v for c, v in values.items() if shade[c] == name and v is not None]
        if members:
            low, high = min(members), max(members)
            legend.append((name, str(low) if low == high else f"{low}–{high}"))
    if any(v is None for v in values.values()):
        legend.append(("hidden", _("hidden figure")))
    return legend


def build(
    data: dict[str, tuple[int | None, int | None]],
    f: Filters,
    release: Release,
    label: Labels,
) -> MapView | None:
    """The page's map for these filters (``None`` when the filters are bad or select nothing)."""
    chosen = None if f.problems else selection(f, release, label)
    names = label.names["alcaldia"]
    if chosen is None:
        return None
    view = MapView(chosen.caption, chosen.note)
    if chosen.key.format(code="sin_dato") in data:
        value = data[chosen.key.format(code="sin_dato")][0]
        view.unplaced = _("hidden figure") if value is None else str(value)
    loaded, paths = current_boundaries()
    if loaded is None:
        view.tiles = tiles(data, names, chosen.key)
        return view
    values = {code: data.get(chosen.key.format(code=code), (None, None))[0] for code in paths}
    shade = shades(values)
    for code in sorted(paths, key=lambda c: (c == f.alcaldia, c)):  # the selected one on top
        name, value = names.get(code, code), values[code]
        if value is None:
            text = _("%(alcaldia)s: hidden figure") % {"alcaldia": name}
        else:
            text = _("%(alcaldia)s: %(records)s records") % {"alcaldia": name, "records": value}
        view.areas.append(
            Area(code, name, paths[code], value, shade[code], text, code == f.alcaldia)
        )
    view.legend = _legend(values, shade)
    view.width, view.height = loaded.width, loaded.height
    view.attribution, view.loaded_at = loaded.attribution, loaded.loaded_at
    return view
