"""The only writer of ``Decision`` rows (R18-R33). Every decision service has one shape:

1. **lock**, in the order of :mod:`sectorplan.locking`: the period (every money path of a period serialises
   on it), then the allocation, then the applications (ascending id), then the decision concerned;
2. **check** the state and four-eyes (R4), and **compute** with the pure arithmetic of
   :mod:`budgets.allocation` (or a settlement computed by ``accounting``);
3. **write** the decision(s), the ledger entries (:mod:`budgets.ledger`, checked against the ceiling), the
   status change and its history row, in the same transaction;
4. **request the letter**, enqueued on commit (:mod:`.letters`).

Amounts a decision moves are booked on the decision itself (``granted_amount``, ``held_amount``,
``released_amount``, ...) and in the ledger; letters render the decision's booked amounts, never a
recomputation with today's rates.

The grant is a reservation (R20 v2): no advance is paid at the grant nor at a release (their
``advance_amount`` is 0 and they book no ``advance`` entry); advances follow approved registrations in runs
(R48).
"""

from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from budgets import selectors as budget_selectors
from budgets.allocation import allocate, hold_back_applies, split_grant
from budgets.amendment import increase, lower
from budgets.constants import AdviceOutcome, DeadlineKind, LedgerKind
from budgets.ledger import budget_line_for, check_ceiling, ledger_post_many, lock_period
from budgets.models import (
    Allocation,
    AllocationItem,
    AllocationLine,
    AllocationStatus,
    BudgetLine,
    CommissionAdvice,
    LedgerEntry,
    Period,
    Region,
)
from sectorplan.api.errors import DomainError, StateConflict
from sectorplan.locking import lock_many, lock_one, locked
from sectorplan.money import ZERO, format_eur, percent_of, round_half_up
from sectorplan.plausibility import check_past_date

from ..completion import latest_request
from ..constants import ApplicationStatus, DecisionKind
from ..models import Application, CompletionRequest, Decision
from ..selectors import refused_line_reasons
from ..services import transition, transition_many
from .amounts import amendment_movements, application_amounts, grant_in_force, is_grant_like
from .four_eyes import four_eyes_check
from .letters import letter_request, letters_request_many

# --- Shared steps --------------------------------------------------------------------------------


def _entry(*, application: Application, decision: Decision, kind: str, amount: Decimal, by, memo: str = "") -> LedgerEntry:
    return LedgerEntry(
        period_id=application.period_id,
        earmark=budget_line_for(period=application.period, employer_earmark=application.employer.earmark),
        application_id=application.pk, decision=decision, kind=kind, amount=amount, actor=by, memo=memo,
    )


def _latest_advice_positive(*, period: Period, region_id: int, advice: dict | None = None) -> bool:
    """R22: is the region's latest advice positive? ``advice``: the period's latest advice by region, read once
    by the caller (an empty dict means no advice yet; only None reads it here)."""
    if advice is None:
        advice = budget_selectors.latest_advice_by_region(period=period)
    latest = advice.get(region_id)
    return bool(latest and latest.outcome == AdviceOutcome.POSITIVE)


# --- Allocation (R16-R20, R22) --------------------------------------------------------------------


def allocation_input(period: Period) -> list[dict]:
    """The assessed applications of ``period`` that the allocation divides the budget over, with their
    receipt time (``submitted_at``: the order of ``first_come``, R16)."""
    return list(
        Application.objects.filter(period=period, status=ApplicationStatus.ASSESSED)
        .values("id", "reference", "eligible_amount", "employer__earmark", "submitted_at")
        .order_by("reference")
    )


def _allocation_fingerprint(period: Period) -> dict:
    """Everything a proposal depends on (R18): applications and eligible amounts, ceilings, floor, method
    and cap per application. (Receipt times are fixed at submission, so the applications cover them.)"""
    return {
        "applications": {(r["id"], r["eligible_amount"]) for r in allocation_input(period)},
        "ceilings": {e: c for e, c in BudgetLine.objects.filter(period=period).values_list("earmark", "ceiling")},
        "floor": period.oversubscription_floor,
        "method": period.allocation_method,
        "cap": period.application_cap,
    }


