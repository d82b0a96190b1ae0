"""Reads on budgets: the Commission's latest advice, ledger balances, the R35 tables and the R25 checks.

Balances are derived from the append-only ledger, computed in the database. In every period and
budget line the ceiling is partitioned into five states (R25):

- ``unconditional`` = sum(commitment) + sum(redistribution) - sum(decommitment) - sum(lowering)
- ``held``          = sum(hold) + sum(redistribution_hold) - sum(release) - sum(forfeit) - sum(hold_lapse)
  - sum(hold_lowering)
- ``released``      = sum(release) - sum(release_lapse) - sum(release_lowering)
- ``forfeited``     = sum(forfeit): money that returned to the period (R24). It is free budget again
  (it does not count against the ceiling), but shown as its own state so each euro is in one state.
- ``available``     = ceiling - unconditional - held - released - forfeited (never allocated)

R25's inequality is ``unconditional + held + released <= ceiling``. A lapse (R46) returns a grant's whole
reservation straight to available: ``decommitment`` (unconditional part), ``hold_lapse`` (held part) and
``release_lapse`` (released part). A lowering (R51) or a decrease in a redistribution round (R52) returns part of
it: ``lowering``, ``hold_lowering``, ``release_lowering``; a round's increase commits available money again:
``redistribution`` (unconditional) and ``redistribution_hold`` (held back, R22).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    DecimalField,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from sectorplan.money import ZERO

from .constants import POOLED, DeadlineKind, LedgerKind
from .models import (
    Allocation,
    AllocationStatus,
    BudgetLine,
    CommissionAdvice,
    Deadline,
    DeadlineExtension,
    LedgerEntry,
    Period,
    Region,
)

MONEY = DecimalField(max_digits=14, decimal_places=2)


def _sum(kind: str, **extra) -> Coalesce:
    return Coalesce(Sum("amount", filter=Q(kind=kind, **extra)), Value(ZERO), output_field=MONEY)


LEDGER_SUMS = {k.value: _sum(k.value) for k in LedgerKind}


# --- Advice ------------------------------------------------------------------------------------


def advice_history(*, region: Region, period: Period | None = None):
    qs = CommissionAdvice.objects.filter(region=region).select_related("period", "recorded_by")
    if period is not None:
        qs = qs.filter(period=period)
    return qs.order_by("-date", "-recorded_at", "-id")


def latest_advice(*, period: Period, region: Region) -> CommissionAdvice | None:
    """R21: the latest advice counts (by date, then by the moment it was recorded)."""
    return advice_history(region=region, period=period).first()


def latest_advice_by_region(*, period: Period) -> dict[int, CommissionAdvice]:
    """One query: region id -> latest advice of ``period``."""
    latest = (
        CommissionAdvice.objects.filter(period=period, region=OuterRef("region"))
        .order_by("-date", "-recorded_at", "-id")
        .values("id")[:1]
    )
    qs = CommissionAdvice.objects.filter(period=period, id=Subquery(latest))
    return {advice.region_id: advice for advice in qs}


# --- Ledger balances ---------------------------------------------------------------------------


def line_balances(*, period: Period) -> dict[str, dict[str, Decimal]]:
    """Per budget line of ``period``: ceiling and the five states (see module docstring)."""
    ceilings = dict(BudgetLine.objects.filter(period=period).values_list("earmark", "ceiling"))
    sums = {
        row["earmark"]: row
        for row in LedgerEntry.objects.filter(period=period).values("earmark").annotate(**LEDGER_SUMS).order_by()
    }
    out = {}
    for earmark in sorted(set(ceilings) | set(sums)):
        row = sums.get(earmark, {})
        ceiling = ceilings.get(earmark, ZERO)
        out[earmark] = _states(ceiling, row)
    return out


def _states(ceiling: Decimal, row: dict) -> dict[str, Decimal]:
    def get(kind):
        return row.get(kind, ZERO) or ZERO

    unconditional = get("commitment") + get("redistribution") - get("decommitment") - get("lowering")
    released = get("release") - get("release_lapse") - get("release_lowering")
    forfeited = get("forfeit")
    held = (
        get("hold") + get("redistribution_hold") - get("release") - forfeited - get("hold_lapse") - get("hold_lowering")
    )
    return {
        "ceiling": ceiling,
        "unconditional": unconditional,
        "held": held,
        "released": released,
        "forfeited": forfeited,
        "committed": unconditional + held + released,
        "available": ceiling - unconditional - held - released - forfeited,
        "advances_paid": get("advance"),
        "settled": get("settlement") - get("settlement_reversal"),
        "reclaimed": get("reclaim"),
        # Flows of R51/R52 (R35): freed by lowerings and announced decreases; committed again by rounds.
        "lowered": get("lowering") + get("hold_lowering") + get("release_lowering"),
        "redistributed": get("redistribution") + get("redistribution_hold"),
    }


def ledger_states(row: dict) -> dict[str, Decimal]:
    """The states of one row of per-kind ledger sums (:data:`LEDGER_SUMS`), without a ceiling."""
    return _states(ZERO, row)


#: Per application, each state of R25 as signed sums of ledger kinds. The one definition of "what an
#: application has": the API, the portal, the letters and the statistics read it through
#: :func:`application_balances` or :func:`application_balance_annotations`.
APPLICATION_STATES: dict[str, dict[str, int]] = {
    "unconditional": {
        LedgerKind.COMMITMENT: 1, LedgerKind.REDISTRIBUTION: 1, LedgerKind.DECOMMITMENT: -1, LedgerKind.LOWERING: -1,
    },
    "held": {
        LedgerKind.HOLD: 1, LedgerKind.REDISTRIBUTION_HOLD: 1, LedgerKind.RELEASE: -1, LedgerKind.FORFEIT: -1,
        LedgerKind.HOLD_LAPSE: -1, LedgerKind.HOLD_LOWERING: -1,
    },
    "released": {LedgerKind.RELEASE: 1, LedgerKind.RELEASE_LAPSE: -1, LedgerKind.RELEASE_LOWERING: -1},
    "forfeited": {LedgerKind.FORFEIT: 1},
    # The reservation in force: unconditional + held + released.
    "reserved": {
        LedgerKind.COMMITMENT: 1, LedgerKind.DECOMMITMENT: -1, LedgerKind.HOLD: 1, LedgerKind.FORFEIT: -1,
        LedgerKind.HOLD_LAPSE: -1, LedgerKind.RELEASE_LAPSE: -1, LedgerKind.REDISTRIBUTION: 1,
        LedgerKind.REDISTRIBUTION_HOLD: 1, LedgerKind.LOWERING: -1, LedgerKind.HOLD_LOWERING: -1,
        LedgerKind.RELEASE_LOWERING: -1,
    },
    "advances_paid": {LedgerKind.ADVANCE: 1},
    "settled": {LedgerKind.SETTLEMENT: 1, LedgerKind.SETTLEMENT_REVERSAL: -1},
    "reclaimed": {LedgerKind.RECLAIM: 1},
}


def _signed_sum(signs: dict[str, int]) -> Coalesce:
    whens = [When(kind=kind, then=F("amount") if sign > 0 else -F("amount")) for kind, sign in signs.items()]
    return Coalesce(Sum(Case(*whens, default=Value(ZERO), output_field=MONEY)), Value(ZERO), output_field=MONEY)


def application_balances(*, application_ids=None, period: Period | None = None, region: Region | None = None) -> dict[int, dict]:
    """Application id -> its states (see :data:`APPLICATION_STATES`) and ``earmark`` (budget line), from the
    ledger in one GROUP BY. Applications without entries are absent."""
    qs = LedgerEntry.objects.filter(application__isnull=False)
    if application_ids is not None:
        qs = qs.filter(application_id__in=list(application_ids))
    if period is not None:
        qs = qs.filter(period=period)
    if region is not None:
        qs = qs.filter(application__region=region)
    rows = (
        qs.values("application_id")
        .annotate(earmark=Max("earmark"), **{state: _signed_sum(signs) for state, signs in APPLICATION_STATES.items()})
        .order_by("application_id")
    )
    return {row.pop("application_id"): row for row in rows}


def application_balance_annotations(outer_ref: str = "pk") -> dict[str, Subquery]:
    """``annotate(**application_balance_annotations())`` on a queryset of applications: each state of
    :data:`APPLICATION_STATES` as a correlated subquery over the ledger (0.00 without entries)."""
    out = {}
    for state, signs in APPLICATION_STATES.items():
        total = (
            LedgerEntry.objects.filter(application=OuterRef(outer_ref))
            .order_by()
            .values("application")
            .annotate(t=_signed_sum(signs))
            .values("t")
        )
        out[state] = Coalesce(Subquery(total, output_field=MONEY), Value(ZERO), output_field=MONEY)
    return out


def held_by_application(*, period: Period, region: Region | None = None) -> dict[int, dict]:
    """Application id -> {"held", "earmark"} for applications with money still held back."""
    balances = application_balances(period=period, region=region)
    return {
        app_id: {"held": row["held"], "earmark": row["earmark"]}
        for app_id, row in balances.items()
        if row["held"] > 0
    }


# --- R35 tables --------------------------------------------------------------------------------


def budget_line_expression(prefix: str = "") -> Case:
    """SQL form of :func:`budgets.ledger.budget_line_for` over an application (``prefix`` leads to it): 'pooled'
    in pooled periods, else the employer's earmark."""
    return Case(
        When(**{f"{prefix}period__pooled": True}, then=Value(POOLED)),
        default=F(f"{prefix}employer__earmark"),
        output_field=CharField(),
    )


