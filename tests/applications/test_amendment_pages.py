"""Pages of lowering (R51) and redistribution rounds (R52): the office proposes, another decider confirms; a
contact files a request in the portal during the window. Dutch, with a 403 for roles that may not."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from applications.constants import MembershipRole
from applications.decisions.amounts import application_amounts
from applications.models import LoweringProposal, RevisionRequest, RevisionRound
from budgets.models import Allocation, AllocationStatus, Deadline
from tests.accounting.factories import granted_application
from tests.applications.factories import MembershipFactory, UserFactory
from tests.budgets.factories import PeriodFactory
from tests.support.otp import login_verified

pytestmark = pytest.mark.django_db


def test_r51_lowering_pages_proposal_table_and_confirmation_by_another_decider(client, reviewer, decider):
    period = PeriodFactory(deadlines={"registration": date(2026, 6, 1)})
    app = granted_application(period=period, registrations=(("A", None),) * 2)
    app.registrations.filter(pk=app.registrations.first().pk).update(status="rejected")
    login_verified(client, reviewer)
    assert client.get("/kantoor/budget/").content.decode().count(f"/kantoor/budget/tijdvak/{period.number}/bijstelling/")
    client.post(f"/kantoor/budget/tijdvak/{period.number}/bijstelling/voorstel/")
    page = client.get(f"/kantoor/budget/tijdvak/{period.number}/bijstelling/").content.decode()
    assert app.reference in page and "€ 10.000,00" in page and "€ 5.000,00" in page
    assert "Bijstelling van reserveringen" in page and "Vaststellen en verlagen" not in page  # Dutch; not a decider
    assert client.post(f"/kantoor/budget/tijdvak/{period.number}/bijstelling/vaststellen/").status_code == 403
    login_verified(client, decider)
    response = client.post(f"/kantoor/budget/tijdvak/{period.number}/bijstelling/vaststellen/", follow=True)
    assert response.status_code == 200
    assert LoweringProposal.objects.get().status == "confirmed"
    assert application_amounts(app)["reserved"] == Decimal("5000.00")


def test_r52_round_pages_open_request_in_the_portal_propose_and_confirm(client, reviewer, decider):
    period = PeriodFactory()
    Allocation.objects.create(period=period, status=AllocationStatus.CONFIRMED, created_by=UserFactory(username="a"))
    app = granted_application(period=period, registrations=(("A", None),) * 2)
    contact = MembershipFactory(employer=app.employer, role=MembershipRole.CONTACT).user
    today = timezone.localdate()
    login_verified(client, reviewer)
    bad = client.post(f"/kantoor/budget/tijdvak/{period.number}/herverdeling/",
                      {"opens": today.strftime("%d-%m-%Y"), "closes": "morgen"})
    assert bad.status_code == 200 and 'aria-invalid="true"' in bad.content.decode()
    client.post(f"/kantoor/budget/tijdvak/{period.number}/herverdeling/",
                {"opens": today.strftime("%d-%m-%Y"), "closes": today.strftime("%d-%m-%Y")})
    revision_round = RevisionRound.objects.get()

    login_verified(client, contact)
    url = f"/herverdeling/{revision_round.pk}/aanvraag/{app.pk}/"
    assert url in client.get(f"/aanvragen/{app.pk}/").content.decode()  # linked from the application page
    page = client.get(url)
    assert page.status_code == 200 and "Verhoging" in page.content.decode() and "Verzoek versturen" in page.content.decode()
    missing = client.post(url, {"change": "increase", "amount": "500,00", "reason": ""})
    assert missing.status_code == 200 and not RevisionRequest.objects.exists()
    client.post(url, {"change": "increase", "amount": "500.00", "reason": "Extra groep"})
    assert RevisionRequest.objects.get().amount == Decimal("500.00")
    outsider = MembershipFactory().user
    login_verified(client, outsider)
    assert client.get(url).status_code == 404

    RevisionRound.objects.filter(pk=revision_round.pk).update(opens=today - timedelta(days=3),
                                                              closes=today - timedelta(days=1))
    Deadline.objects.filter(period=period, kind="revision_round").update(date=today - timedelta(days=1))
    login_verified(client, reviewer)
    client.post(f"/kantoor/budget/ronde/{revision_round.pk}/voorstel/")
    page = client.get(f"/kantoor/budget/ronde/{revision_round.pk}/").content.decode()
    assert app.reference in page and "€ 500,00" in page
    login_verified(client, decider)
    client.post(f"/kantoor/budget/ronde/{revision_round.pk}/vaststellen/")
    assert application_amounts(app)["reserved"] == Decimal("10500.00")


def test_r4_employers_may_not_open_the_office_amendment_pages(client):
    period = PeriodFactory()
    login_verified(client, MembershipFactory().user)
    assert client.get(f"/kantoor/budget/tijdvak/{period.number}/bijstelling/").status_code == 403
    assert client.get(f"/kantoor/budget/tijdvak/{period.number}/herverdeling/").status_code == 403