def _require_ready(period: Period) -> None:
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
    """R12, R16-R18: compute the allocation of ``period`` with its method and cap per application as a
    proposal (earlier proposals are discarded). The proposal records the floor, method and cap it used."""
    period = lock_period(period)
    _require_ready(period)
    rows = allocation_input(period)
    ceilings = dict(BudgetLine.objects.filter(period=period).values_list("earmark", "ceiling"))
    by_line: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_line[budget_line_for(period=period, employer_earmark=row["employer__earmark"])].append(row)

    Allocation.objects.filter(period=period, status=AllocationStatus.PROPOSED).update(
        status=AllocationStatus.DISCARDED
    )
    allocation = Allocation.objects.create(
        period=period, created_by=by, floor=period.oversubscription_floor, method=period.allocation_method,
        application_cap=period.application_cap,
    )
    lines, items = [], []
    for earmark in sorted(set(ceilings) | set(by_line)):
        line_rows = by_line.get(earmark, [])
        result = allocate(
            ceiling=ceilings.get(earmark, ZERO),
            eligible=[(r["reference"], r["eligible_amount"]) for r in line_rows],
            floor=period.oversubscription_floor,
            method=allocation.method,
            cap=allocation.application_cap,
            received={r["reference"]: r["submitted_at"] for r in line_rows},
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
    """R18: 409 when applications, eligible amounts, ceilings, the floor, the method or the cap per
    application changed since the proposal."""
    now = _allocation_fingerprint(period)
    proposed = {
        "applications": set(allocation.items.values_list("application_id", "eligible_amount")),
        "ceilings": {e: c for e, c in allocation.lines.values_list("earmark", "ceiling") if e in now["ceilings"] or c},
        "floor": allocation.floor,
        "method": allocation.method,
        "cap": allocation.application_cap,
    }
    if now != proposed:
        raise StateConflict(
            field="allocation", code="stale",
            message=_(
                "Applications, ceilings, the floor, the allocation method or the cap per application changed since "
                "this proposal was made; make a new proposal."
            ),
        )


def _allocation_decision(*, item: AllocationItem, application: Application, period: Period, advice: dict, by,
                         today: date, line_reasons: dict[int, str]) -> Decision:
    """The (unsaved) grant or rejection that confirming ``item`` writes (R18-R22): a reservation with its held part,
    or a rejection with the reviewer's reasons. Shared by the confirmation and its letter preview (R28)."""
    if item.granted_amount > 0:
        hold = hold_back_applies(
            holdback_applies=period.holdback_applies,
            advice_positive=_latest_advice_positive(period=period, region_id=application.region_id, advice=advice),
        )
        split = split_grant(granted=item.granted_amount, hold=hold, holdback_percent=period.holdback_percent)
        return Decision(
            application=application, kind=DecisionKind.GRANT, date=today, decided_by=by,
            granted_amount=split.granted, held_amount=split.held, advance_amount=ZERO,
            allocation_id=item.allocation_id, reasons=line_reasons.get(application.pk, ""),
        )
    return Decision(
        application=application, kind=DecisionKind.REJECTION, date=today, decided_by=by,
        allocation_id=item.allocation_id,
        reasons=line_reasons.get(application.pk)
        or _("No part of the requested amount is eligible, or no budget is left for it."),
    )


def allocation_preview_decisions(*, allocation: Allocation, by, applications=None) -> list[Decision]:
    """R28: before confirming, the decisions ``allocation`` would write, unsaved: the first grant and the first
    rejection (by reference) among ``applications`` (a queryset, e.g. the user's regions; all when None), for the
    office to preview one letter of each kind. Reads only; nothing is written or locked."""
    period = allocation.period
    items = allocation.items.select_related(
        "allocation", "application__employer", "application__period", "application__region"
    ).order_by("application__reference")
    if applications is not None:
        items = items.filter(application__in=applications)
    picked = [item for item in (items.filter(granted_amount__gt=0).first(), items.filter(granted_amount=0).first())
              if item is not None]
    advice = budget_selectors.latest_advice_by_region(period=period) if period.holdback_applies else {}
    line_reasons = refused_line_reasons([item.application_id for item in picked])
    return [
        _allocation_decision(item=item, application=item.application, period=period, advice=advice, by=by,
                             today=timezone.localdate(), line_reasons=line_reasons)
        for item in picked
    ]


@transaction.atomic
def allocation_confirm(*, allocation: Allocation, by) -> Allocation:
    """R18-R22: confirm a proposal. Creates one grant (a reservation: committed and held, no advance, R20)
    or rejection decision per application, moves it to granted/rejected, writes the ledger and asks for the
    letters.

    Four-eyes (R4): if the decider assessed any application in the allocation, the whole confirmation is
    refused (409, code ``four_eyes``, listing the references); another decider must confirm.
    """
    period = lock_period(allocation.period)
    allocation = lock_one(Allocation.objects, pk=allocation.pk)
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
        for a in lock_many(
            Application.objects.filter(pk__in=[i.application_id for i in items]).select_related("employer", "period")
        )
    }
    four_eyes_check(applications=applications.values(), user=by, field="allocation")

    advice = budget_selectors.latest_advice_by_region(period=period) if period.holdback_applies else {}
    today = timezone.localdate()
    line_reasons = refused_line_reasons(applications)  # R18, R27: the reviewer's reasons per refused plan line
    decisions, granted, rejected = [], [], []
    for item in items:
        application = applications[item.application_id]
        decision = _allocation_decision(item=item, application=application, period=period, advice=advice, by=by,
                                        today=today, line_reasons=line_reasons)
        decisions.append(decision)
        (granted if decision.kind == DecisionKind.GRANT else rejected).append(application)

    decisions = Decision.objects.bulk_create(decisions, batch_size=2000)
    entries = []
    for d in decisions:
        if d.kind != DecisionKind.GRANT:
            continue
        application = applications[d.application_id]
        memo = f"allocation {allocation.pk}"
        entries.append(_entry(application=application, decision=d, kind=LedgerKind.COMMITMENT,
                              amount=d.granted_amount - d.held_amount, by=by, memo=memo))
        entries.append(_entry(application=application, decision=d, kind=LedgerKind.HOLD, amount=d.held_amount,
                              by=by, memo=memo))
    ledger_post_many(period=period, entries=entries)
    transition_many(applications=granted, to=ApplicationStatus.GRANTED, by=by, reason=_("Grant decided"))
    transition_many(applications=rejected, to=ApplicationStatus.REJECTED, by=by, reason=_("Rejected: nothing eligible"))
    letters_request_many(decisions=decisions, by=by)

    allocation.status = AllocationStatus.CONFIRMED
    allocation.confirmed_by = by
    allocation.confirmed_at = timezone.now()
    allocation.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    return allocation


