"""R33 (issue 13 item 7): objections against amendments and advances.

An upheld objection against an ``amendment`` (a lowering, R51, or a round's change, R52) sets the reservation the
ruling states (api.md ``reservedAmount``), or restores the one before the amendment: through the ledger with the
amendment kinds, the held part the holdback share while still held (R22), never above the cap per application or
the budget line's ceiling; a decision and letter with the previous and new amounts; ``check_ledger`` clean.

An upheld objection against an ``advance`` (R48) replaces the decision but moves no money: the next run pays what
is due on the corrected state and the settlement nets every advance (R30)."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from accounting import services
from accounting.models import Objection
from applications.constants import DecisionKind
from applications.decisions import advances, lowering
from applications.decisions import services as decision_services
from applications.decisions.amounts import application_amounts
from applications.decisions.checks import ledger_violations
from applications.decisions.rendering import letter_html
from applications.models import Decision
from budgets import selectors
from budgets.models import LedgerEntry
from sectorplan.api.errors import DomainError, StateConflict
from tests.accounting.factories import granted_application
from tests.applications.factories import UserFactory
from tests.budgets.factories import PeriodFactory
from tests.budgets.helpers import assert_ledger_ok
from tests.support.otp import login_verified

pytestmark = pytest.mark.django_db
PAST = date(2026, 6, 1)


@pytest.fixture
def proposer(db):
    return UserFactory(username="proposer", roles=["office_reviewer"])


def lowered(period, proposer, decider, *, registrations=4, rejected=1, held=Decimal("0.00")):
    """A granted application of ``registrations`` × €5,000 lowered by ``rejected`` × €5,000 (R51)."""
    app = granted_application(period=period, registrations=(("A", None),) * registrations, held=held)
    app.registrations.filter(pk__in=list(app.registrations.values_list("pk", flat=True)[:rejected])).update(
        status="rejected")
    lowering.lowering_propose(period=period, by=proposer)
    [amendment] = lowering.lowering_confirm(period=period, by=decider)[1]
    return app, amendment


def object_to(decision, by):
    return services.objection_record(decision=decision, received_on=decision.date, grounds="Onjuist verlaagd", by=by)


def test_r33_r22_upheld_objection_against_a_lowering_restores_the_reservation_with_the_held_share(
    proposer, reviewer, decider
):
    period = PeriodFactory(with_holdback=True, deadlines={"registration": PAST})
    app, amendment = lowered(period, proposer, decider, held=Decimal("5000.00"))
    assert (application_amounts(app)["reserved"], application_amounts(app)["held"]) == (
        Decimal("15000.00"), Decimal("3750.00"))
    available = selectors.line_balances(period=period)[next(iter(selectors.line_balances(period=period)))]["available"]

    objection = services.objection_rule(objection=object_to(amendment, reviewer), outcome="upheld",
                                        ruling="De registratie was wel tijdig.", by=decider)
    ruling = objection.ruling_decision
    amounts = application_amounts(app)
    # Restored to € 20,000; still held back (no positive advice): 25% of the new reservation.
    assert (amounts["reserved"], amounts["held"], amounts["unconditional"]) == (
        Decimal("20000.00"), Decimal("5000.00"), Decimal("15000.00"))
    assert (ruling.kind, ruling.supersedes_id, ruling.previous_reserved, ruling.granted_amount) == (
        DecisionKind.OBJECTION_RULING, amendment.pk, Decimal("15000.00"), Decimal("20000.00"))
    entries = dict(LedgerEntry.objects.filter(decision=ruling).values_list("kind", "amount"))
    assert entries == {"redistribution": Decimal("3750.00"), "redistribution_hold": Decimal("1250.00")}
    line = selectors.line_balances(period=period)
    assert line[next(iter(line))]["available"] == available - Decimal("5000.00")
    assert ledger_violations() == []
    assert_ledger_ok()
    html = letter_html(letter=ruling.letters.get())
    assert "<strong>gegrond</strong>" in html and "stel ik uw subsidiereservering vast op <strong>€ 20.000,00" in html
    assert "€ 15.000,00" in html and "€ 3.750,00" in html and "€ 5.000,00" in html  # previous and new amounts
    # A second ruling on the same amendment: the decision in force is the ruling.
    with pytest.raises(StateConflict) as again:
        services.objection_rule(objection=object_to(amendment, reviewer), outcome="upheld", ruling="x", by=decider)
    assert again.value.errors[0]["code"] == "superseded"


def test_r33_ruling_states_the_reservation_through_the_api_and_bad_amounts_are_400(
    client_for, proposer, reviewer, decider
):
    period = PeriodFactory(deadlines={"registration": PAST}, application_cap=Decimal("18000.00"))
    app, amendment = lowered(period, proposer, decider)
    objection = object_to(amendment, reviewer)
    url = f"/api/v2/objections/{objection.pk}/ruling"
    above = client_for(decider).post(url, {"outcome": "upheld", "ruling": "x", "reservedAmount": "18000.01"},
                                     format="json")
    assert above.status_code == 400 and [p["name"] for p in above.json()["invalidParams"]] == ["reservedAmount"]
    assert not Decision.objects.filter(kind=DecisionKind.OBJECTION_RULING).exists()  # nothing half-saved
    response = client_for(decider).post(url, {"outcome": "upheld", "ruling": "Deels gegrond",
                                              "reservedAmount": "17500.00"}, format="json")
    assert response.status_code == 200, response.content
    assert application_amounts(app)["reserved"] == Decimal("17500.00")
    assert_ledger_ok()


def test_r33_r19_restoring_is_refused_when_the_freed_money_was_committed_since(proposer, reviewer, decider):
    period = PeriodFactory(deadlines={"registration": PAST}, pooled=True, budget={"pooled": Decimal("20000.00")})
    app, amendment = lowered(period, proposer, decider)  # 20,000 -> 15,000: 5,000 available again
    other = granted_application(period=period, registrations=(("A", None),), granted=Decimal("4000.00"))
    assert application_amounts(other)["reserved"] == Decimal("4000.00")  # 1,000 left
    objection = object_to(amendment, reviewer)
    with pytest.raises(StateConflict) as refused, transaction.atomic():
        services.objection_rule(objection=objection, outcome="upheld", ruling="x", by=decider)
    assert refused.value.errors[0]["code"] == "ceiling_exceeded"
    assert application_amounts(app)["reserved"] == Decimal("15000.00")
    assert Objection.objects.get(pk=objection.pk).status == "received"
    # What still fits can be granted: 15,000 + 1,000.
    services.objection_rule(objection=objection, outcome="upheld", ruling="x", by=decider,
                            granted_amount=Decimal("16000.00"))
    assert application_amounts(app)["reserved"] == Decimal("16000.00")
    assert_ledger_ok()


def test_r33_r51_ruling_against_an_amendment_of_a_lapsed_application_moves_nothing(proposer, reviewer, decider):
    period = PeriodFactory(deadlines={"registration": PAST})
    app, amendment = lowered(period, proposer, decider)
    app.status = "lapsed"
    app.save(update_fields=["status"])
    with pytest.raises(StateConflict) as refused:
        services.objection_rule(objection=object_to(amendment, reviewer), outcome="upheld", ruling="x", by=decider)
    assert refused.value.errors[0]["code"] == "not_granted"


@given(
    regs=st.integers(min_value=2, max_value=6),
    rejected=st.integers(min_value=1, max_value=5),
    ceiling_extra=st.integers(min_value=0, max_value=12_000_00),
    holdback=st.booleans(),
    target=st.one_of(st.none(), st.integers(min_value=0, max_value=40_000_00), st.just(30_000_01)),
)
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_r33_r25_amendment_rulings_keep_every_euro_exact_and_check_ledger_clean(
    proposer, reviewer, decider, regs, rejected, ceiling_extra, holdback, target
):
    sid = transaction.savepoint()
    try:
        rejected = min(rejected, regs - 1)
        ceiling = Decimal(regs * 5000) + Decimal(ceiling_extra) / 100
        period = PeriodFactory(deadlines={"registration": PAST}, pooled=True, with_holdback=holdback,
                               budget={"pooled": ceiling}, application_cap=Decimal("30000.00"))
        held = Decimal(regs * 5000) * period.holdback_percent / 100 if holdback else Decimal("0.00")
        app, amendment = lowered(period, proposer, decider, registrations=regs, rejected=rejected, held=held)
        before = application_amounts(app)
        amount = None if target is None else Decimal(target) / 100
        try:
            with transaction.atomic():
                ruling = services.objection_rule(objection=object_to(amendment, reviewer), outcome="upheld",
                                                 ruling="x", by=decider, granted_amount=amount).ruling_decision
        except (DomainError, StateConflict) as exc:
            assert exc.errors[0]["code"] in {"above_cap", "ceiling_exceeded"}
            event(exc.errors[0]["code"])
            assert application_amounts(app) == before  # nothing half-saved
        else:
            event("lowered" if ruling.granted_amount < ruling.previous_reserved else "raised")
            expected = amendment.previous_reserved if amount is None else amount
            after = application_amounts(app)
            assert after["reserved"] == ruling.granted_amount == expected <= Decimal("30000.00")
            assert after["held"] + after["released"] + after["unconditional"] == after["reserved"]
            if holdback and after["reserved"] > 0 and after["held"] > 0:
                assert after["held"] <= after["reserved"] * period.holdback_percent / 100 + Decimal("0.01")
        assert ledger_violations() == []
        line = selectors.line_balances(period=period)["pooled"]
        parts = line["available"] + line["unconditional"] + line["held"] + line["released"] + line["forfeited"]
        assert parts == line["ceiling"] == ceiling and line["available"] >= 0
    finally:
        transaction.savepoint_rollback(sid)


def test_r33_r48_upheld_objection_against_an_advance_moves_no_money_and_the_next_run_pays_what_is_due(
    client_for, reviewer, decider
):
    period = PeriodFactory(advance_percent=Decimal("75.00"))
    app = granted_application(period=period, registrations=(("A", None),))
    run = advances.advance_run_propose(period=period, by=reviewer)
    advances.advance_run_confirm(run=run, by=decider)
    advance = Decision.objects.get(application=app, kind=DecisionKind.ADVANCE)
    entries = LedgerEntry.objects.count()
    objection = object_to(advance, reviewer)
    url = f"/api/v2/objections/{objection.pk}/ruling"
    stated = client_for(decider).post(url, {"outcome": "upheld", "ruling": "x", "reservedAmount": "1.00"},
                                      format="json")
    assert stated.status_code == 400 and stated.json()["invalidParams"][0]["name"] == "grantedAmount"
    response = client_for(decider).post(url, {"outcome": "upheld", "ruling": "Gegrond"}, format="json")
    assert response.status_code == 200, response.content
    ruling = Objection.objects.get(pk=objection.pk).ruling_decision
    assert ruling.supersedes_id == advance.pk and ruling.advance_amount == 0
    assert LedgerEntry.objects.count() == entries  # no money at the ruling
    assert application_amounts(app)["advances_paid"] == Decimal("3750.00")
    html = letter_html(letter=ruling.letters.get())
    assert "voorschotbesluit" in html and "eerstvolgende voorschotronde" in html
    # The next run pays only what became due since: nothing.
    assert advances.advance_run_propose(period=period, by=reviewer).count == 0
    assert_ledger_ok()
    assert decision_services.grant_in_force(app).kind == DecisionKind.GRANT  # the grant is untouched


def test_r33_office_page_rules_on_an_amendment_objection_and_bad_input_saves_nothing(
    client, proposer, reviewer, decider
):
    period = PeriodFactory(deadlines={"registration": PAST})
    app, amendment = lowered(period, proposer, decider)
    objection = object_to(amendment, reviewer)
    url = reverse("accounting:objection", args=[objection.pk])
    login_verified(client, decider)
    page = client.get(url).content.decode()
    assert "leeg herstelt de reservering van vóór de wijziging" in page
    bad = client.post(url, {"action": "rule", "outcome": "upheld", "ruling": "x", "granted_amount": "1.234"},
                      follow=True)
    assert bad.status_code == 200 and Objection.objects.get(pk=objection.pk).status == "received"
    form = {"action": "rule", "outcome": "upheld", "ruling": "Gegrond", "granted_amount": ""}
    assert client.post(url, form).status_code == 200  # the confirmation step saves nothing yet
    assert Objection.objects.get(pk=objection.pk).status == "received"
    client.post(url, {**form, "confirmed": "yes"})
    assert Objection.objects.get(pk=objection.pk).status == "upheld"
    assert application_amounts(app)["reserved"] == Decimal("20000.00")
    assert_ledger_ok()
