"""The HTML of every letter kind holds what R27 requires (rendered with the letter's template function)."""

from decimal import Decimal

import pytest
from django.test import override_settings

from applications.decisions.rendering import letter_html
from applications.models import Letter, PlanLine

from .conftest import KIND_AMOUNTS

COMMON = [
    "SPP-T3-000123",  # reference
    "23 november 2026",  # date in Dutch
    "KvK-nummer: 41234567",
    "Stichting Zorggroep De Linde",
    "Lindelaan 12",
    "3511 AB",
    "Uitvoeringsorganisatie SectorplanPlus",
    "Postbus 0000",
    "0000 AA Utrecht",
    "tijdvak 3",
    "Wettelijke grondslag",
    "van de Awb",
    "Algemene wet bestuursrecht",
    "Hoogachtend",
    'counter(page) " van " counter(pages)',
    "Kenmerk SPP-T3-000123",
    # the registrations table by focus and age band
    "Nieuwe instroom",
    "Opscholing",
    "Praktijkbegeleider",
    "jonger dan 25",
    "55 en ouder",
    "€ 12.500,00",
]

PER_KIND = {
    "grant": ["€ 12.345,67", "€ 3.086,42", "€ 9.259,25", "Commissie Werken in de Zorg",
              "Utrecht en omgeving", "positief advies", "1 juli 2028", "subsidiereservering",
              "Met dit besluit betaal ik nog niets uit",
              "Voorschotten volgen op de opleidingstrajecten die u registreert en die ik goedkeur"],
    "rejection": ["Ik wijs uw aanvraag af", "€ 17.000,00"],
    "holdback_release": ["€ 3.086,42", "Commissie Werken in de Zorg", "positief geadviseerd",
                         "Met dit besluit betaal ik niets uit", "1 juli 2028"],
    "holdback_forfeit": ["€ 3.086,42", "Commissie Werken in de Zorg", "negatief geadviseerd", "vervalt"],
    "settlement": ["€ 8.123,45", "€ 6.943,69", "€ 1.179,76", "Ik stel de subsidie vast"],
    "objection_ruling": ["€ 11.000,00", "ongegrond", "blijft in stand", "beroep"],
    "lapse": ["€ 12.345,67", "€ 3.086,42", "vervalt", "geen goedgekeurde projectovereenkomst", "4:48"],
    "advance": ["€ 6.943,69", "Ik verleen u een voorschot", "ten name van Stichting Zorggroep De Linde",
                "1 juli 2028"],
}

OBJECTION_CLAUSE = ["binnen zes weken bezwaar maken", "dag na de datum van deze brief",
                    "Stuur uw bezwaarschrift naar: de Minister van Volksgezondheid, Welzijn en Sport, "
                    "p/a Uitvoeringsorganisatie SectorplanPlus, Postbus 0000, 0000 AA Utrecht"]


@pytest.mark.parametrize("kind", list(KIND_AMOUNTS))
def test_letter_html_of_every_kind_has_the_required_elements_R27(make_letter, kind):
    html = letter_html(letter=make_letter(kind))
    for text in COMMON + PER_KIND[kind]:
        assert text in html, f"{kind}: missing {text!r}"
    assert 'class="watermark"' in html and "TESTDOCUMENT" in html
    assert "Kenmerk" in html


@pytest.mark.parametrize("kind", [k for k in KIND_AMOUNTS if k != "objection_ruling"])
def test_letter_has_the_objection_clause_six_weeks_to_the_office_R27(make_letter, kind):
    html = letter_html(letter=make_letter(kind))
    for text in OBJECTION_CLAUSE:
        assert text in html


def test_ruling_on_objection_points_to_appeal_not_a_second_objection_R27_R33(make_letter):
    html = letter_html(letter=make_letter("objection_ruling"))
    assert "binnen zes weken beroep instellen" in html
    assert "dag na de datum van deze brief" in html
    assert "Stuur uw bezwaarschrift" not in html


def test_grant_without_holdback_has_no_condition_R22_R27(make_letter):
    html = letter_html(letter=make_letter("grant", held_amount=0))
    assert "Aangehouden deel" not in html
    assert "Onvoorwaardelijk verleend" not in html
    assert "€ 12.345,67" in html


@pytest.mark.parametrize("kind", ["grant", "holdback_release", "objection_ruling"])
def test_grant_release_and_ruling_letters_promise_no_advance_R20(make_letter, make_decision, kind):
    extra = {"supersedes": make_decision("grant", number=7)} if kind == "objection_ruling" else {}
    html = letter_html(letter=make_letter(kind, **extra))
    assert "Ik verleen u een voorschot" not in html
    assert "aanvulling op het voorschot" not in html.lower()
    assert "binnen vier weken over" not in html
    assert "goedkeur" in html  # advances follow approved registrations


def test_grant_letter_states_the_deadlines_of_the_calendar_R20_R53(make_letter, period):
    from budgets.models import Deadline

    for kind, day in (("agreement", "2027-01-29"), ("registration", "2027-03-01"), ("repair", "2027-06-01")):
        Deadline.objects.create(period=period, kind=kind, date=day)
    html = letter_html(letter=make_letter("grant"))
    for text in ("29 januari 2027", "projectovereenkomst", "1 maart 2027", "1 juni 2027", "1 juli 2028"):
        assert text in html, text