# --- Holdback: release and forfeit (R21-R24) --------------------------------------------------------


def _holdback_decide(*, period: Period, region: Region, by, kind: str, advice: CommissionAdvice) -> list[Decision]:
    """Release or forfeit everything still held for ``region`` in ``period``. Caller holds the period lock."""
    held = budget_selectors.held_by_application(period=period, region=region)
    if not held:
        return []
    applications = {
        a.pk: a for a in lock_many(Application.objects.filter(pk__in=list(held)).select_related("employer", "period"))
    }
    if kind == DecisionKind.HOLDBACK_RELEASE:
        # A settled application's settlement is final (R30 capped it at what was unconditional or
        # released then): a later release would pay out money no settlement covers. Its held part stays
        # held, and can still be forfeited.
        held = {app_id: row for app_id, row in held.items() if applications[app_id].status != ApplicationStatus.SETTLED}
        if not held:
            return []
    four_eyes_check(applications=[applications[app_id] for app_id in held], user=by, field="region")  # R4
    today = timezone.localdate()
    reason = _("Advice of the Commission of %(date)s, reference %(reference)s.") % {
        "date": advice.date.strftime("%d-%m-%Y"), "reference": advice.reference,
    }
    decisions = []
    for app_id in sorted(held):
        amount = held[app_id]["held"]
        if kind == DecisionKind.HOLDBACK_RELEASE:
            decisions.append(
                Decision(
                    application=applications[app_id], kind=kind, date=today, decided_by=by, reasons=reason,
                    released_amount=amount, advance_amount=ZERO,  # R20 v2: a release pays nothing either
                )
            )
        else:
            decisions.append(
                Decision(application=applications[app_id], kind=kind, date=today, decided_by=by, reasons=reason,
                         forfeited_amount=amount)
            )
    decisions = Decision.objects.bulk_create(decisions, batch_size=2000)
    entries = []
    for d in decisions:
        application = applications[d.application_id]
        if kind == DecisionKind.HOLDBACK_RELEASE:
            entries.append(_entry(application=application, decision=d, kind=LedgerKind.RELEASE,
                                  amount=d.released_amount, by=by))
        else:
            entries.append(_entry(application=application, decision=d, kind=LedgerKind.FORFEIT,
                                  amount=d.forfeited_amount, by=by))
    ledger_post_many(period=period, entries=entries)
    letters_request_many(decisions=decisions, by=by)
    return decisions


@transaction.atomic
def advice_record(*, region: Region, period: Period, outcome: str, date: date, reference: str, by) -> CommissionAdvice:
    """R21/R23: record the Commission's advice; if the latest advice is now positive, release the region's
    held amounts of the period (one release decision and letter per application)."""
    period = lock_period(period)
    if not period.holdback_applies:
        raise DomainError(
            field="period", code="no_holdback", message=_("This period has no holdback; no advice is recorded for it.")
        )
    if outcome not in AdviceOutcome.values:
        raise DomainError(field="outcome", code="invalid_choice", message=_("The outcome is positive or negative."))
    check_past_date(date, field="date")
    advice = CommissionAdvice.objects.create(
        region=region, period=period, outcome=outcome, date=date, reference=reference, recorded_by=by
    )
    latest = budget_selectors.latest_advice(period=period, region=region)
    if latest.outcome == AdviceOutcome.POSITIVE:
        _holdback_decide(period=period, region=region, by=by, kind=DecisionKind.HOLDBACK_RELEASE, advice=latest)
    return advice


