"""Small numbers protected in one place: counts of 1 to 4 never published, and no suppressed
cell recoverable from the published ones, tested by an attacker that solves for each suppressed
cell in whole numbers (scipy's MILP) given everything published."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp  # type: ignore[import-untyped]

from harbour import disclosure
from harbour.disclosure import (
    SYMBOL,
    ProtectedTable,
    Published,
    protect_column,
    protect_count,
    protect_table,
)


def attack(table: ProtectedTable) -> dict[tuple[int, int], tuple[int, int]]:
    """The least and most each suppressed cell can be, from the published table alone: every
    row and column adds up to its total, counts are whole and not negative."""
    rows, columns = len(table.cells), len(table.cells[0])
    bordered = [[*row, total] for row, total in zip(table.cells, table.row_totals, strict=True)]
    bordered.append([*table.column_totals, table.total])
    unknown = [
        (i, j) for i in range(rows + 1) for j in range(columns + 1) if bordered[i][j].suppressed
    ]
    if not unknown:
        return {}
    index = {cell: k for k, cell in enumerate(unknown)}
    lines = [[(i, j) for j in range(columns + 1)] for i in range(rows + 1)]
    lines += [[(i, j) for i in range(rows + 1)] for j in range(columns + 1)]
    a, b = [], []
    for line in lines:
        coefficients, known = np.zeros(len(unknown)), 0
        for position, cell in enumerate(line):
            sign = -1 if position == len(line) - 1 else 1
            if cell in index:
                coefficients[index[cell]] += sign
            else:
                known += sign * bordered[cell[0]][cell[1]].true_value
        if coefficients.any():
            a.append(coefficients)
            b.append(-known)
    constraint = LinearConstraint(np.array(a), np.array(b), np.array(b))
    ranges = {}
    for cell, k in index.items():
        goal = np.zeros(len(unknown))
        goal[k] = 1
        found = []
        for sign in (1, -1):
            result = milp(
                sign * goal,
                constraints=constraint,
                integrality=np.ones(len(unknown)),
                bounds=Bounds(0, 10**6),
            )
            assert result.status == 0
            found.append(round(sign * result.fun))
        ranges[cell] = (found[0], found[1])
    return ranges


def true_values(table: ProtectedTable) -> dict[tuple[int, int], int]:
    rows, columns = len(table.cells), len(table.cells[0])
    values = {(i, j): table.cells[i][j].true_value for i in range(rows) for j in range(columns)}
    values |= {(i, columns): t.true_value for i, t in enumerate(table.row_totals)}
    values |= {(rows, j): t.true_value for j, t in enumerate(table.column_totals)}
    values[(rows, columns)] = table.total.true_value
    return values


def test_a_count_of_1_to_4_is_never_shown_and_0_and_5_are():
    assert [str(protect_count(n)) for n in (0, 1, 4, 5, 1234)] == [
        "0",
        SYMBOL,
        SYMBOL,
        "5",
        "1,234",
    ]
    assert protect_count(3).value is None and protect_count(3).csv == SYMBOL


def test_a_small_count_beside_a_total_takes_a_second_cell_with_it():
    """Girls 3, boys 40, total 43: hiding the 3 alone gives it back as 43 - 40."""
    table = protect_column([3, 40])
    assert [str(c[0]) for c in table.cells] == [SYMBOL, SYMBOL]
    assert [c[0].reason for c in table.cells] == ["small", "secondary"]
    assert str(table.total) == "43"
    low, high = attack(table)[(0, 0)]
    assert low < high


def test_primary_suppression_alone_is_recovered_by_the_attacker():
    """Why secondary suppression exists: with only the small cell hidden, the attacker finds it
    exactly; protected, it cannot."""
    counts = [[3, 40], [12, 9]]
    protected = protect_table(counts)
    naive = ProtectedTable(
        cells=[[Published(3, suppressed=True), Published(40)], [Published(12), Published(9)]],
        row_totals=[Published(43), Published(21)],
        column_totals=[Published(15), Published(49)],
        total=Published(64),
    )
    assert attack(naive) == {(0, 0): (3, 3)}
    assert protected.suppressed >= 4
    for cell, (low, high) in attack(protected).items():
        assert low < high, cell


def test_without_totals_only_the_small_cells_are_hidden():
    table = protect_table([[3, 40], [12, 9]], totals=False)
    assert [[str(c) for c in row] for row in table.cells] == [[SYMBOL, "40"], ["12", "9"]]


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda rows: st.integers(1, 4).flatmap(
            lambda columns: st.lists(
                st.lists(
                    st.one_of(st.integers(0, 6), st.integers(0, 60)),
                    min_size=columns,
                    max_size=columns,
                ),
                min_size=rows,
                max_size=rows,
            )
        )
    )
)
def test_no_suppressed_cell_can_be_recovered_from_any_table(counts):
    table = protect_table(counts)
    truth = true_values(table)
    published = {
        cell: p
        for cell, p in zip(
            truth,
            [c for row in table.cells for c in row]
            + table.row_totals
            + table.column_totals
            + [table.total],
            strict=True,
        )
    }
    # Every count of 1 to 4 is hidden, and every number shown is the true one.
    for cell, value in truth.items():
        if 0 < value < 5:
            assert published[cell].suppressed, cell
        if not published[cell].suppressed:
            assert published[cell].value == value
    # No hidden number can be worked out exactly from the ones shown.
    for cell, (low, high) in attack(table).items():
        assert low <= truth[cell] <= high
        assert low < high, (counts, cell)


def test_a_table_of_one_row_and_a_table_of_nothing():
    table = protect_table([[2, 7, 9]])
    assert all(low < high for low, high in attack(table).values())
    empty = protect_table([])
    assert empty.cells == [] and str(empty.total) == "0"
    with pytest.raises(ValueError, match="negative"):
        protect_table([[1, -2]])


@settings(max_examples=80, deadline=None)
@given(
    st.integers(1, 6).flatmap(
        lambda columns: st.lists(
            st.lists(
                st.sampled_from([0, 0, 1, 2, 4, 5, 7, 30]), min_size=columns, max_size=columns
            ),
            min_size=1,
            max_size=8,
        )
    )
)
def test_the_shape_of_the_table_settles_cells_as_the_linear_programmes_would(counts):
    """Bridges of the hidden cells are fixed and cells on a cycle of non-zero hidden cells are
    free (``_settled_by_structure``): the same table as deciding every cell by linear
    programming, neither more nor fewer cells hidden."""
    fast = protect_table(counts)
    with mock.patch.object(disclosure, "_settled_by_structure", return_value=(set(), set())):
        slow = protect_table(counts)
    assert fast == slow
