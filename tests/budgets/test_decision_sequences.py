"""R25, R30, R33 (issue 10, item 8): random sequences of decisions driven through the real services, with
``check_ledger``'s invariants (``ledger_violations``) and non-negative application amounts after every step.

Steps: allocation propose/confirm (holdback period), Commission advice positive/negative, forfeit, objection
recorded against an application's decision in force (grant/ruling, release, settlement) and ruled upheld
(raise, lower, new settled amount) or rejected, accountability report + settlement. Expected refusals
(``DomainError``/``StateConflict``) are steps too: they must leave the ledger consistent.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounting import services
from accounting.models import Objection, ObjectionStatus
from applications.decisions import services as decision_services
from applications.decisions.amounts import application_amounts
from applications.decisions.checks import ledger_violations
from sectorplan.api.errors import DomainError, StateConflict
from tests.accounting.factories import submitted_report
from tests.applications.factories import UserFactory
from tests.budgets.factories import RegionFactory
from tests.budgets.helpers import assessed, closed_period

pytestmark = pytest.mark.django_db

APPS = 2
step = st.one_of(
    st.tuples(st.just("confirm")),
    st.tuples(st.just("advice"), st.sampled_from(["positive", "negative"])),
    st.tuples(st.just("forfeit")),
    st.tuples(st.just("object"), st.integers(0, APPS - 1)),
    st.tuples(st.just("rule"), st.integers(0, APPS - 1), st.sampled_from(["rejected", "upheld"]),
              st.integers(0, 12_000_00)),
    st.tuples(st.just("settle"), st.integers(0, APPS - 1)),
)


def _objectable(app):
    """The decision an objection of this sequence is aimed at: the latest not replaced (grant, ruling,
    release, forfeit or settlement); after settlement the service decides whether it may be recorded."""
    return app.decisions.filter(superseded_by__isnull=True).order_by("-decided_at", "-id").first()


def _run(step_, *, period, region, apps, reviewer, decider, commission, day):
    kind = step_[0]
    if kind == "confirm":
        allocation = decision_services.allocation_propose(period=period, by=reviewer)
        decision_services.allocation_confirm(allocation=allocation, by=decider)
    elif kind == "advice":
        decision_services.advice_record(region=region, period=period, outcome=step_[1], date=day,
                                        reference=f"adv-{day.isoformat()}", by=commission)
    elif kind == "forfeit":
        decision_services.holdback_forfeit(period=period, region=region, by=decider)
    elif kind == "object":
        decision = _objectable(apps[step_[1]])
        if decision is not None:
            services.objection_record(decision=decision, received_on=decision.date, grounds="x", by=reviewer)
    elif kind == "rule":
        _, index, outcome, cents = step_
        objection = (
            Objection.objects.filter(decision__application=apps[index], status=ObjectionStatus.RECEIVED)
            .select_related("decision").order_by("id").first()
        )
        if objection is None:
            return
        amount = Decimal(cents) / 100
        kwargs = {}
        if outcome == "upheld":
            kwargs = {"settled_amount": amount} if objection.decision.kind == "settlement" else {"granted_amount": amount}
        services.objection_rule(objection=objection, outcome=outcome, ruling="r", by=decider, **kwargs)
    elif kind == "settle":
        app = apps[step_[1]]
        if not hasattr(app, "accountability_report"):
            submitted_report(app, reviewer)
        services.application_settle(application=app, by=decider)


@given(steps=st.lists(step, min_size=1, max_size=10))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_sequence_of_decisions_keeps_the_ledger_consistent_R25_R30_R33(reviewer, decider, steps):
    sid = transaction.savepoint()
    try:
        commission = UserFactory(roles=["commission"])
        region = RegionFactory()
        period = closed_period(with_holdback=True, pooled=True, budget={"pooled": Decimal("15000.00")})
        apps = [assessed(period, amount, reviewer=reviewer, region=region) for amount in ("8000.00", "6000.00")]
        day = date(2021, 1, 1)
        for n, step_ in enumerate([("confirm",), *steps]):
            day += timedelta(days=1)
            try:
                with transaction.atomic():
                    _run(step_, period=period, region=region, apps=apps, reviewer=reviewer, decider=decider,
                         commission=commission, day=day)
            except (DomainError, StateConflict):
                pass  # an expected refusal: nothing written
            for app in apps:
                app.refresh_from_db()
            assert ledger_violations() == [], (n, step_)
            for app in apps:
                negative = {k: v for k, v in application_amounts(app).items() if isinstance(v, Decimal) and v < 0}
                assert negative == {}, (n, step_, app.reference)
    finally:
        transaction.savepoint_rollback(sid)
