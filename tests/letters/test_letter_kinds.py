"""R27 per letter variant: every element a subsidy jurist checks, on the rendered HTML of a realistic case
(``tests/letters/cases.py``). The PDF text of the same cases is checked against a real worker in
``tests/integration/test_letter_kinds_worker.py``."""

import re
from html import unescape

import pytest

from applications.decisions.rendering import letter_html
from tests.applications.factories import LetterFactory

from .cases import VARIANTS, build_case


def _text(html: str) -> str:
    """The visible text of the letter body, whitespace collapsed (the tests read what the employer reads)."""
    body = html[html.index("<body"):]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


#: Every letter (R27): reference, date, addressee with KvK number, the deciding authority under mandate with the
#: named signatory, the period, Dutch amounts, and a legal basis with articles.
COMMON = [
    "SPP-T3-000123", "23 november 2026", "Stichting Zorggroep De Linde", "Lindelaan 12", "3511 AB UTRECHT",
    "KvK-nummer: 41234567", "De Minister van Volksgezondheid, Welzijn en Sport, namens deze,", "A. Voorbeeld",
    "hoofd van de Uitvoeringsorganisatie SectorplanPlus", "tijdvak 3", "Wettelijke grondslag", "van de Awb",
    "Uitvoeringsorganisatie SectorplanPlus", "Postbus 0000",
]
#: The objection clause (R27, Awb 6:4-6:8): six weeks from the day after the date, to the Minister at the office's
#: address, and what an objection must contain.
OBJECTION_CLAUSE = [
    "binnen zes weken bezwaar maken", "begint op de dag na de datum van deze brief (23 november 2026)",
    "Stuur uw bezwaarschrift naar: de Minister van Volksgezondheid, Welzijn en Sport, p/a Uitvoeringsorganisatie "
    "SectorplanPlus, Postbus 0000, 0000 AA Utrecht",
    "uw naam en adres; de datum; het kenmerk van deze brief (SPP-T3-000123)",
    "waarom u het niet eens bent met het besluit; uw handtekening", "artikelen 6:4, 6:5, 6:7 en 6:8",
]
APPEAL_CLAUSE = ["binnen zes weken beroep instellen", "dag na de datum van deze brief", "rechtbank",
                 "niet opnieuw bezwaar maken", "griffierecht"]
#: What is subsidised: the plan lines with the portal's labels, requested and eligible in separate columns.
PLAN = ["Nieuwe instroom", "Opscholing", "Trajecten aangevraagd", "Trajecten subsidiabel", "Aangevraagd bedrag",
        "Subsidiabel bedrag", "€ 6.000,00", "€ 2.000,00"]
#: Deadlines from the calendar with this employer's extension, never a stale date.
DEADLINES = ["1 maart 2027", "15 juli 2027", "verlengd; was 1 juni 2027", "1 september 2027", "1 juli 2028"]

