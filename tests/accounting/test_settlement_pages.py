"""Office pages of settlement (R30), the R31 sample and objections (R33): Dutch, role-checked, saving through the
services."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounting import services
from accounting.models import Objection
from applications.constants import ApplicationStatus
from applications.models import SampleCheck, SampleDraw
from tests.accounting.factories import granted_application
from tests.applications.factories import MembershipFactory
from tests.budgets.factories import PeriodFactory
from tests.support.otp import login_verified

pytestmark = pytest.mark.django_db


def reported(app):
    app.registrations.update(started=True, outcome="completed")
    app.registrations.filter(activity_type="C").update(actual_cost=Decimal("1500.00"))
    return app


def test_r30_settlement_page_shows_the_computation_and_a_decider_confirms(client, reviewer, decider):
    period = PeriodFactory(accountability_deadline=timezone.localdate() + timedelta(days=30))
    app = reported(granted_application(period=period, registrations=[("A", None), ("C", Decimal("1500.00"))]))
    url = f"/account/kantoor/vaststelling/{app.pk}/"
    login_verified(client, reviewer)
    page = client.get(url).content.decode()
    assert "settlement-lines" in page and "€ 6.500,00" in page and "Vaststelling" in page
    assert client.post(url).status_code == 403
    login_verified(client, decider)
    # Issue 15: the button leads to a second page stating what settling will decide; nothing is saved yet.
    ask = client.post(url)
    assert ask.status_code == 200 and "confirm-form" in ask.content.decode() and "€ 6.500,00" in ask.content.decode()
    app.refresh_from_db()
    assert app.status == ApplicationStatus.GRANTED
    assert client.post(url, {"confirmed": "yes"}).status_code == 302
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SETTLED
    assert "€ 6.500,00" in client.get(url).content.decode()
    login_verified(client, MembershipFactory(employer=app.employer).user)
    assert client.get(url).status_code == 403  # an office page (README: one answer, 403)


def test_r30_settlement_page_explains_what_blocks(client, decider):
    period = PeriodFactory(accountability_deadline=timezone.localdate() + timedelta(days=30))
    app = granted_application(period=period)
    login_verified(client, decider)
    page = client.get(f"/account/kantoor/vaststelling/{app.pk}/").content.decode()
    assert "settlement-blockers" in page and "settlement-confirm" not in page


def test_r31_sample_page_draws_and_a_reviewer_records_the_check(client, reviewer, decider):
    period = PeriodFactory(small_application_limit=Decimal("15000.00"))
    app = granted_application(period=period, registrations=[("E", Decimal("400.00"))])
    url = f"/account/kantoor/tijdvak/{period.number}/steekproef/"
    login_verified(client, decider)
    assert client.post(url, {"percent": "10"}).status_code == 302
    draw = SampleDraw.objects.get(period=period)
    assert draw.drawn == [app.pk]
    page = client.get(url).content.decode()
    assert draw.seed in page and app.reference in page
    assert client.post(url, {"action": "check", "sample": draw.pk, "application": app.pk, "outcome": "sound",
                             "notes": "ok"}).status_code == 403
    login_verified(client, reviewer)
    client.post(url, {"action": "check", "sample": draw.pk, "application": app.pk, "outcome": "sound",
                      "notes": "Factuur en betaalbewijs in orde"})
    assert SampleCheck.objects.get(draw=draw, application=app).outcome == "sound"


def test_r33_objection_page_records_hearing_adjourns_and_rules(client, reviewer, decider):
    app = granted_application(registrations=[("A", None), ("B", None)], granted=Decimal("8000.00"))
    objection = services.objection_record(decision=app.decisions.get(), received_on=date(2026, 3, 1), grounds="Te laag",
                                          by=reviewer)
    url = f"/account/kantoor/bezwaar/{objection.pk}/"
    login_verified(client, reviewer)
    page = client.get(url).content.decode()
    assert "28-04-2026" in page  # Awb 7:10: six weeks after the term, King's Day moves it a day
    client.post(url, {"action": "hearing", "held_on": "20-03-2026", "attendees": "J. Jansen", "summary": "Toelichting"})
    objection.refresh_from_db()
    assert objection.hearing_on == date(2026, 3, 20)
    assert client.post(url, {"action": "rule", "outcome": "upheld", "ruling": "x"}).status_code == 403
    login_verified(client, decider)
    ruling = {"action": "rule", "outcome": "upheld", "ruling": "Ten onrechte", "granted_amount": "10.000,00"}
    ask = client.post(url, ruling)  # issue 15: first the page saying what the ruling decides
    assert ask.status_code == 200 and "€ 10.000,00" in ask.content.decode() and "€ 8.000,00" in ask.content.decode()
    assert Objection.objects.get(pk=objection.pk).status == "received"
    client.post(url, {**ruling, "confirmed": "yes"})
    objection = Objection.objects.get(pk=objection.pk)
    assert objection.status == "upheld" and objection.ruling_decision.granted_amount == Decimal("10000.00")