def test_a_deadline_before_the_letters_date_is_not_set_as_a_term_still_to_meet_R53_R27(make_letter, period):
    """A letter dated 23 November 2026 never orders an employer to act by a date already gone."""
    from budgets.models import Deadline

    Deadline.objects.create(period=period, kind="agreement", date="2026-05-29")
    html = letter_html(letter=make_letter("grant"))
    assert "verstreken op 29 mei 2026" in html
    assert "Uiterlijk <strong>29 mei 2026</strong>" not in html


def test_grant_letter_names_the_cap_and_the_method_the_allocation_used_R12_R16(make_letter, period, decider):
    from budgets.models import Allocation

    allocation = Allocation.objects.create(period=period, created_by=decider, method="first_come",
                                           application_cap=Decimal("10000.00"))
    html = letter_html(letter=make_letter("grant", granted_amount=Decimal("8000.00"), allocation=allocation))
    assert "ten hoogste € 10.000,00" in html
    assert "op volgorde van ontvangst" in html
    assert "naar evenredigheid" not in html


def test_objection_ruling_that_lowers_below_advances_paid_states_the_reclaim_R33_R27(make_letter, make_decision):
    grant = make_decision("grant", number=7)
    html = letter_html(letter=make_letter("objection_ruling", payment_amount=Decimal("-1500.00"), supersedes=grant))
    assert "Terug te betalen voorschot" in html and "€ 1.500,00" in html


def test_settlement_with_negative_payment_is_a_reclaim_R30_R27(make_letter):
    html = letter_html(letter=make_letter("settlement", payment_amount=Decimal("-500.10")))
    assert "terug te betalen" in html and "€ 500,10" in html and "4:57" in html
    assert "terug" in html


def test_no_watermark_in_production_R27(make_letter, settings):
    settings.ENVIRONMENT = "production"
    html = letter_html(letter=make_letter("grant"))
    assert "TESTDOCUMENT" not in html


def test_letter_is_dutch_even_when_the_caller_speaks_english_R26(make_letter):
    from django.utils import translation

    with translation.override("en"):
        html = letter_html(letter=make_letter("grant"))
    assert "23 november 2026" in html and "November" not in html


def test_grant_letter_lists_the_plan_lines_with_what_was_found_eligible_and_why_R15_R27(make_decision):
    decision = make_decision("grant")
    application = decision.application
    PlanLine.objects.create(application=application, activity_type="A", focus="upskilling", count=3,
                            amount_per_trajectory=Decimal("5000.00"), requested_amount=Decimal("15000.00"),
                            eligible_count=2, reason="Eén traject valt buiten de opleidingsperiode.")
    PlanLine.objects.create(application=application, activity_type="D", focus="new_intake", count=1,
                            planned_cost=Decimal("800.00"), amount_per_trajectory=Decimal("800.00"),
                            requested_amount=Decimal("800.00"), eligible_count=1)
    letter = Letter.objects.create(decision=decision, version=1)
    html = letter_html(letter=letter)
    assert "Opscholing" in html and "Nieuwe instroom" in html
    assert "€ 10.000,00" in html and "€ 800,00" in html and "€ 10.800,00" in html  # eligible per line and total
    assert "3 trajecten aangevraagd, 2 subsidiabel" in html
    assert "Reden: Eén traject valt buiten de opleidingsperiode." in html
    assert "leeftijdscategorie van de deelnemers" not in html  # a plan names no one


@override_settings(
    LETTER_SIGNATORY_NAME="mr. J.A. de Vries",
    LETTER_SIGNATORY_FUNCTION="directeur Subsidieverlening",
    LETTER_OFFICE_POSTBUS="Postbus 20350",
    LETTER_OFFICE_POSTAL_CODE="2500 EJ",
    LETTER_OFFICE_CITY="Den Haag",
)
@pytest.mark.parametrize("kind", ["grant", "settlement"])
def test_letter_is_signed_by_the_configured_signatory_namens_de_minister_R27(make_letter, kind):
    html = letter_html(letter=make_letter(kind))
    assert "mr. J.A. de Vries" in html and "directeur Subsidieverlening" in html
    assert "De Minister van Volksgezondheid, Welzijn en Sport,<br>namens deze," in html
    assert ("Stuur uw bezwaarschrift naar: de Minister van Volksgezondheid, Welzijn en Sport, "
            "p/a Uitvoeringsorganisatie SectorplanPlus, Postbus 20350, 2500 EJ Den Haag") in html
    assert "Postbus 0000" not in html


@override_settings(LETTER_DEBTOR_IBAN="NL91 ABNA 0417 1643 00")
def test_reclaim_letter_names_the_configured_debtor_iban_R27(make_letter):
    letter = make_letter("settlement")
    letter.decision.payment_amount = Decimal("-100.00")
    html = letter_html(letter=letter)
    assert "op rekeningnummer <strong>NL91 ABNA 0417 1643 00</strong>" in html