PER_VARIANT = {
    "grant": [
        *PLAN, *DEADLINES, "Ik verleen u een subsidie van ten hoogste € 12.345,67", "subsidiereservering",
        "Aangevraagd", "Subsidiabel", "Gereserveerd", "€ 17.000,00", "€ 3.086,42", "€ 9.259,25",
        "Commissie Werken in de Zorg", "onder de voorwaarde", "Met dit besluit betaal ik nog niets uit",
        "NL91ABNA0417164300", "3 trajecten aangevraagd, 1 subsidiabel", "Reden: Twee trajecten starten na het einde",
        "artikelen 4:29 en 4:30 van de Awb", "4:25, tweede lid", "artikel 3 van de Kaderwet VWS-subsidies",
        "Regeling subsidieprogramma Sectorplan plus", "binnen zes weken bezwaar maken",
    ],
    "rejection": [
        "Ik wijs uw aanvraag af", "€ 17.000,00", "€ 13.000,00", "subsidieplafond van tijdvak 3 was echter bereikt",
        "artikel 4:35 van de Awb", "4:25, tweede lid", "Reden: Twee trajecten starten", "Trajecten subsidiabel",
    ],
    "not_considered": [
        "niet te behandelen (buiten behandeling te stellen)", "artikel 4:5, eerste lid, onder c", "4:15",
        "Wij ontvingen de aanvulling niet op tijd", "€ 17.000,00", "Nieuwe instroom",
    ],
    "holdback_release": [
        "2 november 2026", "CWZ/2026/0417", "positief geadviseerd", "Ik geef het aangehouden deel van € 3.086,42 vrij",
        "Vóór dit besluit", "Na dit besluit", "€ 12.345,67", "€ 9.259,25", "€ 3.086,42", "Met dit besluit betaal ik niets uit",
        "artikel 7 van de Regeling subsidieprogramma Sectorplan plus", "4:38", *DEADLINES,
    ],
    "holdback_forfeit": [
        "2 november 2026", "CWZ/2026/0417", "negatief geadviseerd", "€ 3.086,42", "vervalt",
        "uw subsidiereservering is voortaan € 9.259,25", "Vóór dit besluit", "Na dit besluit", "€ 12.345,67",
        "artikel 4:48, eerste lid, onder b", "Aan de voorwaarde is niet voldaan",
    ],
    "lapse": [
        "Ik trek de subsidieverlening daarom in", "€ 12.345,67", "€ 3.086,42", "€ 0,00", "1 maart 2027",
        "geen goedgekeurde projectovereenkomst", "artikel 4:48, eerste lid, onder b", "Vóór dit besluit",
    ],
    "advance": [
        "Ik verleen u een voorschot van € 5.943,69", "NL91ABNA0417164300", "ten name van Stichting Zorggroep De Linde",
        "Eerder betaalde voorschotten € 1.000,00", "Voorschotten in totaal na dit besluit € 6.943,69",
        "binnen vier weken", "artikelen 4:95", "verreken alle voorschotten bij de vaststelling", *DEADLINES,
    ],
    "amendment": [
        "Ik verlaag uw subsidiereservering van € 12.345,67 naar € 10.000,00", "Vóór dit besluit", "Na dit besluit",
        "€ 2.500,00", "blijft € 2.500,00 aangehouden", "Goedgekeurde registraties: 2 trajecten A",
        "artikel 4:48, eerste lid, onder a", "de artikelen 7 en 11 van de Regeling", *DEADLINES,
    ],
    "settlement_payment": [
        "Ik stel de subsidie vast op € 8.123,45", "€ 6.943,69", "Nog aan u te betalen € 1.179,76",
        "NL91ABNA0417164300", "binnen vier weken", "4 subsidiabele trajecten, waarvan 3 gestart",
        "1 niet gestart", "€ 4.222,22 lager dan de reservering", "omdat 1 traject niet is gestart",
        "de artikelen 4:42 en 4:44", "artikel 4:46, tweede lid",
    ],
    "settlement_reclaim": [
        "Ik stel de subsidie vast op € 5.000,00", "Door u terug te betalen € 1.943,69", "artikel 4:57",
        "binnen zes weken na de datum van deze brief", "NL00 BANK 0000 0000 00",
        "ten name van Uitvoeringsorganisatie SectorplanPlus", "onder vermelding van het kenmerk SPP-T3-000123",
        "onverschuldigd betaald", "lager dan de reservering",
    ],
    "objection_ruling_upheld": [
        "1 september 2026", "ontvangen op 5 oktober 2026", "De reviewer heeft twee trajecten C ten onrechte afgewezen",
        "gegrond", "herroep het bestreden besluit", "€ 13.000,00", "€ 3.250,00", "€ 12.345,67",
        "volledig aan uw bezwaar tegemoetkom (artikel 7:3, onder e, Awb)", "Uit de overgelegde leerovereenkomsten",
        "7:11", "7:10", "Verlening subsidie SectorplanPlus", *APPEAL_CLAUSE,
    ],
    "objection_ruling_rejected": [
        "1 september 2026", "ontvangen op 5 oktober 2026", "ongegrond", "blijft in stand", "€ 12.345,67",
        "Op 2 november 2026 heb ik u gehoord (artikel 7:2 Awb)", "Aanwezig: mevrouw A. de Vries", "De trajecten starten volgens de overgelegde stukken",
        "7:12", "Verlening subsidie SectorplanPlus", *APPEAL_CLAUSE,
    ],
}


@pytest.fixture
def rendered(db):
    def render(variant):
        letter = LetterFactory(decision=build_case(variant))
        return _text(letter_html(letter=letter))

    return render


@pytest.mark.parametrize("variant", VARIANTS)
def test_r27_every_element_is_in_the_letter_of_each_kind(rendered, variant):
    text = rendered(variant)
    missing = [s for s in COMMON + PER_VARIANT[variant] if s not in text]
    assert not missing, f"{variant}: missing {missing}"


@pytest.mark.parametrize("variant", [v for v in VARIANTS if not v.startswith("objection_ruling")])
def test_r27_objection_clause_to_the_minister_with_its_contents(rendered, variant):
    text = rendered(variant)
    missing = [s for s in OBJECTION_CLAUSE if s not in text]
    assert not missing, f"{variant}: missing {missing}"
    assert "beroep instellen" not in text


@pytest.mark.parametrize("variant", VARIANTS)
def test_r27_names_are_the_portals(rendered, variant):
    text = rendered(variant)
    assert "Sectorplan plus," not in text.replace("Regeling subsidieprogramma Sectorplan plus", "")
    assert "Ontslag bedreigd" not in text


def test_r27_no_column_mixes_requested_eligible_and_reserved(rendered):
    """The grant's amounts table has a column each for requested, eligible and reserved."""
    text = rendered("grant")
    assert "Aangevraagd Subsidiabel Gereserveerd waarvan aangehouden waarvan onvoorwaardelijk" in text
    assert "Uw aanvraag SPP-T3-000123 € 17.000,00 € 12.345,67 € 12.345,67 € 3.086,42 € 9.259,25" in text


def test_r27_long_plan_goes_to_an_annex_that_belongs_to_the_decision(db):
    """Awb 4:30: the subsidised activities are named; beyond eight plan lines they are in annex 1."""
    from tests.applications.factories import PlanLineFactory

    decision = build_case("grant")
    for activity in "BDE":
        for focus in ("redundancy_risk", "practice_supervisor", "upskilling"):
            PlanLineFactory(application=decision.application, activity_type=activity, focus=focus, count=1,
                            eligible_count=1, amount_per_trajectory="500.00")
    text = _text(letter_html(letter=LetterFactory(decision=decision)))
    assert "staan in bijlage 1 bij deze brief; die bijlage hoort bij dit besluit" in text
    assert "Bijlage(n) 1" in text
    assert "Bijlage 1 bij het besluit van 23 november 2026, kenmerk SPP-T3-000123" in text
    assert "Met ontslag bedreigd" in text and "Praktijkbegeleider" in text
