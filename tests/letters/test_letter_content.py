"""The HTML of every letter kind holds what R27 requires (rendered with the letter's template function)."""

from decimal import Decimal

import pytest

from applications.decisions.rendering import letter_html

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
    "Regeling subsidieprogramma Sectorplan plus",
    "Kaderwet VWS-subsidies",
    "Algemene wet bestuursrecht",
    "Hoogachtend",
    'counter(page) " van " counter(pages)',
    "Kenmerk SPP-T3-000123",
    # the participants table by focus and age band
    "Nieuwe instroom",
    "Opscholing",
    "Praktijkbegeleiders",
    "jonger dan 25",
    "55 en ouder",
    "€ 12.500,00",
    "Uw aanvraag voldoet aan de voorwaarden van de regeling.",  # reasons
]

PER_KIND = {
    "grant": ["€ 12.345,67", "€ 3.086,42", "€ 9.259,25", "€ 6.943,69", "Commissie Werken in de Zorg",
              "Utrecht en omgeving", "positief advies", "1 juli 2028", "Voorschot"],
    "rejection": ["Ik wijs uw aanvraag af", "€ 17.000,00"],
    "holdback_release": ["€ 3.086,42", "Commissie Werken in de Zorg", "positief geadviseerd", "€ 2.314,82",
                         "1 juli 2028"],
    "holdback_forfeit": ["€ 3.086,42", "Commissie Werken in de Zorg", "negatief geadviseerd", "vervalt"],
    "settlement": ["€ 8.123,45", "€ 6.943,69", "€ 1.179,76", "Ik stel de subsidie vast"],
    "objection_ruling": ["€ 11.000,00", "€ 8.250,00", "gegrond", "beroep"],
}

OBJECTION_CLAUSE = ["binnen zes weken bezwaar maken", "dag na de datum van deze brief",
                    "Stuur uw bezwaarschrift naar: Uitvoeringsorganisatie SectorplanPlus, Postbus 0000, 0000 AA Utrecht"]


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
    html = letter_html(letter=make_letter("grant", held_amount=0, advance_amount=Decimal("9259.25")))
    assert "Aangehouden deel" not in html
    assert "€ 9.259,25" in html


def test_settlement_with_negative_payment_is_a_reclaim_R30_R27(make_letter):
    html = letter_html(letter=make_letter("settlement", payment_amount=Decimal("-500.10")))
    assert "Terug te betalen" in html and "€ 500,10" in html
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
