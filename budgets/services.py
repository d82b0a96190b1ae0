"""Writes on budgets: the initial load of reference data, allocation, advice, holdback and the ledger.

Keyword-only, transactional, audited where they change money. Edits of reference data are in
``reference_services``.
"""

from django.db import transaction
from django.utils.text import slugify

from . import reference
from .models import ActivityRate, BudgetLine, EmployerOrganisation, Period, Region


@transaction.atomic
def reference_data_seed() -> dict[str, int]:
    """Load the defaults of domain.md §3. Idempotent: existing rows are left as the office edited them."""
    created = {"employer_organisations": 0, "regions": 0, "periods": 0, "budget_lines": 0, "activity_rates": 0}
    for code, name, region_names in reference.EMPLOYER_ORGANISATIONS:
        org, made = EmployerOrganisation.objects.get_or_create(code=code, defaults={"name": name})
        created["employer_organisations"] += made
        for region_name in region_names:
            _region, made = Region.objects.get_or_create(
                code=slugify(region_name), defaults={"name": region_name, "employer_organisation": org}
            )
            created["regions"] += made
    for spec in reference.PERIODS:
        spec = dict(spec)
        lines = spec.pop("budget_lines")
        period, made = Period.objects.get_or_create(
            number=spec.pop("number"), defaults={**reference.PERIOD_DEFAULTS, **spec}
        )
        created["periods"] += made
        if made:
            for earmark, ceiling in lines.items():
                BudgetLine.objects.create(period=period, earmark=earmark, ceiling=ceiling)
                created["budget_lines"] += 1
            for rate in reference.ACTIVITY_RATES:
                ActivityRate.objects.create(period=period, **rate)
                created["activity_rates"] += 1
    return created


# --- Allocation, decisions, holdback and the ledger (R16-R25) -----------------------------------

from collections import defaultdict  # noqa: E402
from decimal import Decimal  # noqa: E402

from django.utils import timezone  # noqa: E402
from django.utils.translation import gettext as _  # noqa: E402

from applications.letters import letters_request_many  # noqa: E402
from applications.services import transition_many  # noqa: E402
from sectorplan.api.errors import DomainError, StateConflict  # noqa: E402
from sectorplan.money import ZERO  # noqa: E402

from . import selectors  # noqa: E402
from .allocation import advance_top_up, allocate, split_grant  # noqa: E402
from .constants import POOLED, AdviceOutcome, LedgerKind  # noqa: E402
from .models import (  # noqa: E402
    Allocation,
    AllocationItem,
    AllocationLine,
    AllocationStatus,
    CommissionAdvice,
    LedgerEntry,
)

#: Kinds that take money out of the free budget; they are checked against the ceiling (R19, R25).
COMMITTING_KINDS = frozenset({LedgerKind.COMMITMENT, LedgerKind.HOLD})
#: Kinds that move money out of "held"; they may not exceed what the application still has held.
FROM_HELD_KINDS = frozenset({LedgerKind.RELEASE, LedgerKind.FORFEIT})


def budget_line_for(*, period: Period, employer_earmark: str) -> str:
    """The budget line an application's money belongs to: 'pooled' in a pooled period, else its earmark."""
    return POOLED if period.pooled else employer_earmark


def _lock_period(period: Period) -> Period:
    """R19: every money-changing path of a period serialises on the period row."""
    return Period.objects.select_for_update().get(pk=period.pk)


def _check_ceiling(*, period: Period, adding: dict[str, Decimal]) -> None:
    """Raise 409 when committing ``adding`` (line -> amount) would exceed a ceiling. Caller holds the period lock."""
    balances = selectors.line_balances(period=period)
    for earmark, amount in adding.items():
        if not amount:
            continue
        line = balances.get(earmark)
        ceiling = line["ceiling"] if line else ZERO
        committed = line["committed"] if line else ZERO
        if committed + amount > ceiling:
            raise StateConflict(
                field="ceiling",
                code="ceiling_exceeded",
                message=_("This would commit %(total)s on budget line %(line)s, above its ceiling of %(ceiling)s.")
                % {"total": committed + amount, "line": earmark, "ceiling": ceiling},
            )


