"""Reads on budgets: the Commission's latest advice, ledger balances, the R35 tables and the R25 checks.

Balances are derived from the append-only ledger, computed in the database. In every period and
budget line the ceiling is partitioned into five states (R25):

- ``unconditional`` = sum(commitment)
- ``held``          = sum(hold) - sum(release) - sum(forfeit)
- ``released``      = sum(release)
- ``forfeited``     = sum(forfeit): money that returned to the period (R24). It is free budget again
  (it does not count against the ceiling), but shown as its own state so each euro is in one state.
- ``available``     = ceiling - unconditional - held - released - forfeited (never allocated)

R25's inequality is ``unconditional + held + released <= ceiling``.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Case, CharField, DecimalField, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from sectorplan.money import ZERO

from .constants import POOLED, LedgerKind
from .models import BudgetLine, CommissionAdvice, LedgerEntry, Period, Region

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

    unconditional = get("commitment") - get("decommitment")
    released = get("release")
    forfeited = get("forfeit")
    held = get("hold") - released - forfeited
    return {
        "ceiling": ceiling,
        "unconditional": unconditional,
        "held": held,
        "released": released,
        "forfeited": forfeited,
        "committed": unconditional + held + released,
        "available": ceiling - unconditional - held - released - forfeited,
        "advances_paid": get("advance"),
        "settled": get("settlement"),
        "reclaimed": get("reclaim"),
    }


def held_by_application(*, period: Period, region: Region | None = None) -> dict[int, dict]:
    """Application id -> {"held", "earmark"} for applications with money still held back."""
    qs = LedgerEntry.objects.filter(period=period, application__isnull=False)
    if region is not None:
        qs = qs.filter(application__region=region)
    rows = (
        qs.values("application_id", "earmark")
        .annotate(
            held=_sum("hold") - _sum("release") - _sum("forfeit"),
        )
        .filter(held__gt=0)
        .order_by("application_id")
    )
    return {row["application_id"]: {"held": row["held"], "earmark": row["earmark"]} for row in rows}


# --- R35 tables --------------------------------------------------------------------------------


def _line_earmark_expr(prefix: str = "") -> Case:
    """The budget line an application's money belongs to: 'pooled' in pooled periods, else the employer's earmark."""
    return Case(
        When(**{f"{prefix}period__pooled": True}, then=Value(POOLED)),
        default=F(f"{prefix}employer__earmark"),
        output_field=CharField(),
    )


def budget_table(*, periods=None) -> list[dict]:
    """R35, one dict per period and budget line.

    Keys: ``period`` (number), ``earmark`` (``nursing_home``/``other``/``pooled``), ``ceiling``, ``requested``
    (requested amount of applications submitted and not withdrawn), ``eligible`` (assessed eligible amounts),
    ``granted`` (total granted incl. the held part: net commitment + hold), ``held`` (still held back),
    ``released``, ``forfeited``, ``available``, ``advances_paid``, ``settled``, ``reclaimed``. All money values
    are ``Decimal``.

    Three queries whatever the number of periods and entries: the budget lines, one GROUP BY over the
    applications and one GROUP BY (period, line) over the ledger with a conditional SUM per kind. Grouping is
    on ``period_id`` (no join); the period numbers come with the budget lines.
    """
    from applications.models import Application

    lines = BudgetLine.objects.order_by("period__number", "earmark").values(
        "period_id", "period__number", "earmark", "ceiling"
    )
    apps = Application.objects.exclude(status__in=["draft", "withdrawn"])
    ledger = LedgerEntry.objects.all()
    if periods is not None:
        numbers = list(periods)
        lines = lines.filter(period__number__in=numbers)
        apps = apps.filter(period__number__in=numbers)
        ledger = ledger.filter(period__number__in=numbers)
    lines = list(lines)
    if not lines:
        return []

    requested = {
        (row["period_id"], row["line"]): row
        for row in apps.annotate(line=_line_earmark_expr())
        .values("period_id", "line")
        .annotate(
            requested=Coalesce(Sum("requested_amount"), Value(ZERO), output_field=MONEY),
            eligible=Coalesce(Sum("eligible_amount"), Value(ZERO), output_field=MONEY),
        )
        .order_by()
    }
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
                "ceiling": line["ceiling"],
                "requested": app_row.get("requested", ZERO),
                "eligible": app_row.get("eligible", ZERO),
                "granted": states["unconditional"] + row.get("hold", ZERO),
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
        .annotate(hold=_sum("hold"), release=_sum("release"), forfeit=_sum("forfeit"))
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
                    "held": hold - release - forfeit,
                    "released": release,
                    "forfeited": forfeit,
                }
            )
    return out


# --- R25 checks --------------------------------------------------------------------------------


def ledger_violations() -> list[str]:
    """Every R25/R20 invariant the ledger must satisfy; an empty list means all hold.

    Messages name periods, budget lines, application references and decision ids only (no personal data).
    """
    from applications.constants import DecisionKind
    from applications.models import Decision
    from sectorplan.money import percent_of

    problems: list[str] = []
    # 1. Per period and budget line: unconditional + held + released <= ceiling; held >= 0; no line unknown.
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

    # 2. Per application: the ledger agrees with every decision kind (grant, ruling, release, forfeit,
    #    settlement), and held never goes negative. One query for the ledger, one for the decisions.
    ledger = {
        row["application_id"]: row
        for row in LedgerEntry.objects.filter(application__isnull=False)
        .values("application_id")
        .annotate(**LEDGER_SUMS)
        .order_by()
    }
    expected: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    rows = list(
        Decision.objects.order_by("application_id", "decided_at", "id").values(
            "id", "application_id", "kind", "supersedes_id", "granted_amount", "held_amount", "released_amount",
            "forfeited_amount", "advance_amount", "settled_amount", "payment_amount",
        )
    )
    root_kind_of = {}
    for d in rows:
        # The kind at the start of a chain of rulings (a superseded decision always comes earlier in ``rows``).
        root_kind_of[d["id"]] = root_kind_of.get(d["supersedes_id"], d["kind"]) if d["supersedes_id"] else d["kind"]
    superseded = {d["supersedes_id"] for d in rows if d["supersedes_id"]}
    for d in rows:
        exp = expected[d["application_id"]]
        kind = d["kind"]
        exp["advance"] += d["advance_amount"]
        if kind == DecisionKind.HOLDBACK_RELEASE:
            exp["release"] += d["released_amount"]
        elif kind == DecisionKind.HOLDBACK_FORFEIT:
            exp["forfeit"] += d["forfeited_amount"]
        elif kind == DecisionKind.SETTLEMENT:
            exp["settlement"] += d["settled_amount"] or ZERO
            if (d["payment_amount"] or ZERO) < 0:
                exp["reclaim"] -= d["payment_amount"]
        elif kind == DecisionKind.OBJECTION_RULING and (d["payment_amount"] or ZERO) < 0:
            exp["reclaim"] -= d["payment_amount"]  # advance paid above what a lowered grant allows (R20, R33)
        # The grant in force: a grant, or an upheld ruling replacing a grant-like decision, not itself replaced.
        in_force = d["id"] not in superseded and (
            kind == DecisionKind.GRANT
            or (
                kind == DecisionKind.OBJECTION_RULING
                and d["supersedes_id"] is not None
                and root_kind_of.get(d["id"]) in {DecisionKind.GRANT, DecisionKind.REJECTION}
            )
        )
        if in_force:
            exp["commitment"] = d["granted_amount"] - d["held_amount"]
            exp["hold"] = d["held_amount"]
    references = {}
    ids = set(ledger) | set(expected)
    if ids:
        from applications.models import Application

        references = dict(Application.objects.filter(pk__in=ids).values_list("pk", "reference"))
    for app_id in sorted(ids):
        led, dec = ledger.get(app_id, {}), expected.get(app_id, {})
        ref = references.get(app_id, app_id)
        net = {**led, "commitment": led.get("commitment", ZERO) - led.get("decommitment", ZERO)}
        for kind in ("commitment", "hold", "release", "forfeit", "advance", "settlement", "reclaim"):
            a, b = net.get(kind, ZERO), dec.get(kind, ZERO)
            if a != b:
                problems.append(f"application {ref}: ledger {kind} {a} != decisions {b}")
        if led and led.get("hold", ZERO) - led.get("release", ZERO) - led.get("forfeit", ZERO) < 0:
            problems.append(f"application {ref}: held is negative")
        # R30: a settlement never exceeds what was granted unconditionally plus what was released.
        if dec.get("settlement", ZERO) > dec.get("commitment", ZERO) + dec.get("release", ZERO):
            problems.append(f"application {ref}: settled above unconditional + released (R30)")

    # 2b. Each entry belongs to a decision of a kind that moves that money.
    allowed = {
        DecisionKind.GRANT: {"commitment", "hold", "advance"},
        DecisionKind.OBJECTION_RULING: {"commitment", "decommitment", "hold", "advance", "reclaim"},
        DecisionKind.HOLDBACK_RELEASE: {"release", "advance"},
        DecisionKind.HOLDBACK_FORFEIT: {"forfeit"},
        DecisionKind.SETTLEMENT: {"settlement", "reclaim"},
        DecisionKind.REJECTION: set(),
    }
    for row in (
        LedgerEntry.objects.filter(decision__isnull=False).values("decision__kind", "kind").distinct().order_by()
    ):
        if row["kind"] not in allowed.get(row["decision__kind"], set()):
            problems.append(f"ledger entries of kind {row['kind']} on {row['decision__kind']} decisions")

    # 3. Advances are the advance share (R20): of the unconditional part of a grant, of each release.
    for decision in (
        Decision.objects.filter(kind__in=[DecisionKind.GRANT, DecisionKind.HOLDBACK_RELEASE])
        .select_related("application__period")
        .iterator(chunk_size=2000)
    ):
        percent = decision.application.period.advance_percent
        base = (
            decision.granted_amount - decision.held_amount
            if decision.kind == DecisionKind.GRANT
            else decision.released_amount
        )
        if decision.advance_amount != percent_of(base, percent):
            problems.append(
                f"decision {decision.pk} ({decision.application.reference}): advance {decision.advance_amount} "
                f"is not {percent}% of {base}"
            )

    # 4. Every entry of an application lies in its period.
    wrong_period = LedgerEntry.objects.filter(application__isnull=False).exclude(period_id=F("application__period_id"))
    for entry_id in wrong_period.values_list("pk", flat=True)[:20]:
        problems.append(f"ledger entry {entry_id}: period differs from its application's period")
    return problems


def allocation_current(*, period: Period):
    """The confirmed allocation of ``period``, else its latest proposal (None when there is none)."""
    from django.db.models import IntegerField

    from .models import Allocation, AllocationStatus

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
