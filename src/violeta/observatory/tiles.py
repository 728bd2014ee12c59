"""The fallback map: a tile grid of the 16 alcaldías (roughly where each one lies), for when no
boundaries are loaded. Each tile shows the alcaldía's published total for the whole period."""

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


def tiles(data: dict[str, tuple[int | None, int | None]], names: dict[str, str]) -> list[Tile]:
    found = []
    for code, row, column in GRID:
        records, women = data.get(f"alcaldia|{code}", (None, None))
        found.append(Tile(code, names.get(code, code), row, column, records, women, "hidden"))
    shown = sorted(t.records for t in found if t.records is not None)
    for tile in found:
        if tile.records is not None and shown:
            rank = sum(1 for value in shown if value < tile.records)
            tile.shade = f"q{min(4, rank * 5 // len(shown))}"
    return found