@transaction.atomic
def ledger_post(
    *, period: Period, earmark: str, application=None, decision=None, kind: str, amount: Decimal, by, memo: str = ""
) -> LedgerEntry:
    """Append one money movement to the ledger (R25). The generic entry point for other apps.

    ``amount`` is a non-negative Decimal; the kind gives the direction. Commitments and holds are checked
    against the ceiling under the period lock (R19); releases and forfeits against what is still held; a
    decommitment (a grant lowered on objection, R33) against what the application has committed.
    """
    if kind not in LedgerKind.values:
        raise DomainError(field="kind", code="invalid", message=_("Unknown ledger entry kind."))
    if amount is None or Decimal(amount) < 0:
        raise DomainError(field="amount", code="negative", message=_("A ledger amount is never negative."))
    period = _lock_period(period)
    if kind in COMMITTING_KINDS:
        _check_ceiling(period=period, adding={earmark: Decimal(amount)})
    if kind in FROM_HELD_KINDS:
        if application is None:
            raise DomainError(field="application", code="required", message=_("A release or forfeit names an application."))
        held = selectors.held_by_application(period=period).get(application.pk, {}).get("held", ZERO)
        if Decimal(amount) > held:
            raise StateConflict(field="amount", code="exceeds_held", message=_("More than is held back."))
    if kind == LedgerKind.DECOMMITMENT:
        # A decommitment gives back unconditional money of one application (R33): never more than it has.
        if application is None:
            raise DomainError(field="application", code="required", message=_("A decommitment names an application."))
        sums = LedgerEntry.objects.filter(application=application).aggregate(
            c=selectors.LEDGER_SUMS[LedgerKind.COMMITMENT], d=selectors.LEDGER_SUMS[LedgerKind.DECOMMITMENT]
        )
        if Decimal(amount) > sums["c"] - sums["d"]:
            raise StateConflict(field="amount", code="exceeds_committed", message=_("More than is committed."))
    return LedgerEntry.objects.create(
        period=period, earmark=earmark, application=application, decision=decision, kind=kind,
        amount=amount, actor=by, memo=memo,
    )


def _allocation_input(period: Period) -> list[dict]:
    from applications.constants import ApplicationStatus
    from applications.models import Application

    return list(
        Application.objects.filter(period=period, status=ApplicationStatus.ASSESSED)
        .values("id", "reference", "eligible_amount", "employer__earmark")
        .order_by("reference")
    )


def _require_ready(period: Period) -> None:
    from applications.constants import ApplicationStatus
    from applications.models import Application

    if timezone.now() < period.application_closes:
        raise StateConflict(
            field="period", code="window_open",
            message=_("The allocation can only be made after the application window has closed."),
        )
    unassessed = Application.objects.filter(period=period, status=ApplicationStatus.SUBMITTED).count()
    if unassessed:
        raise StateConflict(
            field="period", code="not_all_assessed",
            message=_("%(count)s submitted application(s) of this period are not yet assessed.") % {"count": unassessed},
        )
    if Allocation.objects.filter(period=period, status=AllocationStatus.CONFIRMED).exists():
        raise StateConflict(
            field="period", code="already_confirmed", message=_("The allocation of this period has been confirmed.")
        )


@transaction.atomic
def allocation_propose(*, period: Period, by) -> Allocation:
    """R16-R18: compute the allocation of ``period`` as a proposal (earlier proposals are discarded)."""
    period = _lock_period(period)
    _require_ready(period)
    rows = _allocation_input(period)
    ceilings = dict(BudgetLine.objects.filter(period=period).values_list("earmark", "ceiling"))
    by_line: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_line[budget_line_for(period=period, employer_earmark=row["employer__earmark"])].append(row)

    Allocation.objects.filter(period=period, status=AllocationStatus.PROPOSED).update(
        status=AllocationStatus.DISCARDED
    )
    allocation = Allocation.objects.create(period=period, created_by=by)
    lines, items = [], []
    for earmark in sorted(set(ceilings) | set(by_line)):
        line_rows = by_line.get(earmark, [])
        result = allocate(
            ceiling=ceilings.get(earmark, ZERO),
            eligible=[(r["reference"], r["eligible_amount"]) for r in line_rows],
            floor=period.oversubscription_floor,
        )
        lines.append(
            AllocationLine(
                allocation=allocation, earmark=earmark, ceiling=result.ceiling, requested=result.requested,
                factor=result.factor, granted=result.granted,
            )
        )
        items.extend(
            AllocationItem(
                allocation=allocation, application_id=r["id"], earmark=earmark,
                eligible_amount=r["eligible_amount"], granted_amount=result.grants[r["reference"]],
            )
            for r in line_rows
        )
    AllocationLine.objects.bulk_create(lines)
    AllocationItem.objects.bulk_create(items, batch_size=2000)
    return allocation


