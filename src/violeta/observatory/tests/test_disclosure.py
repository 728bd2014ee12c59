"""The suppression rule on small tables worked by hand."""

from __future__ import annotations

import pytest

from violeta.observatory.disclosure import Equation, determined, primary, suppress


def _table(cells: list[list[int]], name: str = "t") -> tuple[dict, list[Equation]]:
    """A 2-D table with row and column totals and a grand total, as quantities."""
    values: dict = {}
    equations = []
    for i, row in enumerate(cells):
        for j, value in enumerate(row):
            values[(name, i, j)] = value
        values[(name, i, "T")] = sum(row)
        equations.append(Equation((name, i, "T"), tuple((name, i, j) for j in range(len(row)))))
    for j in range(len(cells[0])):
        values[(name, "T", j)] = sum(row[j] for row in cells)
        equations.append(Equation((name, "T", j), tuple((name, i, j) for i in range(len(cells)))))
    values[(name, "T", "T")] = sum(map(sum, cells))
    equations.append(
        Equation((name, "T", "T"), tuple((name, "T", j) for j in range(len(cells[0]))))
    )
    return values, equations


def test_primary_hides_fewer_than_k_including_zero() -> None:
    assert primary({"a": 0, "b": 4, "c": 5, "d": 12}, 5) == {"a", "b"}


def test_one_small_cell_gets_three_complements_forming_a_rectangle() -> None:
    values, equations = _table([[20, 30, 40], [25, 3, 50], [60, 70, 80]])
    hidden = suppress(records=values, people=values, equations=equations, k=5)
    assert ("t", 1, 1) in hidden
    assert len(hidden) >= 4
    assert determined(hidden, equations) == set()
    # the complements are the smallest figures that protect it, not the totals
    assert ("t", "T", "T") not in hidden


def test_a_single_hidden_cell_is_recovered_by_subtraction() -> None:
    _, equations = _table([[20, 30], [25, 3]])
    assert determined({("t", 1, 1)}, equations) == {("t", 1, 1)}


def test_two_hidden_cells_in_one_row_only_are_still_recovered_through_columns() -> None:
    _, equations = _table([[20, 30, 40], [25, 3, 50]])
    # the classic "two per row" is not enough: each column has one hidden cell
    assert determined({("t", 1, 1), ("t", 1, 2)}, equations) == {("t", 1, 1), ("t", 1, 2)}


def test_a_chain_of_rectangles_joined_by_one_cell_is_caught() -> None:
    """Every row and column has two hidden cells, yet one is a bridge between two cycles."""
    cells = [[9, 9, 9, 9, 9], [9, 9, 9, 9, 9], [9, 9, 9, 9, 9], [9, 9, 9, 9, 9]]
    _, equations = _table(cells)
    square_a = {("t", 0, 0), ("t", 0, 1), ("t", 1, 0), ("t", 1, 1)}
    square_b = {("t", 2, 2), ("t", 2, 3), ("t", 3, 2), ("t", 3, 3)}
    bridge = ("t", 1, 2)
    hidden = square_a | square_b | {bridge}
    for line in range(4):  # the classic rule is satisfied: >= 2 hidden in every row and column
        assert sum(1 for h in hidden if h[1] == line) >= 2
        assert sum(1 for h in hidden if h[2] == line) >= 2
    assert determined(square_a | square_b, equations) == set()
    assert determined(hidden, equations) == {bridge}


def test_suppress_protects_the_bridge_too() -> None:
    cells = [[9, 9, 9, 9, 9], [9, 3, 9, 9, 9], [9, 9, 9, 9, 9], [9, 9, 9, 9, 9]]
    values, equations = _table(cells)
    hidden = suppress(records=values, people=values, equations=equations, k=5)
    assert ("t", 1, 1) in hidden and determined(hidden, equations) == set()


def test_a_margin_shared_by_two_tables_is_protected_in_both() -> None:
    left, eq_left = _table([[20, 30], [40, 50]], "a")
    right, eq_right = _table([[2, 30], [40, 50]], "b")
    # both tables' grand total is the same quantity
    shared = ("shared", "T")
    for eqs in (eq_left, eq_right):
        for n, e in enumerate(eqs):
            if e.total[1:] == ("T", "T"):
                eqs[n] = Equation(shared, e.parts)
    values = {**left, **right, shared: 140}
    equations = eq_left + eq_right
    hidden = suppress(records=values, people=values, equations=equations, k=5)
    assert ("b", 0, 0) in hidden and determined(hidden, equations) == set()


def test_zero_parts_of_a_published_total_get_a_positive_complement() -> None:
    """0 + 0 hidden beside a published total would be read as zeros: hide a real figure too."""
    values = {"total": 30, "a": 0, "b": 0, "c": 30}
    equations = [Equation("total", ("a", "b", "c"))]
    hidden = suppress(records=values, people=values, equations=equations, k=5)
    assert {"a", "b"} <= hidden and ("c" in hidden or "total" in hidden)


def test_women_decide_what_is_small_not_records() -> None:
    values, equations = _table([[20, 30], [25, 30]])
    people = {**values, ("t", 1, 1): 4}  # 30 records of 4 women
    hidden = suppress(records=values, people=people, equations=equations, k=5)
    assert ("t", 1, 1) in hidden and determined(hidden, equations) == set()


def test_k_must_be_positive() -> None:
    with pytest.raises(ValueError):
        suppress(records={}, people={}, equations=[], k=0)
