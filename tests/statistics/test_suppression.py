"""R36: small-cell suppression in region breakdowns, checked against an independent linear-algebra audit."""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from applications.statistics import AGE_BANDS, FOCUSES, percentage, suppress_region_tables


def _determined_cells(values, hidden):
    """Hidden cells whose value follows from the published row and column sums (exact Gaussian elimination).

    Unknowns are the hidden cells; each grid row and column gives one equation whose right-hand side is
    known. A cell is determined exactly when its unit vector lies in the row space of the equations.
    """
    n_rows, n_cols = len(values), len(values[0])
    unknowns = sorted(hidden)
    index = {c: k for k, c in enumerate(unknowns)}
    equations = []
    last_r, last_c = n_rows - 1, n_cols - 1
    for i in range(n_rows):  # sum of the band cells minus the total cell = 0
        equations.append({index[(i, j)]: Fraction(-1 if j == last_c else 1) for j in range(n_cols) if (i, j) in index})
    for j in range(n_cols):
        equations.append({index[(i, j)]: Fraction(-1 if i == last_r else 1) for i in range(n_rows) if (i, j) in index})
    # Row-reduce.
    rows = [dict(e) for e in equations if e]
    basis = []
    for var in range(len(unknowns)):
        pivot = next((r for r in rows if r.get(var)), None)
        if pivot is None:
            continue
        rows.remove(pivot)
        factor = pivot[var]
        pivot = {k: v / factor for k, v in pivot.items()}
        new_rows = []
        for r in rows:
            if r.get(var):
                f = r[var]
                r = {k: r.get(k, 0) - f * pivot.get(k, 0) for k in set(r) | set(pivot)}
                r = {k: v for k, v in r.items() if v}
            if r:
                new_rows.append(r)
        rows = new_rows
        basis = [
            ({k: b.get(k, 0) - b.get(var, 0) * pivot.get(k, 0) for k in set(b) | set(pivot)} if b.get(var) else b)
            for b in basis
        ]
        basis = [{k: v for k, v in b.items() if v} for b in basis]
        basis.append(pivot)
    # Reduced row echelon form: a cell is determined iff some basis row is exactly its unit vector.
    return {unknowns[next(iter(b))] for b in basis if len(b) == 1}


def _check(grids):
    result = suppress_region_tables(grids)
    for _code, (values, hidden) in result.items():
        for i, row in enumerate(values):
            for j, v in enumerate(row):
                if 0 < v < 5:
                    assert (i, j) in hidden, (i, j, v)
        assert _determined_cells(values, hidden) == set()
    return result


def test_audit_detects_a_lone_suppressed_cell():
    # Guards the auditor itself: one hidden cell in a row with a published total is determined.
    values = [[10, 3, 10, 10, 33], [10, 10, 10, 10, 40], [20, 13, 20, 20, 73]]
    assert _determined_cells(values, {(0, 1)}) == {(0, 1)}
    assert _determined_cells(values, {(0, 1), (0, 2), (1, 1), (1, 2)}) == set()


def test_single_small_cell_gets_secondary_suppression_in_its_row_and_column_R36():
    grids = {"r1": {"new_intake": [10, 3, 10, 10], "upskilling": [10, 10, 10, 10]}}
    values, hidden = _check(grids)["r1"]
    assert (0, 1) in hidden
    assert sum(1 for (i, _j) in hidden if i == 0) >= 2
    assert sum(1 for (_i, j) in hidden if j == 1) >= 2


def test_small_row_total_is_suppressed_R36():
    grids = {"r1": {"new_intake": [2, 1, 0, 0], "upskilling": [10, 10, 10, 10]}}
    values, hidden = _check(grids)["r1"]
    assert (0, 4) in hidden and (0, 0) in hidden and (0, 1) in hidden


def test_bridge_between_two_cycles_is_broken_R36():
    # A pattern where every hidden row/column has two hidden cells but one hidden cell is still a bridge
    # cannot remain: the audit finds nothing derivable.
    grids = {"r1": {f: [1, 1, 50, 50] for f in FOCUSES[:3]} | {FOCUSES[3]: [50, 50, 1, 1]}}
    _check(grids)


def test_position_hidden_in_one_region_is_hidden_in_another_too_R36():
    grids = {
        "a": {"new_intake": [10, 3, 10, 10], "upskilling": [10, 10, 10, 10]},
        "b": {"new_intake": [10, 10, 10, 10], "upskilling": [10, 10, 10, 10]},
        "c": {"new_intake": [20, 20, 20, 20], "upskilling": [20, 20, 20, 20]},
    }
    result = _check(grids)
    rows = {code: [*grids[code], None] for code in grids}
    positions = {}
    for code, (_values, hidden) in result.items():
        for i, j in hidden:
            positions.setdefault((rows[code][i], j), set()).add(code)
    assert positions and all(len(codes) >= 2 for codes in positions.values())
    assert result["b"][1], "region b (the smallest counts) shares the hidden positions of region a"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.lists(st.integers(0, 12), min_size=len(AGE_BANDS), max_size=len(AGE_BANDS)), min_size=1,
                 max_size=len(FOCUSES)),
        min_size=1, max_size=3,
    )
)
def test_no_suppressed_value_is_derivable_from_the_totals_R36(tables):
    grids = {}
    for n, table in enumerate(tables):
        grid = {FOCUSES[k]: row for k, row in enumerate(table) if any(row)}
        if grid:
            grids[f"region-{n}"] = grid
    if grids:
        _check(grids)


def test_percentages_round_half_up_R34():
    assert percentage(1, 3) == 33
    assert percentage(2, 3) == 67
    assert percentage(1, 8) == 13  # 12.5
    assert percentage(7, 8) == 88  # 87.5
    assert percentage(0, 0) == 0