@transaction.atomic
def holdback_forfeit(*, period: Period, region: Region, by) -> list[Decision]:
    """R24: forfeit the region's held amounts of ``period`` after a negative latest advice. The money
    returns to the period as available (ledger state 'forfeited', free budget again)."""
    period = lock_period(period)
    latest = budget_selectors.latest_advice(period=period, region=region)
    if latest is None or latest.outcome != AdviceOutcome.NEGATIVE:
        raise StateConflict(
            field="advice", code="advice_not_negative",
            message=_("Held-back amounts can only be forfeited when the region's latest advice is negative."),
        )
    decisions = _holdback_decide(period=period, region=region, by=by, kind=DecisionKind.HOLDBACK_FORFEIT, advice=latest)
    if not decisions:
        raise StateConflict(
            field="region", code="nothing_held", message=_("Nothing is held back for this region in this period.")
        )
    return decisions


# --- Lapse (R46) ----------------------------------------------------------------------------------


def agreement_deadline(period: Period) -> date | None:
    """R46, R53: the period's agreement deadline with the period-wide extensions (None when the calendar has
    none). An employer's own extension is read per application by the lapse."""
    return budget_selectors.deadline_for(period=period, kind=DeadlineKind.AGREEMENT)


def lapsing_among(*, period: Period, applications: list[Application], approved: Callable[[list[int]], set[int]],
                  today: date) -> list[Application]:
    """R46, R53: which of the period's granted ``applications`` lapse on ``today``: no approved agreement, and past
    the agreement deadline in force for their employer. Read by the lapse and by its confirmation page."""
    deadline = agreement_deadline(period)
    if deadline is None:
        return []
    exempt = approved([a.pk for a in applications])
    # R53: an employer whose own agreement deadline was extended beyond today does not lapse yet.
    _period_date, own_deadlines = budget_selectors.deadlines_for_employers(period=period, kind=DeadlineKind.AGREEMENT)
    return [a for a in applications if a.pk not in exempt and budget_selectors.deadline_passed(own_deadlines.get(a.employer_id, deadline), today)]


@transaction.atomic
def lapse_decide(*, period: Period, by, approved: Callable[[list[int]], set[int]], today: date | None = None) -> list[Decision]:
    """R46: after the period's agreement deadline every granted application of ``period`` without an approved
    project agreement lapses: a ``lapse`` decision each, its whole reservation back to available in the ledger
    (``decommitment`` of the unconditional part, ``hold_lapse`` of the held part, ``release_lapse`` of the
    released part), the status ``lapsed`` with its history row, and the letter on commit.

    The agreements live in ``accounting`` (a layer above); ``approved(ids)`` tells which of the locked
    applications have an approved agreement. It is called after the application rows are locked, and an
    agreement review locks its application row first, so a review and a lapse never cross.

    Locks: the period (money), then the granted applications of the period by id. 409 ``deadline_not_passed``
    before (or on) the deadline day, ``no_agreement_deadline`` when the calendar has none.
    """
    period = lock_period(period)
    today = today or timezone.localdate()
    deadline = agreement_deadline(period)
    if deadline is None:
        raise StateConflict(
            field="period", code="no_agreement_deadline",
            message=_("This period has no project agreement deadline; nothing can lapse."),
        )
    if not budget_selectors.deadline_passed(deadline, today):
        raise StateConflict(
            field="period", code="deadline_not_passed",
            message=_("Grants can only lapse after the project agreement deadline of %(date)s.")
            % {"date": date_format(deadline, "j F Y")},
        )
    applications = lock_many(
        Application.objects.filter(period=period, status=ApplicationStatus.GRANTED).select_related("employer", "period")
    )
    lapsing = lapsing_among(period=period, applications=applications, approved=approved, today=today)
    if not lapsing:
        return []
    four_eyes_check(applications=lapsing, user=by, field="period")  # R4: the whole run, like a confirmation
    balances = budget_selectors.application_balances(application_ids=[a.pk for a in lapsing])
    with translation.override("nl"):
        reasons = _(
            "The project agreement deadline was %(date)s. On that date no approved project agreement was in place "
            "for this grant."
        ) % {"date": date_format(deadline, "j F Y")}
    decisions = Decision.objects.bulk_create(
        [
            Decision(
                application=a, kind=DecisionKind.LAPSE, date=today, decided_by=by, reasons=reasons,
                granted_amount=balances.get(a.pk, {}).get("reserved", ZERO),
                held_amount=balances.get(a.pk, {}).get("held", ZERO),
                released_amount=balances.get(a.pk, {}).get("released", ZERO),
                advance_amount=ZERO,
            )
            for a in lapsing
        ],
        batch_size=2000,
    )
    by_id = {a.pk: a for a in lapsing}
    entries = []
    for d in decisions:
        application = by_id[d.application_id]
        memo = "R46 lapse"
        entries += [
            _entry(application=application, decision=d, kind=LedgerKind.DECOMMITMENT,
                   amount=d.granted_amount - d.held_amount - d.released_amount, by=by, memo=memo),
            _entry(application=application, decision=d, kind=LedgerKind.HOLD_LAPSE, amount=d.held_amount, by=by,
                   memo=memo),
            _entry(application=application, decision=d, kind=LedgerKind.RELEASE_LAPSE, amount=d.released_amount,
                   by=by, memo=memo),
        ]
    ledger_post_many(period=period, entries=entries)
    transition_many(
        applications=lapsing, to=ApplicationStatus.LAPSED, by=by,
        reason=_("Lapsed: no approved project agreement at the deadline"),
    )
    letters_request_many(decisions=decisions, by=by)
    return decisions


