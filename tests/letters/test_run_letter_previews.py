"""R28 (issue 14 item 4): before confirming an advance run, a lowering or a redistribution round the decider sees one
rendered letter of each kind the confirmation will produce (advance; amendment lowered; amendment increased and
lowered), as HTML and PDF, built from unsaved decisions with the code the confirmation uses: no decision, letter,
message or ledger row is written, only the processing-log row of the read (R54)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.constants import MembershipRole
from applications.decisions import advances, lowering, rounds
from applications.models import Decision, Letter, Message, ProcessingLogEntry, RevisionRound
from budgets.models import Allocation, AllocationStatus, Deadline, LedgerEntry
from tests.accounting.factories import granted_application
from tests.applications.factories import MembershipFactory, UserFactory
from tests.budgets.factories import PeriodFactory
from tests.support.otp import login_verified

pytestmark = pytest.mark.django_db


def _counts():
    return (Decision.objects.count(), Letter.objects.count(), Message.objects.count(), LedgerEntry.objects.count())


def _links(html: str, url: str) -> bool:
    return f'href="{url}"' in html and f'href="{url}?pdf=1"' in html


@pytest.fixture
def run(reviewer):
    period = PeriodFactory(advance_percent=Decimal("75.00"))
    granted_application(period=period, registrations=(("A", None),))
    return advances.advance_run_propose(period=period, by=reviewer)


def test_r28_advance_run_page_links_the_advance_letter_and_the_preview_writes_nothing(run, decider, client):
    url = reverse("budgets:advance-run-letter-preview", args=[run.pk, "advance"])
    login_verified(client, decider)
    page = client.get(reverse("budgets:advance-run", args=[run.pk])).content.decode()
    assert 'id="letter-previews"' in page and _links(page, url)
    before = _counts()
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Verlening voorschot" in html and "€ 3.750,00" in html and "namens deze" in html
    pdf = client.get(url + "?pdf=1")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    assert _counts() == before
    entries = list(ProcessingLogEntry.objects.values_list("user_id", "action", "purpose"))
    assert entries == [(decider.pk, "read", "review")] * 2  # R54: each read logged, as the allocation preview


def test_r28_advance_preview_only_for_deciders_and_only_of_a_proposed_run(run, reviewer, decider, client):
    url = reverse("budgets:advance-run-letter-preview", args=[run.pk, "advance"])
    login_verified(client, reviewer)
    assert client.get(url).status_code == 403
    assert 'id="letter-previews"' not in client.get(reverse("budgets:advance-run", args=[run.pk])).content.decode()
    login_verified(client, decider)
    assert client.get(reverse("budgets:advance-run-letter-preview", args=[run.pk, "settlement"])).status_code == 404
    advances.advance_run_confirm(run=run, by=decider)
    assert client.get(url).status_code == 404


def test_r28_lowering_page_links_the_lowered_letter_and_the_preview_writes_nothing(reviewer, decider, client):
    period = PeriodFactory(deadlines={"registration": date(2026, 6, 1)})
    app = granted_application(period=period, registrations=(("A", None),) * 2)
    app.registrations.filter(pk=app.registrations.first().pk).update(status="rejected")
    lowering.lowering_propose(period=period, by=reviewer)
    url = reverse("budgets:lowering-letter-preview", args=[period.number, "amendment_lowered"])
    login_verified(client, reviewer)
    assert client.get(url).status_code == 403
    login_verified(client, decider)
    page = client.get(reverse("budgets:lowering", args=[period.number])).content.decode()
    assert 'id="letter-previews"' in page and _links(page, url)
    assert "verlaagde reservering" in page and "amendment_increased" not in page  # Dutch; one kind only
    before = _counts()
    html = client.get(url).content.decode()
    assert "Ik verlaag uw subsidiereservering van € 10.000,00 naar <strong>€ 5.000,00</strong>" in html
    assert client.get(url + "?pdf=1").content.startswith(b"%PDF-")
    assert _counts() == before
    assert ProcessingLogEntry.objects.filter(user=decider, application=app).count() == 2
    assert client.get(reverse("budgets:lowering-letter-preview", args=[period.number, "amendment_increased"])
                      ).status_code == 404


def test_r28_round_page_links_an_increased_and_a_lowered_letter_and_writes_nothing(reviewer, decider, client):
    period = PeriodFactory(pooled=True, budget={"pooled": Decimal("30000.00")})
    Allocation.objects.create(period=period, status=AllocationStatus.CONFIRMED, created_by=UserFactory(username="al"))
    down = granted_application(period=period, registrations=(("A", None),) * 2)  # 10,000
    up = granted_application(period=period, registrations=(("A", None),) * 2)  # 10,000
    today = timezone.localdate()
    revision_round = rounds.round_open(period=period, opens=today, closes=today, by=reviewer)
    for app, change, amount in ((down, "decrease", "2000.00"), (up, "increase", "3000.00")):
        contact = MembershipFactory(employer=app.employer, role=MembershipRole.CONTACT).user
        rounds.revision_request(revision_round=revision_round, application=app, change=change, amount=Decimal(amount),
                                reason="Meer deelnemers", by=contact)
    past = today - timedelta(days=1)
    RevisionRound.objects.filter(pk=revision_round.pk).update(opens=past - timedelta(days=5), closes=past)
    Deadline.objects.filter(period=period, kind="revision_round").update(date=past)
    revision_round.refresh_from_db()
    rounds.round_propose(revision_round=revision_round, by=reviewer)
    increased = reverse("budgets:round-letter-preview", args=[revision_round.pk, "amendment_increased"])
    lowered = reverse("budgets:round-letter-preview", args=[revision_round.pk, "amendment_lowered"])
    login_verified(client, decider)
    page = client.get(reverse("budgets:round", args=[revision_round.pk])).content.decode()
    assert _links(page, increased) and _links(page, lowered)
    before = _counts()
    html = client.get(increased).content.decode()
    assert "Ik verhoog uw subsidiereservering van € 10.000,00 naar <strong>€ 13.000,00</strong>" in html
    assert up.reference in html
    html = client.get(lowered).content.decode()
    assert "Ik verlaag uw subsidiereservering van € 10.000,00 naar <strong>€ 8.000,00</strong>" in html
    assert down.reference in html
    assert client.get(lowered + "?pdf=1").content.startswith(b"%PDF-")
    assert _counts() == before
    assert ProcessingLogEntry.objects.filter(user=decider).count() == 3
    # Once confirmed there is nothing left to preview.
    rounds.round_confirm(revision_round=revision_round, by=decider)
    assert client.get(increased).status_code == 404