def _check_not_stale(allocation: Allocation, period: Period) -> None:
    """409 when applications or ceilings changed since the proposal."""
    current = {(r["id"], r["eligible_amount"]) for r in _allocation_input(period)}
    proposed = set(allocation.items.values_list("application_id", "eligible_amount"))
    ceilings = dict(BudgetLine.objects.filter(period=period).values_list("earmark", "ceiling"))
    proposed_ceilings = {
        e: c for e, c in allocation.lines.values_list("earmark", "ceiling") if e in ceilings or c
    }
    if current != proposed or ceilings != proposed_ceilings:
        raise StateConflict(
            field="allocation", code="stale",
            message=_("Applications or ceilings changed since this proposal was made; make a new proposal."),
        )


@transaction.atomic
def allocation_confirm(*, allocation: Allocation, by) -> Allocation:
    """R18-R22: confirm a proposal. Creates one grant (or rejection) decision per application, moves it to
    granted/rejected, writes the ledger and asks for the letters.

    Four-eyes (R4): if the decider assessed any application in the allocation, the whole confirmation is
    refused (409, code ``four_eyes``, listing the references); another decider must confirm.
    """
    from applications.constants import ApplicationStatus, DecisionKind
    from applications.models import Application, Decision

    period = _lock_period(allocation.period)
    allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
    if allocation.status == AllocationStatus.CONFIRMED:
        raise StateConflict(field="allocation", code="already_confirmed", message=_("This allocation is already confirmed."))
    if allocation.status == AllocationStatus.DISCARDED:
        raise StateConflict(
            field="allocation", code="discarded", message=_("This proposal was replaced by a newer one.")
        )
    _require_ready(period)
    _check_not_stale(allocation, period)

    items = list(allocation.items.all())
    applications = {
        a.pk: a
        for a in Application.objects.select_for_update()
        .filter(pk__in=[i.application_id for i in items])
        .select_related("region")
        .order_by("pk")
    }
    own = sorted(a.reference for a in applications.values() if a.assessed_by_id == by.pk)
    if own:
        raise StateConflict(
            field="allocation", code="four_eyes",
            message=_("You assessed these applications and may not decide them; another decider must confirm: %(refs)s")
            % {"refs": ", ".join(own[:50]) + (" …" if len(own) > 50 else "")},
        )

    advice = selectors.latest_advice_by_region(period=period) if period.holdback_applies else {}
    today = timezone.localdate()
    decisions, granted, rejected = [], [], []
    adding: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for item in items:
        application = applications[item.application_id]
        if item.granted_amount > 0:
            latest = advice.get(application.region_id)
            hold = period.holdback_applies and not (latest and latest.outcome == AdviceOutcome.POSITIVE)
            split = split_grant(
                granted=item.granted_amount, hold=hold, holdback_percent=period.holdback_percent,
                advance_percent=period.advance_percent,
            )
            decisions.append(
                Decision(
                    application=application, kind=DecisionKind.GRANT, date=today, decided_by=by,
                    granted_amount=split.granted, held_amount=split.held, advance_amount=split.advance,
                    allocation=allocation,
                )
            )
            granted.append(application)
            adding[item.earmark] += split.granted
        else:
            decisions.append(
                Decision(
                    application=application, kind=DecisionKind.REJECTION, date=today, decided_by=by,
                    allocation=allocation,
                    reasons=_("No part of the requested amount is eligible, or no budget is left for it."),
                )
            )
            rejected.append(application)
    _check_ceiling(period=period, adding=dict(adding))

    decisions = Decision.objects.bulk_create(decisions, batch_size=2000)
    earmark_of = {i.application_id: i.earmark for i in items}
    entries = []
    for d in decisions:
        if d.kind != DecisionKind.GRANT:
            continue
        common = {"period": period, "earmark": earmark_of[d.application_id], "application_id": d.application_id,
                  "decision": d, "actor": by, "memo": f"allocation {allocation.pk}"}
        entries.append(LedgerEntry(kind=LedgerKind.COMMITMENT, amount=d.granted_amount - d.held_amount, **common))
        if d.held_amount:
            entries.append(LedgerEntry(kind=LedgerKind.HOLD, amount=d.held_amount, **common))
        if d.advance_amount:
            entries.append(LedgerEntry(kind=LedgerKind.ADVANCE, amount=d.advance_amount, **common))
    LedgerEntry.objects.bulk_create(entries, batch_size=2000)
    transition_many(applications=granted, to=ApplicationStatus.GRANTED, by=by, reason=_("Grant decided"))
    transition_many(applications=rejected, to=ApplicationStatus.REJECTED, by=by, reason=_("Rejected: nothing eligible"))
    letters_request_many(decisions=decisions, by=by)

    allocation.status = AllocationStatus.CONFIRMED
    allocation.confirmed_by = by
    allocation.confirmed_at = timezone.now()
    allocation.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    return allocation