# --- Settlement (R30, R31) -------------------------------------------------------------------------


def lock_application(application: Application) -> tuple[Period, Application]:
    """The locks a decision on one application takes: its period (money), then the application."""
    period = lock_period(application.period)
    application = lock_one(Application.objects.select_related("period", "employer", "region"), pk=application.pk)
    return period, application


#: R30, Awb 4:57: a reclaim is to be paid within six weeks of the settlement's date, to the office's account
#: (``LETTER_DEBTOR_IBAN``), quoting the reference; the letter says both.
RECLAIM_TERM = timedelta(weeks=6)


def settlement_decide(
    *, application: Application, settled_amount: Decimal, payment_amount: Decimal, reasons: str, by,
    today: date | None = None, supersedes: Decision | None = None,
) -> Decision:
    """R30: write a settlement computed by ``accounting`` (its decision, ledger entries, status, letter).

    With ``supersedes`` (R30/R33: an upheld objection against the settlement) the new settlement replaces the
    old one: a ``settlement_reversal`` entry of the old settled amount and a ``settlement`` entry of the new one
    (the ledger stays append-only), a ``reclaim`` entry when the new payment is negative; the application stays
    ``settled``.

    The caller holds the locks of :func:`lock_application` and the transaction, and has checked that the
    application may be settled. Four-eyes (R4): whoever assessed the application may not settle it.
    """
    today = today or timezone.localdate()
    four_eyes_check(applications=[application], user=by)
    decision = Decision.objects.create(
        application=application,
        kind=DecisionKind.SETTLEMENT,
        date=today,
        payment_due=today + RECLAIM_TERM if payment_amount < 0 else None,
        decided_by=by,
        granted_amount=settled_amount,
        settled_amount=settled_amount,
        payment_amount=payment_amount,
        reasons=reasons,
        supersedes=supersedes,
    )
    entries = []
    if supersedes is not None:
        entries.append(_entry(application=application, decision=decision, kind=LedgerKind.SETTLEMENT_REVERSAL,
                              amount=supersedes.settled_amount or ZERO, by=by,
                              memo=f"R33 settlement {supersedes.pk} replaced"))
    entries.append(_entry(application=application, decision=decision, kind=LedgerKind.SETTLEMENT,
                          amount=settled_amount, by=by, memo="R30 settlement"))
    if payment_amount < 0:
        entries.append(_entry(application=application, decision=decision, kind=LedgerKind.RECLAIM,
                              amount=-payment_amount, by=by, memo="R30 reclaim"))
    ledger_post_many(period=application.period, entries=entries)
    if supersedes is None:
        transition(application=application, to=ApplicationStatus.SETTLED, by=by, reason=_("Settled"))
    letter_request(decision=decision, by=by)
    return decision


def settlement_in_force(application: Application) -> Decision | None:
    """The settlement in force: the latest settlement not replaced by a later one (R30, R33)."""
    return (
        application.decisions.filter(kind=DecisionKind.SETTLEMENT, superseded_by__isnull=True)
        .order_by("-decided_at", "-id")
        .first()
    )


def paid_before_settlement(application: Application) -> Decimal:
    """What the employer has received so far: advances net of reclaims by objection rulings, plus every
    earlier settlement's payment (negative for a reclaim). A (new) settlement pays or reclaims the rest."""
    earlier = sum(
        (d.payment_amount or ZERO for d in application.decisions.filter(kind=DecisionKind.SETTLEMENT)), ZERO
    )
    return net_advances_paid(application) + earlier


