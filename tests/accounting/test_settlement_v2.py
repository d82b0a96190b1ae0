"""R30 v2, R31: settlement on approved registrations' progress, the factor fixed at grant, retention capped on
realised amounts, reclaims with a due date, the R31 sample, and the ledger after it all (R35, check_ledger)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from accounting import services
from accounting.settlement import RegistrationActuals, retention_cap, settle
from applications import samples
from applications.constants import ApplicationStatus, DecisionKind
from applications.decisions.checks import ledger_violations
from applications.models import SampleDraw
from applications.rules import Rate, retention_within_share
from budgets.selectors import budget_table
from sectorplan.api.errors import DomainError, StateConflict
from sectorplan.money import round_half_up
from tests.accounting.factories import booked_advance, granted_application
from tests.budgets.factories import PeriodFactory
from tests.problems import problems

pytestmark = pytest.mark.django_db

FIXED = Rate("A", "fixed", Decimal("5000.00"), Decimal("2000.00"), Decimal("24.0"))
COST = Rate("C", "actual_cost", Decimal("2000.00"), None, None)
money = st.decimals(min_value=Decimal("0"), max_value=Decimal("50000"), places=2, allow_nan=False, allow_infinity=False)


def actuals(rate=FIXED, *, started=True, cost=None, retention=False, planned=Decimal("1500.00"), approved=True):
    return RegistrationActuals(approved=approved, started=started, rate=rate, contract_hours=Decimal("32"),
                               actual_cost=cost, planned_amount=planned, retention=retention)


# --- The arithmetic (pure, hypothesis) ---------------------------------------------------------------

registration_st = st.builds(
    actuals, rate=st.sampled_from([FIXED, COST]), started=st.sampled_from([True, False, None]), cost=money,
    retention=st.booleans(), planned=money, approved=st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(
    regs=st.lists(registration_st, max_size=12), eligible=money, granted=money, unconditional=money, released=money,
    advances=money, small=st.booleans(), share=st.sampled_from([Decimal("0"), Decimal("25"), Decimal("50"), Decimal("100")]),
)
def test_r30_settlement_exact_capped_and_repeatable(regs, eligible, granted, unconditional, released, advances, small, share):
    kwargs = dict(registrations=regs, eligible_amount=eligible, granted_amount=granted, unconditional_amount=unconditional,
                  released_amount=released, advances_paid=advances, small=small, retention_max_percent=share)
    result = settle(**kwargs)
    assert result.settled_amount == round_half_up(result.settled_amount)  # exact to the cent
    assert Decimal("0") <= result.settled_amount <= unconditional + released  # never above the cap
    assert result.payment_amount == result.settled_amount - advances
    # R9 on realised amounts: the retention part counted satisfies the plan's own check.
    assert result.retention_counted <= result.realised_retention
    assert retention_within_share(retention_total=result.retention_counted, application_total=result.realised,
                                  max_percent=share) or share == Decimal("100")
    # The factor: never above 1; half-up once on realised × at grant ÷ eligible.
    if eligible > 0 and granted < eligible:
        assert result.before_cap == round_half_up(result.realised * granted / eligible)
        assert result.before_cap <= result.realised
    else:
        assert result.before_cap == result.realised
    assert settle(**kwargs) == result  # idempotent: the same input gives the same settlement


@given(other=money, share=st.sampled_from([Decimal("10"), Decimal("50"), Decimal("75")]))
def test_r30_retention_cap_is_the_largest_cent_that_keeps_r9(other, share):
    cap = retention_cap(other=other, max_percent=share)
    assert retention_within_share(retention_total=cap, application_total=other + cap, max_percent=share)
    over = cap + Decimal("0.01")
    assert not retention_within_share(retention_total=over, application_total=other + over, max_percent=share)


def test_r30_retention_part_capped_at_its_share_of_the_total():
    # 50%: other 5000 realised, retention 2 × 5000 realised -> retention counted 5000, total 10000.
    result = settle(registrations=[actuals(), actuals(retention=True), actuals(retention=True)],
                    eligible_amount=Decimal("15000.00"), granted_amount=Decimal("15000.00"),
                    unconditional_amount=Decimal("15000.00"), released_amount=Decimal("0"), advances_paid=Decimal("0"),
                    retention_max_percent=Decimal("50"))
    assert (result.realised_retention, result.retention_counted, result.settled_amount) == (
        Decimal("10000.00"), Decimal("5000.00"), Decimal("10000.00"))


def test_r31_small_application_counts_actual_cost_types_at_their_registered_amount():
    result = settle(registrations=[actuals(COST, cost=None, planned=Decimal("1234.56")), actuals(COST, started=False)],
                    eligible_amount=Decimal("3000.00"), granted_amount=Decimal("3000.00"),
                    unconditional_amount=Decimal("3000.00"), released_amount=Decimal("0"), advances_paid=Decimal("0"),
                    small=True)
    assert result.settled_amount == Decimal("1234.56")
    assert [line.basis for line in result.lines] == ["registered_amount", "not_started"]


# --- From the database ----------------------------------------------------------------------------------


def report(app, *rows):
    for registration, started, cost in zip(app.registrations.order_by("pk"), rows[::2], rows[1::2], strict=False):
        registration.started, registration.outcome = started, "completed" if started else ""
        registration.actual_cost = cost
        registration.save()


@pytest.fixture
def period():
    return PeriodFactory(accountability_deadline=timezone.localdate() + timedelta(days=60))


def test_r30_factor_is_fixed_at_grant_an_objection_raises_only_the_cap(decider, reviewer, period):
    # Eligible 10000, reserved at grant 8000 (factor 0.8); an upheld objection raises the reservation to 10000.
    app = granted_application(period=period, registrations=[("A", None), ("B", None)], granted=Decimal("8000.00"))
    grant = app.decisions.get()
    objection = services.objection_record(decision=grant, received_on=date(2026, 3, 1), grounds="Te laag", by=reviewer)
    services.objection_rule(objection=objection, outcome="upheld", ruling="Ten onrechte verlaagd", by=decider,
                            granted_amount=Decimal("10000.00"))
    report(app, True, None, True, None)
    decision, result = services.application_settle(application=app, by=decider)
    assert result.factor == Decimal("0.8")
    assert (result.cap, result.settled_amount) == (Decimal("10000.00"), Decimal("8000.00"))
    assert ledger_violations() == []


def test_r30_unreported_after_the_deadline_counts_as_not_started_and_is_reclaimed(decider, django_capture_on_commit_callbacks):
    period = PeriodFactory(accountability_deadline=timezone.localdate() - timedelta(days=1))
    app = granted_application(period=period, registrations=[("A", None), ("B", None)], advance_percent=Decimal("75"))
    report(app, True, None)  # the second is never reported
    decision, result = services.application_settle(application=app, by=decider)
    assert [line.basis for line in result.lines] == ["fixed", "not_reported"]
    assert (result.settled_amount, result.payment_amount) == (Decimal("5000.00"), Decimal("-2500.00"))
    assert decision.payment_due == decision.date + timedelta(weeks=6)
    rows = budget_table(periods=[period.number])
    assert (sum(r["settled"] for r in rows), sum(r["reclaimed"] for r in rows)) == (Decimal("5000.00"), Decimal("2500.00"))  # R35 from the ledger
    assert ledger_violations() == []


def test_r30_settlement_waits_for_progress_before_the_deadline(decider, period):
    app = granted_application(period=period, registrations=[("A", None), ("B", None)])
    report(app, True, None)
    with pytest.raises(StateConflict) as exc:
        services.application_settle(application=app, by=decider)
    assert exc.value.errors[0]["code"] == "progress_missing"


def test_r30_settlement_waits_for_registrations_awaiting_review(decider, period):
    app = granted_application(period=period, registrations=[("A", None), ("B", None)])
    report(app, True, None, True, None)
    app.registrations.filter(pk=app.registrations.order_by("pk").last().pk).update(status="submitted")
    with pytest.raises(StateConflict) as exc:
        services.application_settle(application=app, by=decider)
    assert exc.value.errors[0]["code"] == "registrations_pending"


def test_r30_settlement_api_shows_the_computation_line_by_line(client_for, decider, period):
    app = granted_application(period=period, registrations=[("A", None), ("C", Decimal("2000.00"))])
    report(app, True, None, True, Decimal("1800.00"))
    body = client_for(decider).post(f"/api/v2/applications/{app.pk}/settle").json()
    assert body["settledAmount"] == "6800.00" and body["paymentDue"] is None
    assert [(line["basis"], line["realised"]) for line in body["computation"]["lines"]] == [
        ("fixed", "5000.00"), ("actual_cost", "1800.00")]


# --- R31: the sample ------------------------------------------------------------------------------------


def small_period():
    return PeriodFactory(accountability_deadline=timezone.localdate() + timedelta(days=60),
                         small_application_limit=Decimal("15000.00"))


def test_r31_sample_is_reproducible_from_what_is_recorded(client_for, decider):
    period = small_period()
    apps = [granted_application(period=period, registrations=[("E", Decimal("400.00"))]) for _ in range(12)]
    assert all(a.small for a in apps)
    response = client_for(decider).post(f"/api/v2/periods/{period.number}/samples", {}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    sample = SampleDraw.objects.get(pk=body["id"])
    assert sorted(sample.population) == sorted(a.pk for a in apps)
    assert len(sample.drawn) == 2  # 10% of 12, rounded up
    # Anyone with the seed, the share and the population draws the same applications again.
    assert samples.draw(population=body["population"], seed=body["seed"], percent=Decimal(body["percent"])) == sample.drawn
    assert [a["id"] for a in body["applications"]] == sample.drawn
    # A second run draws from the rest, at least one.
    second = samples.sample_draw(period=period, by=decider, percent=Decimal("1"))
    assert len(second.drawn) == 1 and not set(second.drawn) & set(sample.drawn)


def test_r31_sample_draw_without_small_applications_is_a_conflict(client_for, decider):
    period = small_period()
    response = client_for(decider).post(f"/api/v2/periods/{period.number}/samples", {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "nothing_to_sample"


def test_r31_drawn_small_application_waits_for_its_check_then_settles_without_unsupported(client_for, decider, reviewer):
    period = small_period()
    app = granted_application(period=period, registrations=[("E", Decimal("400.00")), ("D", Decimal("900.00"))])
    report(app, True, None, True, None)
    sample = samples.sample_draw(period=period, by=decider)
    with pytest.raises(StateConflict) as exc:
        services.application_settle(application=app, by=decider)
    assert exc.value.errors[0]["code"] == "sample_check_pending"
    d = app.registrations.get(activity_type="D")
    response = client_for(decider).post(f"/api/v2/samples/{sample.pk}/checks",
                                        {"application": app.pk, "outcome": "sound", "notes": "ok"}, format="json")
    assert response.status_code == 403  # a reviewer records the check
    response = client_for(reviewer).post(
        f"/api/v2/samples/{sample.pk}/checks",
        {"application": app.pk, "outcome": "deficient", "notes": "Geen aanwezigheidslijst", "unsupported": [d.pk]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    _decision, result = services.application_settle(application=app, by=decider)
    assert result.settled_amount == Decimal("400.00")  # E at its registered amount; D unsupported


def test_r31_sample_check_names_only_its_own_approved_registrations(reviewer, decider):
    period = small_period()
    app = granted_application(period=period, registrations=[("E", Decimal("400.00"))])
    other = granted_application(period=small_period(), registrations=[("E", Decimal("400.00"))])
    sample = samples.sample_draw(period=period, by=decider)
    with pytest.raises(DomainError):
        samples.sample_check_record(sample=sample, application=app, outcome="deficient", notes="x",
                                    unsupported=[other.registrations.get().pk], by=reviewer)
    with pytest.raises(DomainError):
        samples.sample_check_record(sample=sample, application=other, outcome="sound", notes="x", by=reviewer)


# --- R33: objections move money, hearing, ruling term ---------------------------------------------------


def test_r33_upheld_objection_against_the_settlement_gives_a_new_settlement(decider, reviewer, period):
    app = granted_application(period=period, registrations=[("A", None), ("B", None)], advance_percent=Decimal("75"))
    report(app, True, None, False, None)
    settlement, _result = services.application_settle(application=app, by=decider)
    assert settlement.payment_amount == Decimal("-2500.00")
    objection = services.objection_record(decision=settlement, received_on=timezone.localdate(), grounds="B is gestart",
                                          by=reviewer)
    services.objection_rule(objection=objection, outcome="upheld", ruling="B is wel gestart", by=decider,
                            settled_amount=Decimal("10000.00"))
    new = app.decisions.get(kind=DecisionKind.SETTLEMENT, supersedes=settlement)
    # Received so far: 7500 advance − 2500 reclaimed = 5000; the new settlement pays the other 5000.
    assert (new.settled_amount, new.payment_amount) == (Decimal("10000.00"), Decimal("5000.00"))
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SETTLED
    assert ledger_violations() == []


def test_r33_receipt_date_not_in_the_future(reviewer):
    app = granted_application()
    grant = app.decisions.get()
    with pytest.raises(DomainError) as exc:
        services.objection_record(decision=grant, received_on=date(2026, 3, 1), grounds="x", by=reviewer,
                                  today=date(2026, 2, 20))
    assert exc.value.errors[0]["code"] == "future"


def test_r33_ruling_term_awb_7_10_six_weeks_after_the_term_plus_six_when_adjourned(client_for, reviewer, decider):
    grant = granted_application().decisions.get()  # 2 Feb 2026: objection term ends Monday 16 March 2026
    objection = services.objection_record(decision=grant, received_on=date(2026, 3, 1), grounds="x", by=reviewer)
    assert objection.deadline == date(2026, 3, 16)
    # Six weeks later is Monday 27 April 2026, King's Day: the Algemene termijnenwet moves it to the 28th.
    assert objection.ruling_due == date(2026, 4, 28)
    body = client_for(reviewer).get(f"/api/v2/objections/{objection.pk}").json()
    assert (body["rulingDue"], body["adjourned"], body["hearing"]) == ("2026-04-28", False, None)
    response = client_for(decider).post(f"/api/v2/objections/{objection.pk}/adjournment", {"reason": "Advies"},
                                        format="json")
    assert response.status_code in (200, 409)
    objection.refresh_from_db()
    if response.status_code == 200:
        assert response.json()["rulingDue"] == "2026-06-08" and objection.ruling_due == date(2026, 6, 8)
    else:  # today is after the ruling term of this 2026 decision: adjourning is too late
        assert response.json()["code"] == "ruling_term_passed"


def test_r33_adjourned_ruling_term(reviewer, decider):
    grant = granted_application().decisions.get()
    objection = services.objection_record(decision=grant, received_on=date(2026, 3, 1), grounds="x", by=reviewer)
    services.objection_adjourn(objection=objection, reason="Nader onderzoek", by=decider, today=date(2026, 4, 1))
    objection.refresh_from_db()
    assert objection.ruling_due == date(2026, 6, 8)
    with pytest.raises(StateConflict):
        services.objection_adjourn(objection=objection, reason="Nog eens", by=decider, today=date(2026, 4, 2))


def test_r33_hearing_recorded_awb_7_2(client_for, reviewer):
    grant = granted_application().decisions.get()
    objection = services.objection_record(decision=grant, received_on=date(2026, 3, 1), grounds="x", by=reviewer)
    url = f"/api/v2/objections/{objection.pk}/hearing"
    response = client_for(reviewer).post(url, {"heldOn": "2026-03-20"}, format="json")
    assert response.status_code == 400
    assert {p["field"] for p in problems(response)} == {"attendees", "summary"}
    response = client_for(reviewer).post(
        url, {"heldOn": "2026-03-20", "attendees": "J. Jansen (werkgever), A. Bakker (kantoor)",
              "summary": "Werkgever lichtte de bezwaren toe."}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["hearing"]["heldOn"] == "2026-03-20"
    response = client_for(reviewer).post(url, {"waived": True, "waivedReason": "Afgezien"}, format="json")
    assert response.status_code == 409


def test_r33_waived_hearing_needs_a_reason(reviewer):
    grant = granted_application().decisions.get()
    objection = services.objection_record(decision=grant, received_on=date(2026, 3, 1), grounds="x", by=reviewer)
    with pytest.raises(DomainError):
        services.objection_hearing_record(objection=objection, by=reviewer, waived=True)
    services.objection_hearing_record(objection=objection, by=reviewer, waived=True, waived_reason="Bezwaarmaker zag af")
    objection.refresh_from_db()
    assert objection.hearing_waived and objection.hearing_recorded


def test_r48_r30_advance_and_settlement_ledger_is_checked(decider, period):
    app = granted_application(period=period, registrations=[("A", None)])
    booked_advance(app, amount=Decimal("3750.00"))
    report(app, True, None)
    services.application_settle(application=app, by=decider)
    assert ledger_violations() == []


def test_r30_r53_drafts_block_settlement_until_the_registration_deadline(decider, period):
    app = granted_application(period=period, registrations=[("A", None), ("B", None)])
    report(app, True, None, True, None)
    app.registrations.filter(pk=app.registrations.order_by("pk").last().pk).update(status="draft")
    with pytest.raises(StateConflict) as exc:
        services.application_settle(application=app, by=decider)
    assert exc.value.errors[0]["code"] == "registrations_pending"
    period.deadlines.create(kind="registration", date=timezone.localdate() - timedelta(days=1))
    _decision, result = services.application_settle(application=app, by=decider)
    assert result.settled_amount == Decimal("5000.00")  # the draft never became approved
