"""Redistribution rounds (R52): the office opens a round with a window (its closing day is the calendar's
``revision_round`` deadline, R53); in the window the contacts of a granted application request an increase
(amount and reason) or announce a decrease (amount); after it a proposal applies the decreases first and then
divides each budget line's available money over the increases (:func:`budgets.amendment.redistribute`: pro rata
to the cent, never beyond the cap per application); a decider other than the proposer confirms: an ``amendment``
decision and letter per changed reservation, the money through the ledger.

Choices (README "Redistribution rounds"):

- One round at a time per period: a new round opens only when every earlier one is confirmed (409
  ``round_open``). The window is whole days, Europe/Amsterdam, ``opens`` to ``closes`` inclusive; an employer
  with an extension of the ``revision_round`` deadline may file until its own date; the proposal waits until
  every window has closed (409 ``window_open``).
- Per application the latest request in the round counts. A decrease may not exceed the reservation (400).
- "Available" is the budget line's ``available`` state (R25) after the round's decreases; forfeited money
  (its own state, R24) is not redistributed.
- An increase is held back per R22 on the new reservation when the period has a holdback and the region's
  latest advice is not positive.

Locks: the period, the round, the proposal, then the applications by id. A request locks only its application.
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from budgets import selectors as budget_selectors
from budgets.allocation import hold_back_applies
from budgets.amendment import IncreaseRequest, increase, lower, redistribute
from budgets.constants import AdviceOutcome, DeadlineKind
from budgets.ledger import budget_line_for, ledger_post_many, lock_period
from budgets.models import AllocationStatus, Period
from budgets.reference_services import revision_round_deadline_set
from sectorplan.api.errors import DomainError, StateConflict
from sectorplan.locking import lock_many, lock_one, locked
from sectorplan.money import ZERO, format_eur, round_half_up

from ..constants import ApplicationStatus, DecisionKind
from ..models import (
    AmendmentRunStatus,
    Application,
    Decision,
    RevisionChange,
    RevisionLine,
    RevisionProposal,
    RevisionRequest,
    RevisionRound,
    RevisionRoundStatus,
)
from .amounts import amendment_movements
from .four_eyes import four_eyes_check
from .letters import letters_request_many
from .lowering import _change_fields, amendment_entries, parts_of

PLAN_FIELDS = (
    "application_id", "earmark", "change", "requested", "granted", "previous_reserved", "previous_held",
    "previous_released", "new_reserved", "new_held", "new_released",
)


# --- Opening and requests ----------------------------------------------------------------------------


@transaction.atomic
def round_open(*, period: Period, opens: date, closes: date, by, today: date | None = None) -> RevisionRound:
    """R52: open a redistribution round for ``period`` (after its allocation is confirmed)."""
    period = lock_period(period)
    today = today or timezone.localdate()
    errors = []
    if closes < opens:
        errors.append({"field": "closes", "code": "before_opens", "message": _("The window closes on or after it opens.")})
    if closes < today:
        errors.append({"field": "closes", "code": "in_past", "message": _("The window must not close in the past.")})
    if errors:
        raise DomainError(errors)
    if not period.allocations.filter(status=AllocationStatus.CONFIRMED).exists():
        raise StateConflict(
            field="period", code="not_allocated",
            message=_("A redistribution round can only be opened once the period's allocation is confirmed."),
        )
    if RevisionRound.objects.filter(period=period).exclude(status=RevisionRoundStatus.CONFIRMED).exists():
        raise StateConflict(
            field="period", code="round_open",
            message=_("This period already has a redistribution round that is not confirmed yet."),
        )
    revision_round = RevisionRound.objects.create(period=period, opens=opens, closes=closes, created_by=by)
    revision_round_deadline_set(period=period, closes=closes, by=by)
    return revision_round


def is_latest(revision_round: RevisionRound) -> bool:
    latest = RevisionRound.objects.filter(period_id=revision_round.period_id).order_by("-created_at", "-id").first()
    return latest is not None and latest.pk == revision_round.pk


def window_closes_for(revision_round: RevisionRound, employer=None) -> date:
    """The last day ``employer`` may file a request (R53: the latest round's window with the extensions)."""
    if not is_latest(revision_round):
        return revision_round.closes
    in_force = budget_selectors.deadline_for(
        period=revision_round.period, kind=DeadlineKind.REVISION_ROUND, employer=employer
    )
    return max(revision_round.closes, in_force or revision_round.closes)


def window_closes_for_all(revision_round: RevisionRound) -> date:
    """The last day anyone may file a request in ``revision_round`` (every employer's extension included)."""
    if not is_latest(revision_round):
        return revision_round.closes
    period_date, own = budget_selectors.deadlines_for_employers(
        period=revision_round.period, kind=DeadlineKind.REVISION_ROUND
    )
    return max([revision_round.closes, *([period_date] if period_date else []), *own.values()])


@transaction.atomic
def revision_request(
    *, revision_round: RevisionRound, application: Application, change: str, amount: Decimal, reason: str, by,
    today: date | None = None,
) -> RevisionRequest:
    """R52: a contact's request in the window (the caller checked the user is a contact of the employer). Moves
    no money: locks only the application."""
    application = lock_one(Application.objects.select_related("employer"), pk=application.pk)
    today = today or timezone.localdate()
    errors = []
    if change not in RevisionChange.values:
        errors.append({"field": "change", "code": "invalid_choice", "message": _("The change is increase or decrease.")})
    amount = round_half_up(amount) if amount is not None else None
    if amount is None or amount <= 0:
        errors.append({"field": "amount", "code": "not_positive", "message": _("The amount must be more than zero.")})
    reason = (reason or "").strip()
    if change == RevisionChange.INCREASE and not reason:
        errors.append({"field": "reason", "code": "required", "message": _("Give the reason for the increase.")})
    if application.period_id != revision_round.period_id:
        errors.append({"field": "application", "code": "not_in_period",
                       "message": _("This application is not of the round's period.")})
    if errors:
        raise DomainError(errors)
    if application.status != ApplicationStatus.GRANTED:
        raise StateConflict(field="application", code="not_granted",
                            message=_("Only an application with a reservation can take part in a round."))
    if revision_round.status != RevisionRoundStatus.OPEN or budget_selectors.deadline_passed(
        window_closes_for(revision_round, application.employer_id), today
    ):
        raise StateConflict(field="round", code="window_closed",
                            message=_("The window of this round closed on %(date)s.")
                            % {"date": window_closes_for(revision_round, application.employer_id).strftime("%d-%m-%Y")})
    if today < revision_round.opens:
        raise StateConflict(field="round", code="window_not_open",
                            message=_("The window of this round opens on %(date)s.")
                            % {"date": revision_round.opens.strftime("%d-%m-%Y")})
    if change == RevisionChange.DECREASE:
        reserved = parts_of([application.pk])[application.pk]["reserved"]
        if amount > reserved:
            raise DomainError(field="amount", code="above_reservation",
                              message=_("A decrease cannot exceed the reservation (%(reserved)s).")
                              % {"reserved": format_eur(reserved)})
    return RevisionRequest.objects.create(
        round=revision_round, application=application, change=change, amount=amount, reason=reason, created_by=by
    )


def latest_requests(revision_round: RevisionRound) -> dict[int, RevisionRequest]:
    """Application id -> the latest request of the round for it (the latest counts)."""
    out: dict[int, RevisionRequest] = {}
    for req in revision_round.requests.order_by("application_id", "created_at", "id"):
        out[req.application_id] = req
    return out


# --- Proposal and confirmation -------------------------------------------------------------------------


def round_plan(*, revision_round: RevisionRound) -> tuple[Decimal, list[dict]]:
    """R52: (available money for the increases, one dict per request with :data:`PLAN_FIELDS`). Reads only;
    the caller holds the period lock."""
    period = revision_round.period
    requests = latest_requests(revision_round)
    applications = {
        a.pk: a for a in Application.objects.filter(
            pk__in=list(requests), status=ApplicationStatus.GRANTED
        ).select_related("employer")
    }
    parts = parts_of(list(applications))
    line_available = {e: s["available"] for e, s in budget_selectors.line_balances(period=period).items()}
    advice = budget_selectors.latest_advice_by_region(period=period) if period.holdback_applies else {}
    plan: dict[int, dict] = {}
    increases: dict[str, list[IncreaseRequest]] = defaultdict(list)
    earmarks = {}
    for app_id in sorted(applications):
        application, req, now = applications[app_id], requests[app_id], parts[app_id]
        earmark = earmarks[app_id] = budget_line_for(period=period, employer_earmark=application.employer.earmark)
        if req.change == RevisionChange.DECREASE:
            new = max(now["reserved"] - req.amount, ZERO)
            change = lower(unconditional=now["unconditional"], held=now["held"], released=now["released"],
                           new_reserved=new, holdback_percent=period.holdback_percent)
            line_available[earmark] = line_available.get(earmark, ZERO) + change.freed
            plan[app_id] = {"application_id": app_id, "earmark": earmark, "change": req.change,
                            "requested": req.amount, "granted": change.after.reserved - change.before.reserved,
                            **_change_fields(change)}
        else:
            increases[earmark].append(IncreaseRequest(key=str(app_id), requested=req.amount, reserved=now["reserved"]))
    total_available = ZERO
    for earmark, reqs in increases.items():
        available = max(line_available.get(earmark, ZERO), ZERO)
        total_available += available
        grants = redistribute(available=available, requests=reqs, cap=period.application_cap)
        for r in reqs:
            app_id = int(r.key)
            application, now = applications[app_id], parts[app_id]
            latest = advice.get(application.region_id)
            hold = hold_back_applies(holdback_applies=period.holdback_applies,
                                     advice_positive=bool(latest and latest.outcome == AdviceOutcome.POSITIVE))
            change = increase(unconditional=now["unconditional"], held=now["held"], released=now["released"],
                              amount=grants[r.key], hold=hold, holdback_percent=period.holdback_percent)
            plan[app_id] = {"application_id": app_id, "earmark": earmark, "change": RevisionChange.INCREASE,
                            "requested": r.requested, "granted": grants[r.key], **_change_fields(change)}
    return total_available, [plan[app_id] for app_id in sorted(plan)]


@transaction.atomic
def round_propose(*, revision_round: RevisionRound, by, today: date | None = None) -> tuple[RevisionProposal, Decimal]:
    """R52: the proposal of a round whose window closed (earlier open proposals are discarded)."""
    period = lock_period(revision_round.period)
    revision_round = lock_one(RevisionRound.objects, pk=revision_round.pk)
    today = today or timezone.localdate()
    if revision_round.status == RevisionRoundStatus.CONFIRMED:
        raise StateConflict(field="round", code="already_confirmed", message=_("This round is already confirmed."))
    closes = window_closes_for_all(revision_round)
    if not budget_selectors.deadline_passed(closes, today):
        raise StateConflict(field="round", code="window_open",
                            message=_("The proposal can only be made after the window closed on %(date)s.")
                            % {"date": closes.strftime("%d-%m-%Y")})
    revision_round.period = period
    available, plan = round_plan(revision_round=revision_round)
    RevisionProposal.objects.filter(round=revision_round, status=AmendmentRunStatus.PROPOSED).update(
        status=AmendmentRunStatus.DISCARDED
    )
    proposal = RevisionProposal.objects.create(round=revision_round, created_by=by)
    RevisionLine.objects.bulk_create([RevisionLine(proposal=proposal, **row) for row in plan], batch_size=2000)
    revision_round.status = RevisionRoundStatus.PROPOSED
    revision_round.save(update_fields=["status"])
    return proposal, available


def proposal_lines(proposal: RevisionProposal) -> list[dict]:
    return list(proposal.lines.order_by("application_id").values(*PLAN_FIELDS))


def round_decision(*, row: dict, application: Application, revision_round: RevisionRound, today: date,
                   by) -> Decision:
    """The unsaved ``amendment`` decision of one proposal line (a dict of :data:`PLAN_FIELDS`): what the
    confirmation writes and the letter preview shows (R28), built once."""
    with translation.override("nl"):
        if row["change"] == RevisionChange.INCREASE:
            reasons = _(
                "In the redistribution round of %(opens)s to %(closes)s you requested an increase of %(requested)s. "
                "The available budget of the period was divided over the requested increases; you are granted "
                "%(granted)s."
            )
        else:
            reasons = _(
                "In the redistribution round of %(opens)s to %(closes)s you announced a decrease of %(requested)s."
            )
        reasons %= {
            "opens": revision_round.opens.strftime("%d-%m-%Y"), "closes": revision_round.closes.strftime("%d-%m-%Y"),
            "requested": format_eur(row["requested"]), "granted": format_eur(row["granted"]),
        }
    return Decision(
        application=application, kind=DecisionKind.AMENDMENT, date=today, decided_by=by,
        reasons=reasons, granted_amount=row["new_reserved"], held_amount=row["new_held"],
        released_amount=row["new_released"], advance_amount=ZERO, previous_reserved=row["previous_reserved"],
        previous_held=row["previous_held"], previous_released=row["previous_released"],
    )


def round_preview_decisions(*, revision_round: RevisionRound, by, applications=None) -> list[Decision]:
    """R28: before confirming, the amendment decisions the confirmation of the round's open proposal would write
    for its first increased and its first decreased reservation (by reference; among ``applications`` when given),
    unsaved, for the office to preview one letter of each. Reads only; nothing is written or locked."""
    proposal = revision_round.proposals.filter(status=AmendmentRunStatus.PROPOSED).first()
    if proposal is None:
        return []
    lines = proposal.lines.exclude(new_reserved=F("previous_reserved"))
    if applications is not None:
        lines = lines.filter(application__in=applications)
    lines = lines.order_by("application__reference")
    rows = [row for row in (lines.filter(new_reserved__gt=F("previous_reserved")).values(*PLAN_FIELDS).first(),
                            lines.filter(new_reserved__lt=F("previous_reserved")).values(*PLAN_FIELDS).first())
            if row is not None]
    found = Application.objects.select_related("employer", "period", "region").in_bulk(
        [row["application_id"] for row in rows]
    )
    today = timezone.localdate()
    return [round_decision(row=row, application=found[row["application_id"]], revision_round=revision_round,
                           today=today, by=by) for row in rows]


@transaction.atomic
def round_confirm(*, revision_round: RevisionRound, by, today: date | None = None) -> list[Decision]:
    """R52: confirm the round's open proposal (a decider other than the proposer): an ``amendment`` decision and
    letter per changed reservation; decreases are booked before increases (the ceiling check sees them)."""
    period = lock_period(revision_round.period)
    revision_round = lock_one(RevisionRound.objects, pk=revision_round.pk)
    revision_round.period = period
    today = today or timezone.localdate()
    if revision_round.status == RevisionRoundStatus.CONFIRMED:
        raise StateConflict(field="round", code="already_confirmed", message=_("This round is already confirmed."))
    proposal = locked(RevisionProposal.objects.filter(round=revision_round, status=AmendmentRunStatus.PROPOSED)).first()
    if proposal is None:
        raise StateConflict(field="proposal", code="no_proposal",
                            message=_("This round has no proposal yet; an office user proposes first."))
    if proposal.created_by_id == by.pk:
        raise StateConflict(field="proposal", code="four_eyes",
                            message=_("You made this proposal; another decider must confirm it."))
    lines = proposal_lines(proposal)
    _available, plan = round_plan(revision_round=revision_round)
    if lines != plan:
        raise StateConflict(field="proposal", code="stale",
                            message=_("Reservations or the available budget changed since this proposal was made; "
                                      "make a new proposal."))
    changed = [row for row in lines if row["new_reserved"] != row["previous_reserved"]]
    applications = {
        a.pk: a for a in lock_many(
            Application.objects.filter(pk__in=[r["application_id"] for r in changed]).select_related("employer", "period")
        )
    }
    four_eyes_check(applications=applications.values(), user=by)
    decisions = [
        round_decision(row=row, application=applications[row["application_id"]], revision_round=revision_round,
                       today=today, by=by)
        for row in changed
    ]
    decisions = Decision.objects.bulk_create(decisions, batch_size=2000)
    memo = f"R52 round {revision_round.pk}"
    decreases = [d for d in decisions if d.granted_amount < (d.previous_reserved or ZERO)]
    increases = [d for d in decisions if d.granted_amount > (d.previous_reserved or ZERO)]
    ledger_post_many(period=period, entries=amendment_entries(decreases, applications=applications, by=by, memo=memo))
    ledger_post_many(period=period, entries=amendment_entries(increases, applications=applications, by=by, memo=memo))
    letters_request_many(decisions=decisions, by=by)
    proposal.status = AmendmentRunStatus.CONFIRMED
    proposal.confirmed_by = by
    proposal.confirmed_at = timezone.now()
    proposal.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    revision_round.status = RevisionRoundStatus.CONFIRMED
    revision_round.save(update_fields=["status"])
    return decisions


__all__ = ["amendment_movements", "revision_request", "round_confirm", "round_open", "round_propose"]