def _settlement_replace(
    *, original: Decision, application: Application, settled_amount: Decimal | None, ruling: str, by,
    today: date | None,
) -> Decision:
    """R30/R33: an upheld objection against a settlement gives a new settlement decision replacing it.

    The ruling states the new settled amount (``settled_amount``), at most the unconditional plus released
    reservation (R30's cap); the payment is recomputed against the advances paid and the earlier settlement
    payments (negative: a reclaim, Awb 4:57). The new decision is the objection's ruling decision.
    """
    if settled_amount is None:
        raise DomainError(
            field="settled_amount", code="required",
            message=_("An upheld objection against a settlement states the new settled amount."),
        )
    settled_amount = round_half_up(settled_amount)
    amounts = application_amounts(application)
    cap = amounts["unconditional"] + amounts["released"]
    if settled_amount < 0:
        raise DomainError(field="settled_amount", code="negative", message=_("The amount may not be negative."))
    if settled_amount > cap:
        raise DomainError(
            field="settled_amount", code="above_cap",
            message=_("The settlement cannot exceed the unconditional plus released reservation (%(cap)s).")
            % {"cap": format_eur(cap)},
        )
    return settlement_decide(
        application=application, settled_amount=settled_amount,
        payment_amount=settled_amount - paid_before_settlement(application), reasons=ruling, by=by, today=today,
        supersedes=original,
    )


# --- Not considering (R43; Awb 4:5) ------------------------------------------------------------------


@transaction.atomic
def not_considered_decide(*, application: Application, by, today: date | None = None) -> Decision:
    """R43: after a completion request that expired without being completed, a decider decides not to consider
    the application (Awb 4:5): the decision, the status change ``not_considered`` with its history row, and
    the letter on commit.

    No money moves (nothing was granted yet), so, like a submission, it locks only the application and then
    its latest completion request (:mod:`sectorplan.locking`), not the period. Four-eyes (R4): whoever
    assessed the application may not decide it (409 ``four_eyes``).
    """
    application = lock_one(Application.objects.select_related("period", "employer", "region"), pk=application.pk)
    request = latest_request(application)
    if request is not None:
        request = locked(CompletionRequest.objects).get(pk=request.pk)
    today = today or timezone.localdate()
    if request is None or not request.is_expired(today):
        raise StateConflict(
            field="application", code="no_expired_request",
            message=_("An application can only be not considered after a completion request expired uncompleted."),
        )
    four_eyes_check(applications=[application], user=by)
    with translation.override("nl"):
        reasons = _(
            "On %(requested)s we asked you to complete your application by %(due)s. We asked for: %(missing)s"
        ) % {
            "requested": date_format(timezone.localdate(request.requested_at), "j F Y"),
            "due": date_format(request.due_date, "j F Y"),
            "missing": request.missing,
        } + "\n\n" + _("We did not receive the completion in time.")
    decision = Decision.objects.create(
        application=application, kind=DecisionKind.NOT_CONSIDERED, date=today, decided_by=by, reasons=reasons,
    )
    transition(
        application=application, to=ApplicationStatus.NOT_CONSIDERED, by=by,
        reason=_("Not considered: completion request not completed in time"),
    )
    letter_request(decision=decision, by=by)
    return decision


# --- Objection rulings (R33) -----------------------------------------------------------------------


def net_advances_paid(application: Application) -> Decimal:
    """Advances paid (R48 runs) less advance reclaimed by objection rulings that lowered the grant (R33)."""
    amounts = application_amounts(application)
    settled_reclaims = sum(
        (-d.payment_amount for d in application.decisions.filter(kind=DecisionKind.SETTLEMENT, payment_amount__lt=0)),
        ZERO,
    )
    return amounts["advances_paid"] - (amounts["reclaimed"] - settled_reclaims)


def _objection_money(*, application: Application, original: Decision, new_amount: Decimal) -> dict:
    """R33 with R19-R22: the money of an upheld objection that changes the granted amount.

    Choices (the ruling states ``held_amount`` like a grant: everything held back under it, released or not):

    * **Raising** (also granting a formerly rejected application): the increase is a new grant part. In a
      holdback period whose region's latest advice is not positive, the holdback percentage of the increase is
      held back (R22); the rest is committed unconditionally. Both go through the ceiling check under the
      period lock (R19): 409 ``ceiling_exceeded`` when the budget line has no room.
    * **Lowering**: the decrease comes out of the unconditional part and is posted as ``decommitment``: it
      returns to the budget line as available. What is held back or already released is not touched by a
      ruling; lowering below that is refused (400 ``below_held``): forfeit or settle instead.
    * **Advances** (R20 v2, R48): a ruling pays no advance; advances follow approved registrations in runs,
      which see the new reservation. A lowering reclaims the advances actually paid above the most a run may
      pay on the lowered reservation, the advance share of (unconditional + released) (``reclaim`` entry,
      the ruling's negative ``payment_amount``). Nothing paid, nothing reclaimed.
    """
    period = application.period
    old_unconditional = original.granted_amount - original.held_amount
    released = application_amounts(application)["released"]
    entries: list[tuple[str, Decimal]] = []
    held = original.held_amount
    delta = new_amount - original.granted_amount
    if delta > 0:
        hold = hold_back_applies(
            holdback_applies=period.holdback_applies,
            advice_positive=_latest_advice_positive(period=period, region_id=application.region_id)
            if period.holdback_applies else False,
        )
        held_increase = percent_of(delta, period.holdback_percent) if hold else ZERO
        held += held_increase
        entries += [(LedgerKind.COMMITMENT, delta - held_increase), (LedgerKind.HOLD, held_increase)]
    else:
        if -delta > old_unconditional:
            raise DomainError(
                field="granted_amount", code="below_held",
                message=_("The grant cannot be lowered below its held-back part (%(held)s).")
                % {"held": format_eur(original.held_amount)},
            )
        entries.append((LedgerKind.DECOMMITMENT, -delta))
    most = percent_of(new_amount - held + released, period.advance_percent)
    reclaim = max(net_advances_paid(application) - most, ZERO)
    entries.append((LedgerKind.RECLAIM, reclaim))
    return {"held": held, "reclaim": reclaim, "entries": entries}