def budget_table(*, periods=None, plan_totals: dict | None = None) -> list[dict]:
    """R35, one dict per period and budget line.

    Keys: ``period`` (number), ``earmark`` (``nursing_home``/``other``/``pooled``), ``ceiling``, ``requested``
    (requested amount of applications submitted and not withdrawn), ``eligible`` (assessed eligible amounts),
    ``granted`` (total granted incl. the held part: net commitment + hold), ``held`` (still held back),
    ``released``, ``forfeited``, ``available``, ``advances_paid``, ``settled``, ``reclaimed``. All money values
    are ``Decimal``.

    ``plan_totals`` maps (period id, budget line) to ``{"requested", "eligible"}``: the applications' side,
    given by the caller (``applications.selectors.budget_table``), since budgets reads no applications.

    Two queries whatever the number of periods and entries: the budget lines and one GROUP BY (period, line)
    over the ledger with a conditional SUM per kind. Grouping is on ``period_id`` (no join); the period
    numbers come with the budget lines.
    """
    lines = BudgetLine.objects.order_by("period__number", "earmark").values(
        "period_id", "period__number", "earmark", "ceiling"
    )
    ledger = LedgerEntry.objects.all()
    if periods is not None:
        numbers = list(periods)
        lines = lines.filter(period__number__in=numbers)
        ledger = ledger.filter(period__number__in=numbers)
    lines = list(lines)
    if not lines:
        return []

    requested = plan_totals or {}
    sums = {
        (row["period_id"], row["earmark"]): row
        for row in ledger.values("period_id", "earmark").annotate(**LEDGER_SUMS).order_by()
    }
    out = []
    for line in lines:
        key = (line["period_id"], line["earmark"])
        row = sums.get(key, {})
        states = _states(line["ceiling"], row)
        app_row = requested.get(key, {})
        out.append(
            {
                "period": line["period__number"],
                "earmark": line["earmark"],
                "budget_line": line["earmark"],
                "unconditional": states["unconditional"],
                "reserved_at_allocation": app_row.get("reserved_at_allocation", ZERO),
                "lapsed": app_row.get("lapsed", ZERO),
                # R51/R52 flows from the ledger: freed by lowerings and decreases, committed again by rounds.
                "lowered": states["lowered"],
                "redistributed": states["redistributed"],
                "ceiling": line["ceiling"],
                "requested": app_row.get("requested", ZERO),
                "eligible": app_row.get("eligible", ZERO),
                # Net of lowering and lapses (R46: a lapsed grant is no longer granted, its held part neither).
                "granted": states["unconditional"] + row.get("hold", ZERO) + row.get("redistribution_hold", ZERO)
                - row.get("hold_lapse", ZERO) - row.get("hold_lowering", ZERO)
                - row.get("release_lapse", ZERO) - row.get("release_lowering", ZERO),
                "held": states["held"],
                "released": states["released"],
                "forfeited": states["forfeited"],
                "available": states["available"],
                "advances_paid": states["advances_paid"],
                "settled": states["settled"],
                "reclaimed": states["reclaimed"],
            }
        )
    return out


