"""Factories for accountability, settlement and objections. Builds on the applications factories."""

from datetime import date
from decimal import Decimal

import factory

from accounting.models import AccountabilityReport, Invitation
from applications.constants import ApplicationStatus, DecisionKind
from applications.models import Decision
from tests.applications.factories import ApplicationFactory, ParticipantFactory, UserFactory


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
    participants=(("A", None),),
    granted: Decimal | None = None,
    held: Decimal = Decimal("0.00"),
    advance_percent: Decimal = Decimal("75"),
    eligible=True,
):
    """A granted application with participants (activity type, planned cost), all eligible unless told,
    and its grant decision. ``granted`` defaults to the eligible amount (not oversubscribed)."""
    from sectorplan.money import percent_of

    kwargs = {"status": ApplicationStatus.SUBMITTED}
    if employer is not None:
        kwargs["employer"] = employer
    if period is not None:
        kwargs["period"] = period
    app = ApplicationFactory(submitted=True, **kwargs)
    rates = {r.activity_type: r for r in app.period.activity_rates.all()}
    total = Decimal("0.00")
    for activity, cost in participants:
        rate = rates[activity]
        amount = rate.amount if rate.method == "fixed" else min(cost, rate.amount)
        ParticipantFactory(application=app, activity_type=activity, planned_cost=cost, requested_amount=amount,
                           eligible=eligible)
        total += amount
    app.requested_amount = total
    app.eligible_amount = total if eligible else Decimal("0.00")
    app.status = ApplicationStatus.GRANTED
    app.save()
    granted = app.eligible_amount if granted is None else granted
    DecisionFactory(application=app, granted_amount=granted, held_amount=held,
                    advance_amount=percent_of(granted - held, advance_percent))
    return app


def submitted_report(application, by):
    return AccountabilityReport.objects.create(application=application, submitted_at=application.period.application_opens,
                                               submitted_by=by)
