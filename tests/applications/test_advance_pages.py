"""R48 office pages: the period's runs, the proposal table, the confirmation by a second decider, the SEPA download."""

from decimal import Decimal

import pytest

from applications.models import AdvanceRun, PaymentBatch
from tests.accounting.factories import granted_application
from tests.applications.factories import MembershipFactory, UserFactory
from tests.budgets.factories import PeriodFactory
from tests.support.otp import login_verified

pytestmark = pytest.mark.django_db


def test_r48_office_pages_propose_show_confirm_by_second_decider_and_download(client, decider):
    period = PeriodFactory(advance_percent=Decimal("75.00"))
    app = granted_application(period=period, registrations=(("A", None),))
    other = UserFactory(username="decider-b", roles=["office_decider"])
    login_verified(client, decider)
    assert "voorschotten" in client.get("/kantoor/budget/").content.decode()
    page = client.get(f"/kantoor/budget/tijdvak/{period.number}/voorschotten/")
    assert page.status_code == 200
    response = client.post(f"/kantoor/budget/tijdvak/{period.number}/voorschotten/voorstel/", follow=True)
    run = AdvanceRun.objects.get(period=period)
    body = response.content.decode()
    assert app.reference in body and "3.750,00" in body
    assert 'id="confirm-run"' not in body  # the proposer gets no confirm button (four eyes)
    client.post(f"/kantoor/budget/voorschotrun/{run.pk}/vaststellen/", follow=True)
    run.refresh_from_db()
    assert run.status == "proposed"  # refused: the proposer
    login_verified(client, other)
    body = client.get(f"/kantoor/budget/voorschotrun/{run.pk}/").content.decode()
    assert 'id="confirm-run"' in body
    body = client.post(f"/kantoor/budget/voorschotrun/{run.pk}/vaststellen/", follow=True).content.decode()
    run.refresh_from_db()
    assert run.status == "confirmed"
    batch = PaymentBatch.objects.get(run=run)
    assert f"/kantoor/budget/betaalbestand/{batch.pk}.xml" in body
    download = client.get(f"/kantoor/budget/betaalbestand/{batch.pk}.xml")
    assert download.status_code == 200 and download["Content-Type"] == "application/xml"
    assert b"<CtrlSum>3750.00</CtrlSum>" in download.content


def test_r48_employers_and_reviewers_where_they_may_not(client, reviewer):
    period = PeriodFactory()
    granted_application(period=period, registrations=(("A", None),))
    login_verified(client, MembershipFactory().user)
    assert client.get(f"/kantoor/budget/tijdvak/{period.number}/voorschotten/").status_code == 403
    login_verified(client, reviewer)
    client.post(f"/kantoor/budget/tijdvak/{period.number}/voorschotten/voorstel/")
    run = AdvanceRun.objects.get(period=period)
    assert client.post(f"/kantoor/budget/voorschotrun/{run.pk}/vaststellen/").status_code == 403