def holdback_table(*, periods=None) -> list[dict]:
    """R35, one dict per holdback period and region.

    Keys: ``period`` (number), ``region`` (code), ``region_name``, ``advice`` (latest outcome ``positive``/
    ``negative`` or None), ``advice_date`` (date or None), ``held`` (still held back), ``released``, ``forfeited``.

    Four queries whatever the number of periods: periods, regions, the latest advice per (period, region)
    (a correlated subquery, portable to SQLite) and one GROUP BY over the ledger.
    """
    period_qs = Period.objects.filter(holdback_applies=True).order_by("number")
    if periods is not None:
        period_qs = period_qs.filter(number__in=list(periods))
    period_list = list(period_qs)
    if not period_list:
        return []
    sums = defaultdict(dict)
    for row in (
        LedgerEntry.objects.filter(period__in=period_list, application__isnull=False)
        .values("period_id", "application__region_id")
        .annotate(hold=_sum("hold"), release=_sum("release"), forfeit=_sum("forfeit"), hold_lapse=_sum("hold_lapse"),
                  hold_lowering=_sum("hold_lowering"), redistribution_hold=_sum("redistribution_hold"),
                  release_lowering=_sum("release_lowering"))
        .order_by()
    ):
        sums[row["period_id"]][row["application__region_id"]] = row
    newest = (
        CommissionAdvice.objects.filter(period=OuterRef("period"), region=OuterRef("region"))
        .order_by("-date", "-recorded_at", "-id")
        .values("id")[:1]
    )
    latest = {
        (a["period_id"], a["region_id"]): a
        for a in CommissionAdvice.objects.filter(period__in=period_list, id=Subquery(newest)).values(
            "period_id", "region_id", "outcome", "date"
        )
    }
    regions = list(Region.objects.order_by("name").values("id", "code", "name"))
    out = []
    for period in period_list:
        for region in regions:
            row = sums[period.id].get(region["id"], {})
            advice = latest.get((period.id, region["id"]), {})
            hold, release, forfeit = (row.get(k, ZERO) for k in ("hold", "release", "forfeit"))
            out.append(
                {
                    "period": period.number,
                    "region": region["code"],
                    "region_name": region["name"],
                    "advice": advice.get("outcome"),
                    "advice_date": advice.get("date"),
                    "held": hold + row.get("redistribution_hold", ZERO) - release - forfeit - row.get("hold_lapse", ZERO)
                    - row.get("hold_lowering", ZERO),
                    "released": release - row.get("release_lowering", ZERO),
                    "forfeited": forfeit,
                }
            )
    return out


