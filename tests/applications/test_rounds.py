"""Redistribution rounds (R52): open with a window (a calendar deadline, R53), requests by contacts, a proposal
after the window (decreases first, then the available money pro rata to the cent, never beyond the cap), a
confirmation by another decider with amendment decisions and letters."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from applications.constants import DecisionKind, MembershipRole
from applications.decisions import rounds
from applications.decisions.amounts import application_amounts
from applications.decisions.checks import ledger_violations
from applications.decisions.rendering import letter_html
from applications.models import Decision, RevisionRequest, RevisionRound
from budgets import reference_services
from budgets import selectors as budget_selectors
from budgets.models import Allocation, AllocationStatus, Deadline
from sectorplan.api.errors import StateConflict
from tests.accounting.factories import granted_application
from tests.applications.factories import MembershipFactory, UserFactory
from tests.budgets.factories import PeriodFactory


@pytest.fixture
def proposer(db):
    return UserFactory(username="proposer", roles=["office_reviewer"])


def allocated_period(**kwargs):
    period = PeriodFactory(**kwargs)
    Allocation.objects.create(period=period, status=AllocationStatus.CONFIRMED,
                              created_by=UserFactory(username=f"alloc{period.number}"))
    return period


def contact_of(app):
    return MembershipFactory(employer=app.employer, role=MembershipRole.CONTACT).user


def run_window(revision_round, days_after=1):
    """Move the round's window into the past (as if time passed): the proposal may be made."""
    past = timezone.localdate() - timedelta(days=days_after)
    RevisionRound.objects.filter(pk=revision_round.pk).update(opens=past - timedelta(days=10), closes=past)
    Deadline.objects.filter(period=revision_round.period, kind="revision_round").update(date=past)
    revision_round.refresh_from_db()
    return revision_round


def test_r52_r53_open_a_round_with_its_window_in_the_calendar(client_for, proposer, db):
    period = allocated_period()
    today = timezone.localdate()
    body = {"opens": today.isoformat(), "closes": (today + timedelta(days=14)).isoformat()}
    response = client_for(proposer).post(f"/api/v2/periods/{period.number}/revision-rounds", body, format="json")
    assert response.status_code == 201, response.content
    assert Deadline.objects.get(period=period, kind="revision_round").date == today + timedelta(days=14)
    # One round at a time.
    again = client_for(proposer).post(f"/api/v2/periods/{period.number}/revision-rounds", body, format="json")
    assert again.status_code == 409 and again.json()["code"] == "round_open"
    # Bad input: a 400 naming the field.
    bad = client_for(proposer).post(f"/api/v2/periods/{period.number}/revision-rounds",
                                    {"opens": today.isoformat(), "closes": "gisteren"}, format="json")
    assert bad.status_code == 400 and [p["name"] for p in bad.json()["invalidParams"]] == ["closes"]


def test_r52_requests_only_by_contacts_in_the_window(client_for, proposer, db):
    period = allocated_period()
    app = granted_application(period=period)
    today = timezone.localdate()
    revision_round = rounds.round_open(period=period, opens=today, closes=today + timedelta(days=7), by=proposer)
    url = f"/api/v2/revision-rounds/{revision_round.pk}/requests"
    contact = contact_of(app)
    ok = client_for(contact).post(url, {"application": app.pk, "change": "increase", "amount": "1000.00",
                                        "reason": "Meer deelnemers"}, format="json")
    assert ok.status_code == 201, ok.content
    no_reason = client_for(contact).post(url, {"application": app.pk, "change": "increase", "amount": "10.00"},
                                         format="json")
    assert no_reason.status_code == 400 and no_reason.json()["invalidParams"][0]["name"] == "reason"
    too_much = client_for(contact).post(url, {"application": app.pk, "change": "decrease", "amount": "999999.00"},
                                        format="json")
    assert too_much.status_code == 400 and too_much.json()["invalidParams"][0]["name"] == "amount"
    officer = MembershipFactory(employer=app.employer, role=MembershipRole.ACCOUNTABILITY_OFFICER).user
    assert client_for(officer).post(url, {"application": app.pk, "change": "decrease", "amount": "1.00"},
                                    format="json").status_code == 403
    outsider = MembershipFactory().user
    assert client_for(outsider).post(url, {"application": app.pk, "change": "decrease", "amount": "1.00"},
                                     format="json").status_code == 404
    run_window(revision_round)
    late = client_for(contact).post(url, {"application": app.pk, "change": "decrease", "amount": "1.00"},
                                    format="json")
    assert late.status_code == 409 and late.json()["code"] == "window_closed"
    assert RevisionRequest.objects.count() == 1


def test_r52_r53_an_employer_with_an_extension_files_after_the_window(proposer, decider, db):
    period = allocated_period()
    app = granted_application(period=period)
    today = timezone.localdate()
    revision_round = rounds.round_open(period=period, opens=today - timedelta(days=5), closes=today, by=proposer)
    reference_services.deadline_extend(period=period, kind="revision_round", date=today + timedelta(days=3),
                                       reason="Storing portaal", employer=app.employer, by=decider)
    rounds.revision_request(revision_round=revision_round, application=app, change="decrease",
                            amount=Decimal("100.00"), reason="", by=contact_of(app), today=today + timedelta(days=2))
    with pytest.raises(StateConflict) as early:
        rounds.round_propose(revision_round=revision_round, by=proposer, today=today + timedelta(days=2))
    assert early.value.errors[0]["code"] == "window_open"