def _holdback_decide(*, period: Period, region: Region, by, kind: str) -> list:
    """Release or forfeit everything still held for ``region`` in ``period``. Caller holds the period lock."""
    from applications.constants import DecisionKind
    from applications.models import Application, Decision

    held = selectors.held_by_application(period=period, region=region)
    if not held:
        return []
    applications = {
        a.pk: a for a in Application.objects.select_for_update().filter(pk__in=list(held)).order_by("pk")
    }
    if kind == DecisionKind.HOLDBACK_RELEASE:
        # A settled application's settlement is final (R30 capped it at what was unconditional or
        # released then): a later release would pay out money no settlement covers. Its held part stays
        # held, and can still be forfeited.
        held = {app_id: row for app_id, row in held.items() if applications[app_id].status != "settled"}
        if not held:
            return []
    today = timezone.localdate()
    decisions = []
    for app_id in sorted(held):
        amount = held[app_id]["held"]
        if kind == DecisionKind.HOLDBACK_RELEASE:
            decisions.append(
                Decision(
                    application=applications[app_id], kind=kind, date=today, decided_by=by,
                    released_amount=amount,
                    advance_amount=advance_top_up(released=amount, advance_percent=period.advance_percent),
                )
            )
        else:
            decisions.append(
                Decision(application=applications[app_id], kind=kind, date=today, decided_by=by, forfeited_amount=amount)
            )
    decisions = Decision.objects.bulk_create(decisions, batch_size=2000)
    entries = []
    for d in decisions:
        common = {"period": period, "earmark": held[d.application_id]["earmark"], "application_id": d.application_id,
                  "decision": d, "actor": by}
        if kind == DecisionKind.HOLDBACK_RELEASE:
            entries.append(LedgerEntry(kind=LedgerKind.RELEASE, amount=d.released_amount, **common))
            if d.advance_amount:
                entries.append(LedgerEntry(kind=LedgerKind.ADVANCE, amount=d.advance_amount, **common))
        else:
            entries.append(LedgerEntry(kind=LedgerKind.FORFEIT, amount=d.forfeited_amount, **common))
    LedgerEntry.objects.bulk_create(entries, batch_size=2000)
    letters_request_many(decisions=decisions, by=by)
    return decisions


@transaction.atomic
def advice_record(*, region: Region, period: Period, outcome: str, date, reference: str, by) -> CommissionAdvice:
    """R21/R23: record the Commission's advice; if the latest advice is now positive, release the region's
    held amounts of the period (one release decision and letter per application)."""
    from applications.constants import DecisionKind

    period = _lock_period(period)
    if not period.holdback_applies:
        raise DomainError(
            field="period", code="no_holdback", message=_("This period has no holdback; no advice is recorded for it.")
        )
    if outcome not in AdviceOutcome.values:
        raise DomainError(field="outcome", code="invalid_choice", message=_("The outcome is positive or negative."))
    advice = CommissionAdvice.objects.create(
        region=region, period=period, outcome=outcome, date=date, reference=reference, recorded_by=by
    )
    latest = selectors.latest_advice(period=period, region=region)
    if latest.outcome == AdviceOutcome.POSITIVE:
        _holdback_decide(period=period, region=region, by=by, kind=DecisionKind.HOLDBACK_RELEASE)
    return advice


@transaction.atomic
def holdback_forfeit(*, period: Period, region: Region, by) -> list:
    """R24: forfeit the region's held amounts of ``period`` after a negative latest advice. The money
    returns to the period as available (ledger state 'forfeited', free budget again)."""
    from applications.constants import DecisionKind

    period = _lock_period(period)
    latest = selectors.latest_advice(period=period, region=region)
    if latest is None or latest.outcome != AdviceOutcome.NEGATIVE:
        raise StateConflict(
            field="advice", code="advice_not_negative",
            message=_("Held-back amounts can only be forfeited when the region's latest advice is negative."),
        )
    decisions = _holdback_decide(period=period, region=region, by=by, kind=DecisionKind.HOLDBACK_FORFEIT)
    if not decisions:
        raise StateConflict(
            field="region", code="nothing_held", message=_("Nothing is held back for this region in this period.")
        )
    return decisions