# --- R25 checks --------------------------------------------------------------------------------


def ledger_line_violations() -> list[str]:
    """The R25 invariants per period and budget line; an empty list means all hold. The per-application
    checks against the decisions are in ``applications.decisions.checks`` (``manage.py check_ledger`` runs both).

    Messages name periods and budget lines only (no personal data).
    """
    problems: list[str] = []
    for period in Period.objects.all():
        ceilings = dict(BudgetLine.objects.filter(period=period).values_list("earmark", "ceiling"))
        for earmark, states in line_balances(period=period).items():
            if earmark not in ceilings and states["committed"] + states["forfeited"] > 0:
                problems.append(f"period {period.number} {earmark}: ledger entries on a line without a ceiling")
            if states["committed"] > states["ceiling"]:
                problems.append(
                    f"period {period.number} {earmark}: committed {states['committed']} exceeds ceiling {states['ceiling']}"
                )
            if states["held"] < 0:
                problems.append(f"period {period.number} {earmark}: held is negative ({states['held']})")
    return problems


def allocation_current(*, period: Period):
    """The confirmed allocation of ``period``, else its latest proposal (None when there is none)."""
    return (
        Allocation.objects.filter(period=period, status__in=[AllocationStatus.CONFIRMED, AllocationStatus.PROPOSED])
        .annotate(
            rank=Case(When(status=AllocationStatus.CONFIRMED, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .order_by("rank", "-created_at", "-id")
        .first()
    )


def allocation_summary(*, allocation) -> dict:
    """The proposal as the API and office page show it (R18)."""
    return {
        "id": allocation.pk,
        "status": allocation.status,
        "method": allocation.method,
        "application_cap": allocation.application_cap,
        "floor": allocation.floor,
        "lines": [
            {"earmark": line.earmark, "ceiling": line.ceiling, "requested": line.requested, "factor": line.factor,
             "granted": line.granted}
            for line in allocation.lines.order_by("earmark")
        ],
        "applications": [
            {"id": row["application_id"], "reference": row["application__reference"], "earmark": row["earmark"],
             "eligible_amount": row["eligible_amount"], "granted_amount": row["granted_amount"]}
            for row in allocation.items.order_by("application__reference").values(
                "application_id", "application__reference", "earmark", "eligible_amount", "granted_amount"
            )
        ],
    }


# --- The deadline calendar and its extensions (R53) -----------------------------------------------


def _employer_id(employer) -> int | None:
    return getattr(employer, "pk", employer)


def calendar_date(*, period: Period, kind: str) -> date | None:
    """The calendar date of ``kind`` in ``period`` without extensions (accountability: the period's field,
    which the calendar row mirrors); None when the calendar has no such date."""
    if kind == DeadlineKind.ACCOUNTABILITY:
        return period.accountability_deadline
    row = Deadline.objects.filter(period=period, kind=kind).values_list("date", flat=True).first()
    return row


def deadlines_for_employers(*, period: Period, kind: str) -> tuple[date | None, dict[int, date]]:
    """``(period_date, {employer_id: date})``: the deadline of ``kind`` for the whole period and, for every
    employer with an extension of its own, that employer's deadline. Two queries; the rule of
    :func:`deadline_for` for many employers at once (the reminders)."""
    period_date = calendar_date(period=period, kind=kind)
    per_employer: dict[int, date] = {}
    for employer_id, day in DeadlineExtension.objects.filter(period=period, kind=kind).values_list("employer_id", "date"):
        if employer_id is None:
            period_date = day if period_date is None else max(period_date, day)
        else:
            per_employer[employer_id] = max(per_employer.get(employer_id, day), day)
    if period_date is not None:
        per_employer = {e: max(d, period_date) for e, d in per_employer.items()}
    return period_date, per_employer


def deadline_passed(deadline: date | None, today: date) -> bool:
    """R53: the one reading of "the deadline has passed": the deadline day itself is included, so a deadline has
    passed from the next day on; no deadline never passes. Every deadline check (repair, registration, agreement,
    accountability, a round's window) decides with it."""
    return deadline is not None and today > deadline


def deadline_for(*, period: Period, kind: str, employer=None) -> date | None:
    """R53: the deadline of ``kind`` in ``period`` that applies to ``employer`` (an Employer or its id; None:
    the whole period). The latest of the calendar date, the period-wide extensions and the employer's own
    extensions: an extension never moves a deadline earlier, so the latest extension is the one in force, and
    an employer with an older extension of its own still profits from a later period-wide one. None when the
    calendar has no date of that kind. Every deadline check reads it here."""
    period_date, per_employer = deadlines_for_employers(period=period, kind=kind)
    employer_id = _employer_id(employer)
    if employer_id is not None and employer_id in per_employer:
        return per_employer[employer_id]
    return period_date


def extensions_for(*, period: Period, employer=None):
    """R53: the extensions that apply to ``employer`` in ``period`` (period-wide and its own), oldest first;
    for showing them with their reasons. Without an employer: the period-wide extensions only."""
    qs = DeadlineExtension.objects.filter(period=period)
    employer_id = _employer_id(employer)
    if employer_id is None:
        return qs.filter(employer__isnull=True).order_by("kind", "created_at", "id")
    return qs.filter(Q(employer__isnull=True) | Q(employer_id=employer_id)).order_by("kind", "created_at", "id")


def deadline_overview(*, period: Period, employer=None) -> list[dict]:
    """R53: what an employer is shown: per deadline kind of the calendar (in calendar order) the calendar date,
    the date in force for ``employer`` and the extensions that apply (period-wide and its own) with their
    reasons, oldest first. ``whole_period`` tells a period-wide extension from the employer's own."""
    extensions: dict[str, list[dict]] = defaultdict(list)
    for ext in extensions_for(period=period, employer=employer):
        extensions[ext.kind].append({"date": ext.date, "reason": ext.reason, "whole_period": ext.employer_id is None})
    rows = []
    for kind, day in period.deadline_calendar():
        in_force = max([day, *(e["date"] for e in extensions[kind])])
        rows.append({"kind": kind, "label": DeadlineKind(kind).label, "calendar": day, "date": in_force,
                     "extended": in_force != day, "extensions": extensions[kind]})
    return rows
