"""The fallback map: a tile grid of the 16 alcaldías (roughly where each one lies), for when no
boundaries are loaded. Each tile shows one published figure of its alcaldía: ``key`` names it (by
default the alcaldía's total for the whole period; see ``observatory.choropleth.selection``)."""

from __future__ import annotations

from dataclasses import dataclass

# (INEGI code, row, column): north at the top, west on the left.
GRID = (
    ("09002", 1, 2), ("09005", 1, 3),
    ("09016", 2, 2), ("09015", 2, 3), ("09017", 2, 4),
    ("09004", 3, 1), ("09010", 3, 2), ("09014", 3, 3), ("09006", 3, 4),
    ("09008", 4, 2), ("09003", 4, 3), ("09007", 4, 4),
    ("09012", 5, 3), ("09013", 5, 4), ("09011", 5, 5),
    ("09009", 6, 4),
)  # fmt: skip


@dataclass
class Tile:
    code: str
    name: str
    row: int
    column: int
    records: int | None
    women: int | None
    shade: str  # q0..q4 by records among the published tiles; "hidden" when suppressed


def shades(values: dict[str, int | None]) -> dict[str, str]:
    """q0..q4 by rank among the published values (quintiles); "hidden" for a hidden one."""
    shown = sorted(v for v in values.values() if v is not None)
    return {
        code: "hidden" if value is None else f"q{min(4, _rank(shown, value) * 5 // len(shown))}"
        for code, value in values.items()
    }


def _rank(shown: list[int], value: int) -> int:
    return sum(1 for other in shown if other < value)


def tiles(
    data: dict[str, tuple[int | None, int | None]],
    names: dict[str, str],
    key: str = "alcaldia|{code}",
) -> list[Tile]:
    found = []
    for code, row, column in GRID:
        records, women = data.get(key.format(code=code), (None, None))
        found.append(Tile(code, names.get(code, code), row, column, records, women, "hidden"))
    shade = shades({t.code: t.records for t in found})
    for tile in found:
        tile.shade = shade[tile.code]
    return found
