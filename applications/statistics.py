"""The ministry's tables (R34-R37): aggregated counts, never personal data.

Every selector here aggregates in the database with ``values().annotate(Count(...))`` and runs a fixed
number of queries, whatever the size of the data: the registrations table is one ``GROUP BY`` over the
registrations (joined to their application only when a period, region or earmark filter asks for it), plus
one small query on ``Period`` when no period filter is given; the region breakdown is one ``GROUP BY``
plus one query for the region names.

Which registrations a table status counts (R34, api.md)
-------------------------------------------------------
By the registration's own lifecycle status (R49), not by its application's:

- ``registered`` (the default): submitted for review, repair requested or approved; not drafts, not rejected;
- ``approved``: approved;
- ``started``: approved and reported started (R29);
- ``completed``: approved, started and reported completed.

Small-cell suppression in region breakdowns (R36)
-------------------------------------------------
Each region's table is treated as a closed grid: the focus rows plus the totals row, by the age-band
columns plus the total column. Every row and every column of that grid is one published linear
equation (the cells add up to their total).

1. *Primary suppression*: every cell counting 1-4 people, including a row total, a column total or the
   grand total, is suppressed (``null``).
2. *Secondary suppression*: the value of a suppressed cell can be worked out from the published
   numbers exactly when it is not on any cycle of suppressed cells (alternating between rows and
   columns). Seen as a bipartite graph (grid rows and grid columns as nodes, suppressed cells as
   edges) that is exactly when the cell is a *bridge*. As long as some suppressed cell is a bridge,
   one more cell is suppressed: preferably one that closes a cycle through the bridge, choosing the
   smallest non-zero published count (an interior cell before a total); otherwise the smallest other
   count in the bridge's row. A grid with every cell suppressed has no bridges, so this terminates.
   A row or column with exactly one suppressed cell is the simplest bridge, so it always gets a
   second one.
3. *Across regions*: the national table with the same filters is published too, so a cell position
   (focus x age band, or a total) suppressed in exactly one region could be recovered as
   national minus the other regions. Such a position is suppressed in a second region as well (the
   one with the smallest non-zero count there), after which step 2 runs again, until nothing changes.

A row with any suppressed cell carries ``"suppressed": true``. Percentages of suppressed cells are
``null``; when a row's total is suppressed, all of that row's percentages are ``null`` (a percentage
and a published count would otherwise reveal the total). What remains: exact values are not
derivable, but feasible ranges (from non-negativity) may be narrower than 0-4 in some patterns; the
cross-region step is a heuristic for lines across regions, not a full three-dimensional audit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from budgets.constants import ActivityType
from budgets.models import Period, Region

from .constants import AgeBand, ApplicationStatus, Focus, Outcome, RegistrationStatus
from .models import PlanLine, Registration

#: Smallest count published in region breakdowns (R36): 1..SUPPRESS_BELOW-1 are suppressed.
SUPPRESS_BELOW = 5

AGE_BANDS: tuple[str, ...] = tuple(AgeBand.values)
FOCUSES: tuple[str, ...] = tuple(Focus.values)


class TrajectoryStatus(models.TextChoices):
    """Which registrations the trajectories table counts (R34): the ``status`` query key."""

    REGISTERED = "registered", _("Registered: submitted for review, repair requested or approved")
    APPROVED = "approved", _("Approved registrations")
    STARTED = "started", _("Started (approved and reported started)")
    COMPLETED = "completed", _("Completed (approved, started and reported completed)")


#: The one place that says which registrations each table status counts (see the module docstring).
COUNTED: dict[str, Q] = {
    TrajectoryStatus.REGISTERED: Q(
        status__in=(RegistrationStatus.SUBMITTED, RegistrationStatus.REPAIR_REQUESTED, RegistrationStatus.APPROVED)
    ),
    TrajectoryStatus.APPROVED: Q(status=RegistrationStatus.APPROVED),
    TrajectoryStatus.STARTED: Q(status=RegistrationStatus.APPROVED, started=True),
    TrajectoryStatus.COMPLETED: Q(status=RegistrationStatus.APPROVED, started=True, outcome=Outcome.COMPLETED),
}

#: Plans that count as submitted for the planned table: every application once submitted, unless withdrawn.
NOT_SUBMITTED_PLANS = (ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN)


@dataclass(frozen=True)
class TableFilter:
    periods: tuple[int, ...] = ()
    region: str | None = None
    earmark: str | None = None
    status: str = TrajectoryStatus.REGISTERED


def percentage(count: int, total: int) -> int:
    """Row percentage rounded half-up to a whole percent (12.5 -> 13, 1/3 -> 33, 2/3 -> 67)."""
    if not total:
        return 0
    return int((Decimal(count) * 100 / Decimal(total)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _narrowed(qs, f: TableFilter):
    """``qs`` (rows with an ``application``) limited to the table's period, region and earmark filters."""
    if f.periods:
        qs = qs.filter(application__period__number__in=f.periods)
    if f.region:
        qs = qs.filter(application__region__code=f.region)
    if f.earmark:
        qs = qs.filter(application__employer__earmark=f.earmark)
    return qs


