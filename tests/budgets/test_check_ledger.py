"""R25/R20/R30: ``manage.py check_ledger`` exits non-zero on every kind of violation it checks.

Each test breaks the ledger in one way (writing rows directly, as a bug or a hand edit would) and asserts that
the command fails and names that violation.
"""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from applications.constants import DecisionKind
from applications.decisions import services as decision_services
from applications.models import Decision
from budgets.models import LedgerEntry
from tests.applications.payment_factories import paid_in_batch

from .helpers import assert_ledger_ok, assessed, closed_period

pytestmark = pytest.mark.django_db


def assert_check_ledger_fails_with(text):
    err = StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("check_ledger", stderr=err)
    assert exc.value.returncode == 1
    assert text in err.getvalue(), err.getvalue()


def entry(period, kind, amount, by, *, earmark="pooled", **kwargs):
    return LedgerEntry.objects.create(period=period, earmark=earmark, kind=kind, amount=Decimal(amount), actor=by,
                                      **kwargs)


def granted(period, reviewer, decider, eligible="1000.00"):
    app = assessed(period, eligible, reviewer=reviewer)
    allocation = decision_services.allocation_propose(period=period, by=reviewer)
    decision_services.allocation_confirm(allocation=allocation, by=decider)
    assert_ledger_ok()
    return app


def test_check_ledger_fails_on_entries_on_a_line_without_ceiling_R25(decider):
    period = closed_period(pooled=True, budget={"pooled": Decimal("1000.00")})
    entry(period, "commitment", "10.00", decider, earmark="nursing_home")
    assert_check_ledger_fails_with("on a line without a ceiling")


def test_check_ledger_fails_when_committed_exceeds_ceiling_R25(decider):
    period = closed_period(pooled=True, budget={"pooled": Decimal("1000.00")})
    entry(period, "commitment", "600.00", decider)
    entry(period, "hold", "400.01", decider)
    assert_check_ledger_fails_with("exceeds ceiling 1000.00")


def test_check_ledger_fails_when_a_line_holds_a_negative_amount_R25(decider):
    period = closed_period(pooled=True, budget={"pooled": Decimal("1000.00")})
    entry(period, "hold", "10.00", decider)
    entry(period, "release", "20.00", decider)
    assert_check_ledger_fails_with("held is negative (-10.00)")


def test_check_ledger_fails_when_ledger_and_decisions_disagree_R25(reviewer, decider):
    period = closed_period(pooled=True, budget={"pooled": Decimal("10000.00")})
    app = granted(period, reviewer, decider)
    entry(period, "commitment", "1.00", decider, application=app, decision=app.decisions.get())
    assert_check_ledger_fails_with(f"application {app.reference}: ledger commitment 1001.00 != decisions 1000.00")


def test_check_ledger_fails_when_an_application_holds_a_negative_amount_R25(reviewer, decider):
    period = closed_period(pooled=True, budget={"pooled": Decimal("10000.00")})
    app = granted(period, reviewer, decider)
    entry(period, "release", "5.00", decider, application=app)
    assert_check_ledger_fails_with(f"application {app.reference}: held is negative")


def test_check_ledger_fails_when_settled_above_unconditional_plus_released_R30(reviewer, decider):
    period = closed_period(pooled=True, budget={"pooled": Decimal("10000.00")})
    app = granted(period, reviewer, decider)
    settlement = Decision.objects.create(
        application=app, kind=DecisionKind.SETTLEMENT, date=date(2022, 1, 1), decided_by=decider,
        granted_amount=Decimal("1000.01"), settled_amount=Decimal("1000.01"), payment_amount=Decimal("250.01"),
    )
    entry(period, "settlement", "1000.01", decider, application=app, decision=settlement)
    assert_check_ledger_fails_with(f"application {app.reference}: settled above unconditional + released (R30)")


def test_check_ledger_fails_on_an_entry_kind_its_decision_does_not_move_R25(reviewer, decider):
    period = closed_period(pooled=True, budget={"pooled": Decimal("10000.00")})
    app = granted(period, reviewer, decider)
    entry(period, "forfeit", "0.00", decider, application=app, decision=app.decisions.get())
    assert_check_ledger_fails_with("ledger entries of kind forfeit on grant decisions")


def test_check_ledger_fails_when_a_grant_pays_an_advance_R20(reviewer, decider):
    period = closed_period(pooled=True, budget={"pooled": Decimal("10000.00")})
    app = assessed(period, "1000.00", reviewer=reviewer)
    grant = Decision.objects.create(
        application=app, kind=DecisionKind.GRANT, date=date(2021, 1, 1), decided_by=decider,
        granted_amount=Decimal("1000.00"), advance_amount=Decimal("750.00"),
    )
    entry(period, "commitment", "1000.00", decider, application=app, decision=grant)
    entry(period, "advance", "750.00", decider, application=app, decision=grant)
    assert_check_ledger_fails_with(f"decision {grant.pk} ({app.reference}): grant states an advance of 750.00")
    assert_check_ledger_fails_with("ledger entries of kind advance on grant decisions")


def test_check_ledger_accepts_an_advance_decision_with_its_entry_R48(reviewer, decider):
    period = closed_period(pooled=True, budget={"pooled": Decimal("10000.00")})
    app = granted(period, reviewer, decider)
    advance = Decision.objects.create(
        application=app, kind=DecisionKind.ADVANCE, date=date(2021, 3, 1), decided_by=decider,
        advance_amount=Decimal("300.00"),
    )
    entry(period, "advance", "300.00", decider, application=app, decision=advance)
    assert_check_ledger_fails_with("advance paid outside a payment batch (R48)")
    batch = paid_in_batch(advance)
    assert_ledger_ok()
    entry(period, "advance", "0.01", decider, application=app, decision=advance)
    assert_check_ledger_fails_with(f"application {app.reference}: ledger advance 300.01 != decisions 300.00")
    assert_check_ledger_fails_with(f"payment batch {batch.pk}: 1 payments of 300.00 != ledger 2 of 300.01")


def test_check_ledger_fails_on_an_entry_outside_its_applications_period_R25(reviewer, decider):
    period = closed_period(pooled=True, budget={"pooled": Decimal("10000.00")})
    other = closed_period(pooled=True, budget={"pooled": Decimal("10000.00")})
    app = assessed(period, "1000.00", reviewer=reviewer)
    wrong = entry(other, "settlement", "0.00", decider, application=app)
    assert_check_ledger_fails_with(f"ledger entry {wrong.pk}: period differs from its application's period")
