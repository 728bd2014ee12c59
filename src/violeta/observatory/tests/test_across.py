"""The audit against the previous release (``across``), on a table small enough to check by hand.

Two months (January closed, February provisional) by two alcaldías, with every margin: the
four cells are hidden in both releases (a 2 × 2 table with its margins shown leaves one degree
of freedom). Between the releases February gains 7 records, all in alcaldía A.
"""

from __future__ import annotations

import pytest

from violeta.observatory import services
from violeta.observatory.across import Previous, conditions, exposed, inside, unchanged
from violeta.observatory.disclosure import Equation
from violeta.observatory.tables import key_text

JAN, FEB = ("month", "2026-01"), ("month", "2026-02")
A, B = ("alcaldia", "09002"), ("alcaldia", "09003")
TOTAL = ("total",)


def cell(month: tuple[str, str], place: tuple[str, str]) -> tuple[str, ...]:
    return ("cell", "month", "alcaldia", month[1], place[1])


EQUATIONS = [
    Equation(TOTAL, (JAN, FEB)),
    Equation(TOTAL, (A, B)),
    *(Equation(m, (cell(m, A), cell(m, B))) for m in (JAN, FEB)),
    *(Equation(p, (cell(JAN, p), cell(FEB, p))) for p in (A, B)),
]
BEFORE = {JAN: 20, FEB: 10, A: 14, B: 16, TOTAL: 30,
          cell(JAN, A): 8, cell(JAN, B): 12, cell(FEB, A): 6, cell(FEB, B): 4}  # fmt: skip
CELLS = {cell(m, p) for m in (JAN, FEB) for p in (A, B)}
MARGINS = {JAN, FEB, A, B, TOTAL}


def previous(values: dict[tuple[str, ...], int], exact: bool = False) -> Previous:
    """The previous release: margins shown, cells hidden; with ``exact`` the exact values
    of its hidden cells are kept too (``Release.counts``)."""
    return Previous(
        keys=frozenset(values),
        current={key: (values[key], values[key]) for key in MARGINS},
        equations=EQUATIONS,
        counts={key: (n, n) for key, n in values.items()} if exact else {},
    )


def now(*added: tuple[tuple[str, str], tuple[str, str], int]) -> dict[tuple[str, ...], int]:
    """The values after ``added`` records (month, alcaldía, how many) were registered."""
    values = dict(BEFORE)
    for month, place, amount in added:
        for key in (month, place, TOTAL, cell(month, place)):
            values[key] += amount
    return values


def test_containment_follows_the_conditions_of_each_figure() -> None:
    assert conditions(cell(JAN, A)) == ("records", frozenset({JAN, A}))
    assert inside({JAN}, CELLS | MARGINS) == {JAN, cell(JAN, A), cell(JAN, B)}
    assert inside({TOTAL}, CELLS | MARGINS) == CELLS | MARGINS
    assert inside({("alerts",)}, CELLS | MARGINS) == set()  # another universe


def test_margins_that_gained_nothing_pin_the_change_of_a_hidden_cell() -> None:
    values = now((FEB, A, 7))
    assert unchanged(previous(BEFORE), values, values) == {JAN, B}
    found = exposed(
        previous(BEFORE), shown=MARGINS, records=values, women=values, equations=EQUATIONS, k=5
    )
    # January and B gained nothing, so neither did their cells (the same unknowns in both
    # releases); A gained 7, so February × A gained 7: the change of a hidden cell.
    assert found == {cell(FEB, A)}


def test_when_every_margin_moved_nothing_is_pinned() -> None:
    values = now((FEB, A, 7), (JAN, B, 6))
    found = exposed(
        previous(BEFORE), shown=MARGINS, records=values, women=values, equations=EQUATIONS, k=5
    )
    assert unchanged(previous(BEFORE), values, values) == set()
    assert found == set()  # each change has two unknowns, as within one release


def test_an_alcaldia_that_gained_nothing_puts_the_whole_change_of_a_month_in_the_other() -> None:
    values = now((FEB, A, 7), (JAN, A, 6))
    found = exposed(
        previous(BEFORE), shown=MARGINS, records=values, women=values, equations=EQUATIONS, k=5
    )
    assert unchanged(previous(BEFORE), values, values) == {B}
    assert found == {cell(JAN, A), cell(FEB, A)}  # their changes: January's and February's


def test_a_cell_hidden_before_and_shown_now_inside_a_figure_that_gained_nothing() -> None:
    values = now((FEB, A, 7))
    found = exposed(
        previous(BEFORE),
        shown=MARGINS | {cell(JAN, A)},  # January × A shown now: its value then is the same
        records=values,
        women=values,
        equations=EQUATIONS,
        k=5,
    )
    assert cell(JAN, A) in found


def test_a_figure_shown_before_and_hidden_now_though_unchanged_is_known() -> None:
    values = now((FEB, A, 7))
    found = exposed(
        previous(BEFORE), shown=MARGINS - {B}, records=values, women=values,
        equations=EQUATIONS, k=5,
    )  # fmt: skip
    assert B in found


def test_with_the_exact_values_kept_only_changes_under_k_count() -> None:
    for added, flagged in ((7, set()), (2, {cell(FEB, A)})):
        values = now((FEB, A, added))
        found = exposed(
            previous(BEFORE, exact=True), shown=MARGINS, records=values, women=values,
            equations=EQUATIONS, k=5,
        )  # fmt: skip
        assert found == flagged, added


def test_when_nothing_near_an_exposed_figure_can_be_hidden_every_changed_figure_is_held(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    values = now((FEB, A, 7))
    earlier = {key_text(key): [(BEFORE[key], BEFORE[key], 1)] for key in MARGINS}
    before = previous(BEFORE, exact=True)
    normal = services.protect_k(values, values, EQUATIONS, 5, earlier, previous=before)
    assert normal.known[key_text(FEB)] == (17, 17)  # February's +7 is shown
    original, calls = services._across, []

    def stuck_once(*args: object) -> set[tuple[str, ...]] | None:
        calls.append(args)  # the first time: exposed, and nothing near it to hide
        return None if len(calls) == 1 else original(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(services, "_across", stuck_once)
    held = services.protect_k(values, values, EQUATIONS, 5, earlier, previous=before)
    for margin in (FEB, A, TOTAL):  # every changed margin held at the value shown before
        assert held.shown[key_text(margin)] == (BEFORE[margin], BEFORE[margin])
        assert key_text(margin) not in held.known
    assert key_text(JAN) in held.known  # unchanged ones still shown
    by_text = {key_text(key): key for key in values}
    current = {by_text[text] for text in held.known}
    assert (
        exposed(before, shown=current, records=values, women=values, equations=EQUATIONS, k=5)
        == set()
    )  # and the real audit finds nothing in what is shown
