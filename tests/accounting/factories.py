"""Factories for accountability, settlement and objections. Builds on the applications factories."""

from datetime import date
from decimal import Decimal

import factory

from accounting.models import AccountabilityReport, Invitation
from applications.constants import ApplicationStatus, DecisionKind
from applications.models import Decision
from budgets.ledger import budget_line_for
from budgets.models import LedgerEntry
from sectorplan.money import percent_of
from tests.applications.factories import ApplicationFactory, RegistrationFactory, UserFactory
from tests.applications.payment_factories import paid_in_batch


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    application = factory.SubFactory(ApplicationFactory)
    kind = DecisionKind.GRANT
    date = date(2026, 2, 2)
    decided_by = factory.SubFactory(UserFactory)
    granted_amount = Decimal("0.00")


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation


def granted_application(
    *,
    employer=None,
    period=None,
    registrations=(("A", None),),
    granted: Decimal | None = None,
    held: Decimal = Decimal("0.00"),
    advance_percent: Decimal | None = None,
    eligible=True,
):
    """A granted application with registrations (activity type, planned cost), all eligible unless told,
    and its grant decision: a reservation, no advance (R20 v2). ``granted`` defaults to the eligible amount
    (not oversubscribed). ``advance_percent``: also book an advance of that share of the unconditional part,
    as a run of R48 would pay it on approved registrations (:func:`booked_advance`)."""
    kwargs = {"status": ApplicationStatus.SUBMITTED}
    if employer is not None:
        kwargs["employer"] = employer
    if period is not None:
        kwargs["period"] = period
    app = ApplicationFactory(submitted=True, **kwargs)
    rates = {r.activity_type: r for r in app.period.activity_rates.all()}
    total = Decimal("0.00")
    for activity, cost in registrations:
        rate = rates[activity]
        amount = rate.amount if rate.method == "fixed" else min(cost, rate.amount)
        RegistrationFactory(application=app, activity_type=activity, cost=cost, amount=amount,
                            status="approved" if eligible else "rejected")
        total += amount
    app.requested_amount = total
    app.small = app.period.is_small_amount(total)  # v2: the employer's choice (R14), here as v1 derived it
    app.eligible_amount = total if eligible else Decimal("0.00")
    app.status = ApplicationStatus.GRANTED
    app.save()
    granted = app.eligible_amount if granted is None else granted
    decision = DecisionFactory(application=app, granted_amount=granted, held_amount=held)
    # The ledger as the grant service books it (R25): amounts in force are derived from it.
    line = budget_line_for(period=app.period, employer_earmark=app.employer.earmark)
    for kind, amount in (("commitment", granted - held), ("hold", held)):
        if amount:
            LedgerEntry.objects.create(period=app.period, earmark=line, application=app, decision=decision, kind=kind,
                                       amount=amount, actor=decision.decided_by, memo="test grant")
    if advance_percent is not None:
        booked_advance(app, amount=percent_of(granted - held, advance_percent))
    return app


def booked_release(app, *, released: Decimal):
    """A release decision with the ledger entry the release service books (R23, R25; no advance, R20 v2)."""
    decision = DecisionFactory(application=app, kind="holdback_release", released_amount=released)
    line = budget_line_for(period=app.period, employer_earmark=app.employer.earmark)
    LedgerEntry.objects.create(period=app.period, earmark=line, application=app, decision=decision, kind="release",
                               amount=released, actor=decision.decided_by, memo="test release")
    return decision


def booked_advance(app, *, amount: Decimal):
    """An advance decision with its ledger entry, paid in a payment batch of its own, as a confirmed advance run
    (R48) books it (``tests.applications.payment_factories.paid_in_batch``)."""
    decision = DecisionFactory(application=app, kind=DecisionKind.ADVANCE, advance_amount=amount)
    line = budget_line_for(period=app.period, employer_earmark=app.employer.earmark)
    LedgerEntry.objects.create(period=app.period, earmark=line, application=app, decision=decision, kind="advance",
                               amount=amount, actor=decision.decided_by, memo="test advance run")
    if amount:
        paid_in_batch(decision)
    return decision


def submitted_report(application, by):
    return AccountabilityReport.objects.create(application=application, submitted_at=application.period.application_opens,
                                               submitted_by=by)