def _amendment_ruling(
    *, original: Decision, application: Application, reserved_amount: Decimal | None, ruling: str, by,
    today: date | None,
) -> Decision:
    """R33 with R22, R51, R52: an upheld objection against an ``amendment`` (a lowering or a round's change) sets
    the reservation the ruling states (``reserved_amount``, api.md's ``reservedAmount``); without it the
    reservation before the amendment is restored. The new reservation is reached from the reservation in force
    (the ledger) with the amendment arithmetic of :mod:`budgets.amendment`: going down as a lowering (the held part
    stays the holdback share of what remains), going up as an increase held back per R22 when the period holds
    back and the region's latest advice is not positive (the held part grows to the holdback share of the new
    reservation). The ruling books the same ledger kinds as an amendment (``lowering``/``hold_lowering``/
    ``release_lowering`` down, ``redistribution``/``redistribution_hold`` up; :func:`amendment_movements` of its
    previous and new parts), so ``check_ledger`` checks it like one. Never above the period's cap per application
    (400 ``above_cap``) nor the budget line's ceiling (409 ``ceiling_exceeded``, checked under the period lock by
    the ledger). Advances paid above the new reservation are netted at settlement, as after a lowering."""
    period = application.period
    if application.status != ApplicationStatus.GRANTED:
        raise StateConflict(
            field="decision", code="not_granted",
            message=_("Only a reservation in force can be changed on objection; this application has none."),
        )
    target = (original.previous_reserved or ZERO) if reserved_amount is None else round_half_up(reserved_amount)
    if target < 0:
        raise DomainError(field="reserved_amount", code="negative", message=_("The amount may not be negative."))
    if period.application_cap is not None and target > period.application_cap:
        raise DomainError(
            field="reserved_amount", code="above_cap",
            message=_("The reservation may not exceed the period's cap per application (%(cap)s).")
            % {"cap": format_eur(period.application_cap)},
        )
    now = application_amounts(application)
    if target < now["reserved"]:
        change = lower(unconditional=now["unconditional"], held=now["held"], released=now["released"],
                       new_reserved=target, holdback_percent=period.holdback_percent)
    else:
        hold = hold_back_applies(
            holdback_applies=period.holdback_applies,
            advice_positive=_latest_advice_positive(period=period, region_id=application.region_id)
            if period.holdback_applies else False,
        )
        change = increase(unconditional=now["unconditional"], held=now["held"], released=now["released"],
                          amount=target - now["reserved"], hold=hold, holdback_percent=period.holdback_percent)
    decision = Decision.objects.create(
        application=application, kind=DecisionKind.OBJECTION_RULING, date=today or timezone.localdate(),
        decided_by=by, granted_amount=change.after.reserved, held_amount=change.after.held,
        released_amount=change.after.released, advance_amount=ZERO, previous_reserved=change.before.reserved,
        previous_held=change.before.held, previous_released=change.before.released, reasons=ruling,
        supersedes=original,
    )
    ledger_post_many(period=period, entries=[
        _entry(application=application, decision=decision, kind=kind, amount=amount, by=by,
               memo="R33 objection upheld against an amendment")
        for kind, amount in amendment_movements(decision).items()
    ])
    letter_request(decision=decision, by=by)
    return decision