def _registrations(f: TableFilter):
    """The registrations the table counts: by their own status (``COUNTED``), then the filters."""
    return _narrowed(Registration.objects.filter(COUNTED[f.status]), f)


def _periods_of(f: TableFilter) -> list[int]:
    if f.periods:
        return sorted(set(f.periods))
    return list(Period.objects.order_by("number").values_list("number", flat=True))


def _grid(counts: dict[tuple[str, str], int], columns: Sequence[str] = AGE_BANDS) -> dict[str, list[int]]:
    """``{focus: [count per column]}`` (columns: the age bands, or the activity types of the planned table)
    for the focuses present, in focus order."""
    grid: dict[str, list[int]] = {}
    for focus in FOCUSES:
        row = [counts.get((focus, column), 0) for column in columns]
        if any(row):
            grid[focus] = row
    return grid


def _table(grid: dict[str, list[int]], columns: Sequence[str] = AGE_BANDS) -> dict:
    rows = []
    col_totals = [0] * len(columns)
    for focus, counts in grid.items():
        total = sum(counts)
        rows.append(
            {
                "focus": focus,
                "counts": list(counts),
                "percentages": [percentage(c, total) for c in counts],
                "total": total,
            }
        )
        col_totals = [a + b for a, b in zip(col_totals, counts, strict=True)]
    grand = sum(col_totals)
    return {
        "rows": rows,
        "totals": {
            "counts": col_totals,
            "percentages": [percentage(c, grand) for c in col_totals],
            "total": grand,
        },
    }


def registration_table(
    *, periods: Iterable[int] | None = None, region: str | None = None, earmark: str | None = None,
    status: str = TrajectoryStatus.REGISTERED,
) -> dict:
    """Registrations (trajectories) by focus x age band: counts, row percentages, totals (R34).

    Narrowed to one region or less (a ``region`` filter, with any other filters) the table is suppressed as that region's table in the breakdown by region (R36): the same cells are hidden, the
    cross-region step included, so asking region by region reveals nothing the breakdown hides.

    Two queries at most: the ``GROUP BY region, focus, age_band`` and, without a period filter, the periods.
    """
    f = TableFilter(periods=tuple(periods or ()), region=None, earmark=earmark, status=status)
    per_region: dict[int, dict[tuple[str, str], int]] = {}
    for r in (
        _registrations(f).order_by().values("application__region__code", "focus", "age_band").annotate(n=Count("id"))
    ):
        per_region.setdefault(r["application__region__code"], {})[(r["focus"], r["age_band"])] = r["n"]
    head = {"periods": _periods_of(f), "status": str(f.status), "age_bands": list(AGE_BANDS)}
    table = _narrowed_table(per_region, region, AGE_BANDS)
    if not table["suppressed"]:
        del table["suppressed"]  # the national table's shape (api.md); "suppressed" only when something is
    return {**head, **table}


def _narrowed_table(per_region: dict[str, dict[tuple[str, str], int]], region: str | None, columns) -> dict:
    """The national table of ``per_region`` counts, or, narrowed by a ``region`` filter, that region's table
    suppressed as in the breakdown of every region with the same other filters (R36)."""
    if region is None:
        counts: dict[tuple[str, str], int] = {}
        for cells in per_region.values():
            for key, n in cells.items():
                counts[key] = counts.get(key, 0) + n
        return {**_table(_grid(counts, columns), columns), "suppressed": False}
    grid = _grid(per_region.get(region, {}), columns)
    if not grid:
        return {**_table(grid, columns), "suppressed": False}
    grids = {code: _grid(cells, columns) for code, cells in per_region.items()}
    grids = {code: g for code, g in grids.items() if g}
    values, hidden = suppress_region_tables(grids)[region]
    return {**_suppressed_table(grid, values, hidden), "suppressed": bool(hidden)}


# --- suppression -------------------------------------------------------------------------------------------

Cell = tuple[int, int]  # (grid row, grid column); the last row and the last column are the totals


def _closed_grid(grid: dict[str, list[int]]) -> list[list[int]]:
    """Rows of counts with a total column, followed by the totals row."""
    out = [[*counts, sum(counts)] for counts in grid.values()]
    width = len(next(iter(grid.values()), AGE_BANDS)) + 1
    out.append([sum(r[j] for r in out) for j in range(width)])
    return out


