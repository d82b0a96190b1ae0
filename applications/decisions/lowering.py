"""Lowering of reservations after the registration deadline (R51): a proposal, then a confirmation by a decider
other than the proposer (R4, issue 13), each amendment a decision with its letter, every freed euro back to
available through the ledger.

- **When**: strictly after the period's registration deadline (R53, period-wide extensions included; 409
  ``deadline_not_passed``, ``no_registration_deadline``); an employer with an extension of its own is left out
  until the day after its own deadline.
- **What**: each granted application's reservation is lowered to the approved registrations' subsidy × the
  allocation factor (granted ÷ eligible of the grant in force, 1 when not oversubscribed; R30's factor) when
  that is less, never raised; the parts follow :func:`budgets.amendment.lower` (the held part stays the holdback
  share of what remains).
- **Money**: ``lowering`` (unconditional part), ``hold_lowering`` (held part) and ``release_lowering`` (released
  part) entries, all back to available (R25). Advances already paid are not reclaimed here: the settlement
  (R30) caps at the lowered reservation and reclaims what was paid above it.
- **Proposal and confirmation**: :func:`lowering_propose` (office) stores the lines; :func:`lowering_confirm`
  (``office_decider``, not the proposer: 409 ``four_eyes``; no open proposal: 409 ``no_proposal``) recomputes
  and refuses a proposal whose input changed since (409 ``stale``: a registration approved, a release, a
  deadline extended, ...), then writes one ``amendment`` decision per line. A second run finds nothing to lower.

Locks (:mod:`sectorplan.locking`): the period, the proposal, then the applications by id.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from budgets import selectors as budget_selectors
from budgets.amendment import Change, lower, lowering_target
from budgets.constants import DeadlineKind
from budgets.ledger import budget_line_for, ledger_post_many, lock_period
from budgets.models import Period
from sectorplan.api.errors import StateConflict
from sectorplan.locking import lock_many, locked
from sectorplan.money import ZERO, format_eur

from ..constants import ApplicationStatus, DecisionKind, RegistrationStatus
from ..models import AmendmentRunStatus, Application, Decision, LoweringLine, LoweringProposal, Registration
from .amounts import amendment_movements, grant_in_force
from .four_eyes import four_eyes_check
from .letters import letters_request_many
from .services import _entry

#: What a plan line of a proposal must still be at confirmation (R18's "stale" rule for lowering).
PLAN_FIELDS = (
    "application_id", "earmark", "approved_amount", "target", "previous_reserved", "previous_held",
    "previous_released", "new_reserved", "new_held", "new_released",
)


def parts_of(application_ids) -> dict[int, dict[str, Decimal]]:
    """Application id -> unconditional, held, released, reserved (from the ledger; zeros without entries)."""
    balances = budget_selectors.application_balances(application_ids=list(application_ids))
    empty = {"unconditional": ZERO, "held": ZERO, "released": ZERO, "reserved": ZERO}
    return {app_id: {**empty, **balances.get(app_id, {})} for app_id in application_ids}


def granted_in_force(applications: list[Application]) -> dict[int, Decimal]:
    """Application id -> the granted amount of its grant in force (one query; an application with an objection
    ruling goes through :func:`grant_in_force`)."""
    out: dict[int, Decimal] = {}
    ruled: set[int] = set()
    for app_id, kind, amount in (
        Decision.objects.filter(
            application_id__in=[a.pk for a in applications],
            kind__in=[DecisionKind.GRANT, DecisionKind.OBJECTION_RULING],
        )
        .order_by("decided_at", "id")
        .values_list("application_id", "kind", "granted_amount")
    ):
        if kind == DecisionKind.OBJECTION_RULING:
            ruled.add(app_id)
        else:
            out[app_id] = amount
    for application in applications:
        if application.pk in ruled:
            grant = grant_in_force(application)
            out[application.pk] = grant.granted_amount if grant else ZERO
    return out


def registration_deadline(period: Period) -> date | None:
    return budget_selectors.deadline_for(period=period, kind=DeadlineKind.REGISTRATION)


def _require_deadline_passed(period: Period, today: date) -> None:
    deadline = registration_deadline(period)
    if deadline is None:
        raise StateConflict(
            field="period", code="no_registration_deadline",
            message=_("This period has no registration deadline; reservations cannot be lowered."),
        )
    if not budget_selectors.deadline_passed(deadline, today):
        raise StateConflict(
            field="period", code="deadline_not_passed",
            message=_("Reservations can only be lowered after the registration deadline of %(date)s.")
            % {"date": date_format(deadline, "j F Y")},
        )


def lowering_plan(*, period: Period, today: date) -> list[dict]:
    """R51: the reservations of ``period`` to lower today, one dict per application (the fields of
    :data:`PLAN_FIELDS`), in application order. Reads only; the caller holds the period lock."""
    _period_date, own = budget_selectors.deadlines_for_employers(period=period, kind=DeadlineKind.REGISTRATION)
    applications = [
        a for a in Application.objects.filter(period=period, status=ApplicationStatus.GRANTED)
        .select_related("employer").order_by("pk")
        if a.employer_id not in own or today > own[a.employer_id]
    ]
    if not applications:
        return []
    ids = [a.pk for a in applications]
    approved = dict(
        Registration.objects.filter(application_id__in=ids, status=RegistrationStatus.APPROVED)
        .values("application_id").annotate(total=Sum("amount")).order_by().values_list("application_id", "total")
    )
    granted = granted_in_force(applications)
    parts = parts_of(ids)
    plan = []
    for application in applications:
        now = parts[application.pk]
        target = lowering_target(
            approved_amount=approved.get(application.pk) or ZERO,
            granted_amount=granted.get(application.pk, ZERO),
            eligible_amount=application.eligible_amount or ZERO,
        )
        if target >= now["reserved"]:
            continue  # never raised (R51)
        change = lower(
            unconditional=now["unconditional"], held=now["held"], released=now["released"], new_reserved=target,
            holdback_percent=period.holdback_percent,
        )
        plan.append({
            "application_id": application.pk,
            "earmark": budget_line_for(period=period, employer_earmark=application.employer.earmark),
            "approved_amount": approved.get(application.pk) or ZERO,
            "target": target,
            **_change_fields(change),
        })
    return plan


def _change_fields(change: Change) -> dict[str, Decimal]:
    return {
        "previous_reserved": change.before.reserved, "previous_held": change.before.held,
        "previous_released": change.before.released, "new_reserved": change.after.reserved,
        "new_held": change.after.held, "new_released": change.after.released,
    }


@transaction.atomic
def lowering_propose(*, period: Period, by, today: date | None = None) -> LoweringProposal:
    """R51: the lowering proposal of ``period`` (earlier open proposals are discarded). May be empty."""
    period = lock_period(period)
    today = today or timezone.localdate()
    _require_deadline_passed(period, today)
    plan = lowering_plan(period=period, today=today)
    LoweringProposal.objects.filter(period=period, status=AmendmentRunStatus.PROPOSED).update(
        status=AmendmentRunStatus.DISCARDED
    )
    proposal = LoweringProposal.objects.create(period=period, created_by=by)
    LoweringLine.objects.bulk_create([LoweringLine(proposal=proposal, **row) for row in plan], batch_size=2000)
    return proposal


def proposal_lines(proposal: LoweringProposal) -> list[dict]:
    return list(proposal.lines.order_by("application_id").values(*PLAN_FIELDS))


def open_proposal(period: Period) -> LoweringProposal | None:
    return LoweringProposal.objects.filter(period=period, status=AmendmentRunStatus.PROPOSED).first()


def lowering_decision(*, row: dict, application: Application, deadline: date, today: date, by) -> Decision:
    """The unsaved ``amendment`` decision of one proposal line (a dict of :data:`PLAN_FIELDS`): what the
    confirmation writes and the letter preview shows (R28), built once."""
    with translation.override("nl"):
        reasons = _(
            "After the registration deadline of %(deadline)s the approved registrations of this application "
            "carry a subsidy of %(approved)s; with the allocation factor of this application that is "
            "%(target)s. The reservation is lowered to that amount."
        ) % {
            "deadline": date_format(deadline, "j F Y"), "approved": format_eur(row["approved_amount"]),
            "target": format_eur(row["target"]),
        }
    return Decision(
        application=application, kind=DecisionKind.AMENDMENT, date=today, decided_by=by,
        reasons=reasons, granted_amount=row["new_reserved"], held_amount=row["new_held"],
        released_amount=row["new_released"], advance_amount=ZERO, previous_reserved=row["previous_reserved"],
        previous_held=row["previous_held"], previous_released=row["previous_released"],
    )


def lowering_preview_decisions(*, period: Period, by, applications=None) -> list[Decision]:
    """R28: before confirming, the amendment decision the confirmation of the period's open proposal would write
    for its first line (by reference; among ``applications`` when given), unsaved, for the office to preview its
    letter. Reads only; nothing is written or locked. Empty without an open proposal or lines."""
    proposal = open_proposal(period)
    if proposal is None:
        return []
    lines = proposal.lines.all()
    if applications is not None:
        lines = lines.filter(application__in=applications)
    row = lines.order_by("application__reference").values(*PLAN_FIELDS).first()
    deadline = registration_deadline(period)
    if row is None or deadline is None:
        return []
    application = Application.objects.select_related("employer", "period", "region").get(pk=row["application_id"])
    return [lowering_decision(row=row, application=application, deadline=deadline, today=timezone.localdate(), by=by)]


@transaction.atomic
def lowering_confirm(*, period: Period, by, today: date | None = None) -> tuple[LoweringProposal, list[Decision]]:
    """R51: confirm the period's open lowering proposal: an ``amendment`` decision and letter per line, the freed
    money back to available. 409 ``no_proposal``, ``four_eyes`` (the proposer, or a decider who assessed one of
    the applications), ``stale`` (the input changed since the proposal)."""
    period = lock_period(period)
    today = today or timezone.localdate()
    proposal = locked(LoweringProposal.objects.filter(period=period, status=AmendmentRunStatus.PROPOSED)).first()
    if proposal is None:
        raise StateConflict(
            field="proposal", code="no_proposal",
            message=_("There is no open lowering proposal for this period; another office user proposes first."),
        )
    if proposal.created_by_id == by.pk:
        raise StateConflict(
            field="proposal", code="four_eyes",
            message=_("You made this proposal; another decider must confirm it."),
        )
    _require_deadline_passed(period, today)
    lines = proposal_lines(proposal)
    if lines != lowering_plan(period=period, today=today):
        raise StateConflict(
            field="proposal", code="stale",
            message=_("Registrations, reservations or deadlines changed since this proposal was made; make a new "
                      "proposal."),
        )
    applications = {
        a.pk: a for a in lock_many(
            Application.objects.filter(pk__in=[r["application_id"] for r in lines]).select_related("employer", "period")
        )
    }
    four_eyes_check(applications=applications.values(), user=by)
    deadline = registration_deadline(period)
    decisions = [
        lowering_decision(row=row, application=applications[row["application_id"]], deadline=deadline, today=today,
                          by=by)
        for row in lines
    ]
    decisions = Decision.objects.bulk_create(decisions, batch_size=2000)
    ledger_post_many(period=period, entries=amendment_entries(decisions, applications=applications, by=by,
                                                                memo=f"R51 lowering {proposal.pk}"))
    letters_request_many(decisions=decisions, by=by)
    proposal.status = AmendmentRunStatus.CONFIRMED
    proposal.confirmed_by = by
    proposal.confirmed_at = timezone.now()
    proposal.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    return proposal, decisions


def amendment_entries(decisions: list[Decision], *, applications: dict[int, Application], by, memo: str) -> list:
    entries = []
    for d in decisions:
        for kind, amount in amendment_movements(d).items():
            entries.append(_entry(application=applications[d.application_id], decision=d, kind=kind, amount=amount,
                                  by=by, memo=memo))
    return entries