def objection_ruling_decide(
    *, original: Decision, application: Application, upheld: bool, ruling: str, by,
    granted_amount: Decimal | None = None, settled_amount: Decimal | None = None, today: date | None = None,
) -> Decision:
    """R33: the ruling on an objection against ``original`` as a decision (with its letter). An upheld
    objection's ruling replaces the decision objected to (``supersedes``) and, for a grant, may state a new
    granted amount whose money moves through the ledger; for an amendment it sets the reservation it states, or
    restores the one before the amendment (:func:`_amendment_ruling`).

    **Advances** (R48): an upheld objection against an ``advance`` decision replaces it but moves no money and
    states no amount (a stated amount is 400 ``not_applicable``): an advance is provisional, computed by one rule
    on the approved registrations, the allocation factor and the reservation in force; the next advance run pays
    what is due on the corrected state (entitled less paid), and the settlement nets every advance paid and
    reclaims what was paid too much (R30). The ruling's letter says so.

    After settlement (R30 v2) the settlement is final for the grant and the advances: an upheld objection
    may then change money only as a **new settlement decision** replacing the settlement objected to
    (``settled_amount`` states its amount, see :func:`_settlement_replace`); an upheld ruling on any other
    decision of a settled application is refused (409 ``settled``). ``accounting.services.objection_record``
    already refuses to record such an objection, and settlement waits for every pending objection.

    The caller holds the locks of :func:`lock_application`, the lock of the objection, and the transaction.
    Four-eyes (R4): whoever assessed the application may not rule on an objection against any of its decisions.
    """
    four_eyes_check(applications=[application], user=by)
    grant_like = is_grant_like(original)
    is_settlement = original.kind == DecisionKind.SETTLEMENT
    is_amendment = original.kind == DecisionKind.AMENDMENT
    if upheld and application.status == ApplicationStatus.SETTLED and not is_settlement:
        raise StateConflict(
            field="decision", code="settled",
            message=_("This application has been settled; an upheld objection can no longer change its grant or "
                      "advances. Only an objection against the settlement decision can change the money."),
        )
    if settled_amount is not None and not (upheld and is_settlement):
        raise DomainError(
            field="settled_amount", code="not_applicable",
            message=_("A new settled amount is only stated when an objection against a settlement is upheld."),
        )
    if upheld and (grant_like or is_settlement or is_amendment) and Decision.objects.filter(supersedes=original).exists():
        # R25/R33: the money of a second ruling on the same decision would be computed against a grant that is
        # no longer in force (committed twice). The objection is ruled on against the decision in force.
        raise StateConflict(
            field="decision", code="superseded",
            message=_("This decision has already been replaced by an objection ruling; rule on the decision in force."),
        )
    if granted_amount is not None and not (upheld and (grant_like or is_amendment)):
        raise DomainError(
            field="granted_amount", code="not_applicable",
            message=_("A new reservation is only stated when an objection against a grant, a rejection or an "
                      "amendment is upheld."),
        )
    if upheld and is_amendment:
        return _amendment_ruling(original=original, application=application, reserved_amount=granted_amount,
                                 ruling=ruling, by=by, today=today)
    if upheld and is_settlement:
        return _settlement_replace(
            original=original, application=application, settled_amount=settled_amount, ruling=ruling, by=by,
            today=today,
        )
    new_amount = original.granted_amount if granted_amount is None else round_half_up(granted_amount)
    if new_amount < 0:
        raise DomainError(field="granted_amount", code="negative", message=_("The amount may not be negative."))
    money = (
        _objection_money(application=application, original=original, new_amount=new_amount)
        if upheld and grant_like and new_amount != original.granted_amount
        else None
    )
    decision = Decision.objects.create(
        application=application,
        kind=DecisionKind.OBJECTION_RULING,
        date=today or timezone.localdate(),
        decided_by=by,
        granted_amount=new_amount if upheld else original.granted_amount,
        held_amount=money["held"] if money else original.held_amount,
        advance_amount=ZERO,
        payment_amount=-money["reclaim"] if money and money["reclaim"] else None,
        reasons=ruling,
        supersedes=original if upheld else None,
    )
    if money:
        ledger_post_many(
            period=application.period,
            entries=[
                _entry(application=application, decision=decision, kind=kind, amount=amount, by=by,
                       memo="R33 objection upheld")
                for kind, amount in money["entries"]
            ],
        )
    if upheld and original.kind == DecisionKind.REJECTION and new_amount > 0:
        transition(application=application, to=ApplicationStatus.GRANTED, by=by, reason=_("Objection upheld"))
    letter_request(decision=decision, by=by)
    return decision


__all__ = [
    "advice_record",
    "agreement_deadline",
    "allocation_confirm",
    "allocation_input",
    "allocation_preview_decisions",
    "allocation_propose",
    "check_ceiling",
    "grant_in_force",
    "holdback_forfeit",
    "lapse_decide",
    "lock_application",
    "net_advances_paid",
    "not_considered_decide",
    "objection_ruling_decide",
    "paid_before_settlement",
    "settlement_decide",
    "settlement_in_force",
]
