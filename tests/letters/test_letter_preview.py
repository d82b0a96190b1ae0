"""R28: before confirming an allocation the office sees one rendered letter of each kind it will produce, rendered
from unsaved decisions: no decision, letter or message is written."""

from decimal import Decimal

import pytest
from django.urls import reverse

from applications.decisions import services as decision_services
from applications.decisions.rendering import letter_html, preview_letters
from applications.models import Decision, Letter, Message
from tests.applications.factories import LetterFactory, UserFactory
from tests.budgets.helpers import assessed, closed_period
from tests.support.otp import login_verified

from .cases import build_case, case_employer

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal():
    """First come, first served over € 1.000: 400 + 400 + 200 granted, the fourth rejected for lack of budget."""
    reviewer = UserFactory(username="rev-preview", roles=["office_reviewer"])
    period = closed_period(budget={"other": Decimal("1000.00")}, allocation_method="first_come")
    for _ in range(4):
        assessed(period, "400.00", reviewer=reviewer)
    return decision_services.allocation_propose(period=period, by=reviewer)


def _url(allocation, kind):
    return reverse("budgets:allocation-letter-preview", args=[allocation.period.number, allocation.pk, kind])


def test_r28_allocation_page_links_a_preview_of_each_kind_it_will_produce(proposal, decider, client):
    login_verified(client, decider)
    html = client.get(reverse("budgets:allocation", args=[proposal.period.number])).content.decode()
    assert 'id="letter-previews"' in html
    assert _url(proposal, "grant") in html and _url(proposal, "rejection") in html
    assert f'{_url(proposal, "grant")}?pdf=1' in html


@pytest.mark.parametrize("kind, expected", [
    ("grant", ["Ik verleen u een subsidie van ten hoogste <strong>€ 400,00</strong>", "Wettelijke grondslag", "namens deze"]),
    ("rejection", ["Ik wijs uw aanvraag af", "op volgorde van ontvangst", "geen budget meer over", "4:25"]),
])
def test_r28_preview_renders_the_letter_from_an_unsaved_decision_and_writes_nothing(proposal, decider, client, kind,
                                                                                      expected):
    login_verified(client, decider)
    response = client.get(_url(proposal, kind))
    assert response.status_code == 200
    html = response.content.decode()
    for text in expected:
        assert text in html, text
    assert "TESTDOCUMENT" in html
    assert Decision.objects.count() == Letter.objects.count() == Message.objects.count() == 0


def test_r28_preview_as_pdf(proposal, decider, client):
    login_verified(client, decider)
    response = client.get(_url(proposal, "grant") + "?pdf=1")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert Letter.objects.count() == 0


def test_r28_preview_is_for_the_decider_and_only_of_a_proposal(proposal, reviewer, decider, client):
    login_verified(client, reviewer)
    assert client.get(_url(proposal, "grant")).status_code == 403
    login_verified(client, decider)
    assert client.get(_url(proposal, "settlement")).status_code == 404
    decision_services.allocation_confirm(allocation=proposal, by=decider)
    assert client.get(_url(proposal, "grant")).status_code == 404


def test_r28_preview_letters_gives_one_letter_per_variant():
    grant = build_case("grant")
    upheld = build_case("objection_ruling_upheld", employer=case_employer(n=1), period=grant.application.period,
                        number=124)
    letters_before = Letter.objects.count()
    previews = preview_letters(decisions=[grant, grant, upheld])
    assert [p["variant"] for p in previews] == ["grant", "objection_ruling_upheld"]
    assert "Ik verleen u een subsidie" in previews[0]["html"] and "gegrond" in previews[1]["html"]
    assert Letter.objects.count() == letters_before


def test_r28_preview_of_a_stored_decision_equals_its_letter():
    """The preview and the letter are one rendering: what the office saw is what the employer gets."""
    decision = build_case("holdback_release")
    [preview] = preview_letters(decisions=[decision])
    stored = LetterFactory(decision=decision)
    assert preview["html"] == letter_html(letter=stored)