def _bridge_split(cells: set[Cell], edge: Cell) -> tuple[set, set] | None:
    """If ``edge`` is a bridge among ``cells``, the node sets on either side of it; else None.

    Nodes are ``("r", i)`` for grid rows and ``("c", j)`` for grid columns.
    """
    adjacency: dict[tuple, list[tuple]] = {}
    for i, j in cells:
        if (i, j) == edge:
            continue
        adjacency.setdefault(("r", i), []).append(("c", j))
        adjacency.setdefault(("c", j), []).append(("r", i))
    start, goal = ("r", edge[0]), ("c", edge[1])
    seen = {start}
    stack = [start]
    while stack:
        node = stack.pop()
        for nxt in adjacency.get(node, ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    if goal in seen:
        return None
    other = {goal}
    stack = [goal]
    while stack:
        node = stack.pop()
        for nxt in adjacency.get(node, ()):
            if nxt not in other:
                other.add(nxt)
                stack.append(nxt)
    return seen, other


def _preference(values: list[list[int]], cell: Cell) -> tuple:
    """Order candidates for secondary suppression: non-zero first, smallest, interior before totals."""
    i, j = cell
    last_row, last_col = len(values) - 1, len(values[0]) - 1
    value = values[i][j]
    return (value == 0, value, i == last_row or j == last_col, i, j)


def _secondary(values: list[list[int]], hidden: set[Cell]) -> set[Cell]:
    """Add cells to ``hidden`` until no hidden cell is a bridge (its value would be derivable)."""
    hidden = set(hidden)
    n_rows, n_cols = len(values), len(values[0])
    all_cells = [(i, j) for i in range(n_rows) for j in range(n_cols)]
    while True:
        bridge = None
        for edge in sorted(hidden):
            split = _bridge_split(hidden, edge)
            if split is not None:
                bridge = edge, split
                break
        if bridge is None:
            return hidden
        (bi, bj), (side_a, side_b) = bridge
        candidates = [
            (i, j)
            for i, j in all_cells
            if (i, j) not in hidden
            and ((("r", i) in side_a and ("c", j) in side_b) or (("r", i) in side_b and ("c", j) in side_a))
        ]
        if not candidates:
            candidates = [(bi, j) for j in range(n_cols) if (bi, j) not in hidden]
        if not candidates:
            candidates = [(i, bj) for i in range(n_rows) if (i, bj) not in hidden]
        hidden.add(min(candidates, key=lambda c: _preference(values, c)))


def _primary(values: list[list[int]]) -> set[Cell]:
    return {(i, j) for i, row in enumerate(values) for j, v in enumerate(row) if 0 < v < SUPPRESS_BELOW}


def suppress_region_tables(grids: dict[str, dict[str, list[int]]]) -> dict[str, tuple[list[list[int]], set[Cell]]]:
    """Per region code: its closed grid and the set of suppressed cells (see the module docstring)."""
    closed = {code: _closed_grid(grid) for code, grid in grids.items()}
    focus_rows = {code: [*grid.keys(), None] for code, grid in grids.items()}  # None: the totals row
    hidden = {code: _secondary(values, _primary(values)) for code, values in closed.items()}
    # Across regions: the same position (focus or totals row, age band or total column) hidden in
    # exactly one region is hidden in a second one too, then the per-region step runs again.
    for _step in range(10_000):  # bounded: every step hides one more cell
        positions: dict[tuple, list[str]] = {}
        for code, cells in hidden.items():
            for i, j in cells:
                positions.setdefault((focus_rows[code][i], j), []).append(code)
        fix = None
        for (focus, j), codes in sorted(positions.items(), key=lambda kv: (str(kv[0][0]), kv[0][1])):
            if len(codes) != 1:
                continue
            options = []
            for code, rows in focus_rows.items():
                if code != codes[0] and focus in rows and (rows.index(focus), j) not in hidden[code]:
                    value = closed[code][rows.index(focus)][j]
                    options.append((value == 0, value, code, rows.index(focus)))
            if options:
                fix = min(options), j
                break
        if fix is None:
            break
        (_zero, _value, code, i), j = fix
        hidden[code] = _secondary(closed[code], hidden[code] | {(i, j)})
    return {code: (closed[code], hidden[code]) for code in grids}


def _suppressed_table(grid: dict[str, list[int]], values: list[list[int]], hidden: set[Cell]) -> dict:
    last = len(values[0]) - 1  # the last column is the row total

    def row_out(i: int) -> dict:
        counts = [None if (i, j) in hidden else values[i][j] for j in range(last)]
        total = None if (i, last) in hidden else values[i][last]
        if total is None:
            percentages = [None] * last
        else:
            percentages = [None if c is None else percentage(c, total) for c in counts]
        return {
            "counts": counts,
            "percentages": percentages,
            "total": total,
            "suppressed": any((i, j) in hidden for j in range(last + 1)),
        }

    rows = [{"focus": focus, **row_out(i)} for i, focus in enumerate(grid)]
    return {"rows": rows, "totals": row_out(len(values) - 1)}


def registration_table_by_region(
    *, periods: Iterable[int] | None = None, region: str | None = None, earmark: str | None = None,
    status: str = TrajectoryStatus.REGISTERED,
) -> dict:
    """The registrations table per region, with small-cell suppression (R34, R36).

    Regions with at least one counted registration are listed, in the order of their names. Three
    queries at most: the ``GROUP BY region, focus, age_band``, the region names and (without a
    period filter) the periods.
    """
    # Suppressed across every region with the same other filters; a region filter then picks its table, so the
    # filtered answer hides what the unfiltered breakdown hides (R36).
    f = TableFilter(periods=tuple(periods or ()), region=None, earmark=earmark, status=status)
    per_region: dict[int, dict[tuple[str, str], int]] = {}
    for r in (
        _registrations(f).order_by().values("application__region_id", "focus", "age_band").annotate(n=Count("id"))
    ):
        per_region.setdefault(r["application__region_id"], {})[(r["focus"], r["age_band"])] = r["n"]
    regions = (
        Region.objects.filter(pk__in=list(per_region)).order_by("name").values_list("pk", "code", "name")
        if per_region
        else []
    )
    grids = {code: _grid(per_region[pk]) for pk, code, _name in regions}
    suppressed = suppress_region_tables(grids)
    return {
        "periods": _periods_of(f),
        "status": str(f.status),
        "age_bands": list(AGE_BANDS),
        "regions": [
            {"code": code, "name": name, **_suppressed_table(grids[code], *suppressed[code])}
            for _pk, code, name in regions if region is None or code == region
        ],
    }


# --- planned trajectories (R34, second table) -----------------------------------------------------------

ACTIVITY_TYPES: tuple[str, ...] = tuple(ActivityType.values)


def _plan_lines(f: TableFilter):
    """Plan lines of submitted plans (not drafts, not withdrawn), filtered like the trajectories table."""
    return _narrowed(PlanLine.objects.exclude(application__status__in=NOT_SUBMITTED_PLANS), f)


def planned_table(*, periods: Iterable[int] | None = None, region: str | None = None, earmark: str | None = None) -> dict:
    """Planned trajectories by focus x activity type from submitted plans (R34): counts, row percentages,
    totals. Narrowed to one region or less (a ``region`` filter), the table is suppressed as the trajectories table is (R36): a count
    of 1-4 is null and flagged, with secondary and cross-region suppression so no hidden cell can be derived.

    One ``GROUP BY region, focus, activity_type`` (a ``SUM`` of the lines' counts), and the periods without a filter.
    """
    f = TableFilter(periods=tuple(periods or ()), region=None, earmark=earmark)
    per_region: dict[str, dict[tuple[str, str], int]] = {}
    for r in _plan_lines(f).order_by().values("application__region__code", "focus", "activity_type").annotate(n=Sum("count")):
        per_region.setdefault(r["application__region__code"], {})[(r["focus"], r["activity_type"])] = r["n"]
    head = {"periods": _periods_of(f), "activity_types": list(ACTIVITY_TYPES)}
    return {**head, **_narrowed_table(per_region, region, ACTIVITY_TYPES)}


def csv_rows_registrations(data: dict) -> tuple[list[str], list[Sequence]]:
    """Header and rows of a registrations table (national or by region) for CSV (R37)."""
    bands = data["age_bands"]
    by_region = "regions" in data
    header = [
        *(["region", "region_name"] if by_region else []),
        "focus", *bands, "total", *(f"percentage {b}" for b in bands),
        *(["suppressed"] if by_region else []),
    ]

    def line(prefix: list, focus: str, row: dict) -> list:
        out = [*prefix, focus, *row["counts"], row["total"], *row["percentages"]]
        if by_region:
            out.append(str(bool(row.get("suppressed"))).lower())
        return out

    rows: list[Sequence] = []
    tables = data["regions"] if by_region else [data]
    for table in tables:
        prefix = [table["code"], table["name"]] if by_region else []
        for row in table["rows"]:
            rows.append(line(prefix, row["focus"], row))
        rows.append(line(prefix, "total", table["totals"]))
    return header, rows