def test_r52_decreases_first_then_the_available_money_pro_rata_to_the_cent_never_beyond_the_cap(
    client_for, proposer, decider, db
):
    # One pooled line of €80,000; cap per application €20,000.
    period = allocated_period(pooled=True, budget={"pooled": Decimal("80000.00")}, application_cap=Decimal("20000.00"))
    a = granted_application(period=period, registrations=(("A", None),) * 8)   # 40,000
    b = granted_application(period=period, registrations=(("A", None),) * 2)   # 10,000
    c = granted_application(period=period, registrations=(("A", None),) * 2)   # 10,000
    d = granted_application(period=period, registrations=(("A", None),) * 3)   # 15,000 (near the cap)
    # Available now: 80,000 - 75,000 = 5,000; A decreases by 10,000.01 -> 15,000.01 available.
    today = timezone.localdate()
    revision_round = rounds.round_open(period=period, opens=today, closes=today, by=proposer)
    for app, change, amount in ((a, "decrease", "10000.01"), (b, "increase", "10000.00"), (c, "increase", "7000.00"),
                                (d, "increase", "9000.00")):
        rounds.revision_request(revision_round=revision_round, application=app, change=change, amount=Decimal(amount),
                                reason="Meer deelnemers", by=contact_of(app))
    run_window(revision_round)
    response = client_for(proposer).post(f"/api/v2/revision-rounds/{revision_round.pk}/proposal")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["available"] == "15000.01"
    granted = {line["application"]: Decimal(line["granted"]) for line in body["lines"]}
    assert granted[a.pk] == Decimal("-10000.01")
    # D is capped at 5,000 of its 9,000 (cap 20,000 − 15,000); B 10,000 and C 7,000: 22,000 wanted, 15,000.01 there.
    assert sum(v for k, v in granted.items() if k != a.pk) == Decimal("15000.01")
    assert granted[d.pk] <= Decimal("5000.00")
    assert all(v >= 0 for k, v in granted.items() if k != a.pk)

    assert client_for(proposer).post(f"/api/v2/revision-rounds/{revision_round.pk}/confirm").status_code == 403
    response = client_for(decider).post(f"/api/v2/revision-rounds/{revision_round.pk}/confirm")
    assert response.status_code == 200, response.content
    assert response.json() == {"decisions": 4}
    assert application_amounts(a)["reserved"] == Decimal("29999.99")
    assert application_amounts(d)["reserved"] <= Decimal("20000.00")
    line = budget_selectors.line_balances(period=period)["pooled"]
    assert line["committed"] == Decimal("80000.00") and line["available"] == Decimal("0.00")
    [row] = budget_selectors.budget_table(periods=[period.number])
    assert (row["lowered"], row["redistributed"]) == (Decimal("10000.01"), Decimal("15000.01"))
    assert ledger_violations() == []
    call_command("check_ledger")
    amendment = Decision.objects.get(application=b, kind=DecisionKind.AMENDMENT)
    html = letter_html(letter=amendment.letters.get())
    assert "Ik verhoog uw subsidiereservering" in html and "herverdelingsronde" in html.lower()
    # Twice: 409.
    again = client_for(decider).post(f"/api/v2/revision-rounds/{revision_round.pk}/confirm")
    assert again.status_code == 409 and again.json()["code"] == "already_confirmed"


def test_r52_the_proposer_may_not_confirm_and_no_proposal_is_409(client_for, decider, db):
    period = allocated_period()
    app = granted_application(period=period)
    today = timezone.localdate()
    revision_round = rounds.round_open(period=period, opens=today, closes=today, by=decider)
    rounds.revision_request(revision_round=revision_round, application=app, change="decrease",
                            amount=Decimal("1.00"), reason="", by=contact_of(app))
    run_window(revision_round)
    none = client_for(decider).post(f"/api/v2/revision-rounds/{revision_round.pk}/confirm")
    assert none.status_code == 409 and none.json()["code"] == "no_proposal"
    assert client_for(decider).post(f"/api/v2/revision-rounds/{revision_round.pk}/proposal").status_code == 201
    own = client_for(decider).post(f"/api/v2/revision-rounds/{revision_round.pk}/confirm")
    assert own.status_code == 409 and own.json()["code"] == "four_eyes"


def test_r52_r22_an_increase_is_held_back_on_the_new_amount_while_the_advice_is_not_positive(proposer, decider, db):
    period = allocated_period(with_holdback=True)
    app = granted_application(period=period, registrations=(("A", None),) * 4, held=Decimal("5000.00"))
    today = timezone.localdate()
    revision_round = rounds.round_open(period=period, opens=today, closes=today, by=proposer)
    rounds.revision_request(revision_round=revision_round, application=app, change="increase",
                            amount=Decimal("4000.00"), reason="Extra groep", by=contact_of(app))
    run_window(revision_round)
    rounds.round_propose(revision_round=revision_round, by=proposer)
    rounds.round_confirm(revision_round=revision_round, by=decider)
    amounts = application_amounts(app)
    # 24,000: held 25% = 6,000 (+1,000), unconditional 18,000 (+3,000).
    assert (amounts["reserved"], amounts["held"], amounts["unconditional"]) == (
        Decimal("24000.00"), Decimal("6000.00"), Decimal("18000.00")
    )
    assert ledger_violations() == []


def test_r52_before_the_window_closed_no_proposal(proposer, db):
    period = allocated_period()
    today = timezone.localdate()
    revision_round = rounds.round_open(period=period, opens=today, closes=today + timedelta(days=1), by=proposer)
    with pytest.raises(StateConflict) as conflict:
        rounds.round_propose(revision_round=revision_round, by=proposer)
    assert conflict.value.errors[0]["code"] == "window_open"
