"""The default reference data of domain.md §3.

Everything here is seed data: once loaded it is edited in the admin (or the API), never read from
this module at run time. Where public sources give no figure, the value is a documented placeholder
(see README, "Reference data").
"""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

AMS = ZoneInfo("Europe/Amsterdam")

#: The 14 regional employer organisations (names are placeholders, editable in the admin)
#: and the RAAT regions each serves, 28 in all.
EMPLOYER_ORGANISATIONS: list[tuple[str, str, list[str]]] = [
    ("noord-nederland", "Werkgeversorganisatie Zorg en Welzijn Noord-Nederland", ["Groningen", "Drenthe", "Friesland"]),
    ("overijssel", "Werkgeversorganisatie Zorg en Welzijn Overijssel", ["IJsselvecht", "Twente"]),
    (
        "gelderland",
        "Werkgeversorganisatie Zorg en Welzijn Gelderland",
        ["Noordwest-Veluwe en Stedendriehoek", "Achterhoek", "Zuid-West Gelderland", "Midden-Gelderland"],
    ),
    ("flevoland", "Werkgeversorganisatie Zorg en Welzijn Flevoland", ["Flevoland"]),
    ("gooi-en-vecht", "Werkgeversorganisatie Zorg en Welzijn Gooi en Vecht", ["Gooi- en Vechtstreek"]),
    (
        "brabant",
        "Werkgeversorganisatie Zorg en Welzijn Brabant",
        ["Zuidoost-Brabant", "Midden-Brabant", "West-Brabant", "Noordoost-Brabant"],
    ),
    ("limburg", "Werkgeversorganisatie Zorg en Welzijn Limburg", ["Noord- en Midden-Limburg", "Zuid-Limburg"]),
    ("utrecht", "Werkgeversorganisatie Zorg en Welzijn Utrecht", ["Utrecht en omgeving", "Amersfoort en omgeving"]),
    (
        "noord-holland-noord",
        "Werkgeversorganisatie Zorg en Welzijn Noord-Holland Noord",
        ["Noord-Holland Noord", "Zaanstreek en Waterland"],
    ),
    (
        "amsterdam",
        "Werkgeversorganisatie Zorg en Welzijn Groot-Amsterdam",
        ["Amsterdam", "Amstelland, Kennemerland en Meerlanden"],
    ),
    ("holland-rijnland", "Werkgeversorganisatie Zorg en Welzijn Holland Rijnland", ["Rijnstreek"]),
    ("rijnmond", "Werkgeversorganisatie Zorg en Welzijn Rijnmond", ["Rijnmond", "Drechtsteden"]),
    ("haaglanden", "Werkgeversorganisatie Zorg en Welzijn Haaglanden", ["Haaglanden"]),
    ("zeeland", "Werkgeversorganisatie Zorg en Welzijn Zeeland", ["Zeeland"]),
]


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=AMS)


M = Decimal(1_000_000)

#: Periods of §3. Windows open at 09:00 and close at 17:00 Amsterdam time on the days given.
#:
#: The deadline calendar (R53): ``accountability_deadline`` is the accountability date (the calendar's
#: accountability row mirrors it); ``deadlines`` holds the other kinds. Public sources give none of these
#: dates, so all are placeholders (README, "Reference data placeholders"), editable in the admin, chosen by
#: one rule: the agreement deadline 23 weeks after the window closes (ten weeks after the 13-week decision
#: term ends), the registration deadline on the first of the month about two months after the training-start
#: window ends, the last repair three months after that, and the accountability deadline as before.
PERIODS: list[dict] = [
    {
        "number": 1,
        "application_opens": _at(date(2017, 8, 28), 9),
        "application_closes": _at(date(2017, 9, 29), 17),
        "training_start_from": date(2017, 8, 24),
        "training_start_until": date(2018, 5, 1),
        "accountability_deadline": date(2020, 7, 1),
        "pooled": False,
        "budget_lines": {"nursing_home": 30 * M, "other": 50 * M},
        "holdback_applies": False,
        "retention_allowed": False,
        "small_application_limit": None,
        "application_cap": None,
        "allocation_method": "pro_rata",
        "deadlines": {
            "agreement": date(2018, 3, 9),
            "registration": date(2018, 7, 1),
            "repair": date(2018, 10, 1),
        },
    },
    {
        "number": 2,
        "application_opens": _at(date(2018, 5, 15), 9),
        "application_closes": _at(date(2018, 6, 15), 17),
        "training_start_from": date(2018, 5, 1),
        "training_start_until": date(2018, 12, 31),
        "accountability_deadline": date(2020, 7, 1),
        "pooled": False,
        "budget_lines": {"nursing_home": 35 * M, "other": 55 * M},
        "holdback_applies": False,
        "retention_allowed": False,
        "small_application_limit": None,
        "application_cap": None,
        "allocation_method": "pro_rata",
        "deadlines": {
            "agreement": date(2018, 11, 23),
            "registration": date(2019, 3, 1),
            "repair": date(2019, 6, 1),
        },
    },
    {
        "number": 3,
        "application_opens": _at(date(2018, 12, 3), 9),
        "application_closes": _at(date(2018, 12, 21), 17),
        "training_start_from": date(2019, 1, 1),
        "training_start_until": date(2019, 12, 31),
        "accountability_deadline": date(2021, 7, 1),
        "pooled": True,
        "budget_lines": {"pooled": 95 * M},
        "holdback_applies": True,
        "retention_allowed": False,
        "small_application_limit": None,
        "application_cap": None,
        "allocation_method": "pro_rata",
        "deadlines": {
            "agreement": date(2019, 5, 31),
            "registration": date(2020, 3, 1),
            "repair": date(2020, 6, 1),
        },
    },
    {
        "number": 4,
        "application_opens": _at(date(2019, 12, 2), 9),
        "application_closes": _at(date(2019, 12, 20), 17),
        "training_start_from": date(2020, 1, 1),
        "training_start_until": date(2021, 12, 31),
        "accountability_deadline": date(2023, 7, 1),
        "pooled": True,
        "budget_lines": {"pooled": 130 * M},
        "holdback_applies": True,
        "retention_allowed": True,
        "small_application_limit": Decimal("15000.00"),
        "application_cap": Decimal("2000000.00"),
        "allocation_method": "pro_rata",
        "deadlines": {
            "agreement": date(2020, 5, 29),
            "registration": date(2022, 3, 1),
            "repair": date(2022, 6, 1),
        },
    },
]

PERIOD_DEFAULTS = {
    "holdback_percent": Decimal("25.00"),
    "advance_percent": Decimal("75.00"),
    "retention_max_percent": Decimal("50.00"),
    "oversubscription_floor": Decimal("0.00"),
    "application_cap": None,
    "allocation_method": "pro_rata",
    "decision_term_weeks": 13,
}

#: Activity types and amounts of §3, the same in every period by default.
ACTIVITY_RATES: list[dict] = [
    {
        "activity_type": "A", "required_documents": ["learning_agreement", "payslip"],
        "method": "fixed", "amount": Decimal("5000.00"),
        "reduced_amount": Decimal("2000.00"), "min_contract_hours": Decimal("24.0"),
        "description": "mbo beroepsbegeleidende leerweg (BBL), 6-24 maanden",
    },
    {
        "activity_type": "B", "required_documents": ["learning_agreement", "payslip"],
        "method": "fixed", "amount": Decimal("5000.00"),
        "reduced_amount": Decimal("2000.00"), "min_contract_hours": Decimal("24.0"),
        "description": "hbo duaal",
    },
    {
        "activity_type": "C", "required_documents": ["invoice", "proof_of_payment", "participant_statement"],
        "method": "actual_cost", "amount": Decimal("2000.00"),
        "reduced_amount": None, "min_contract_hours": None,
        "description": "overige beroepsgerichte of lange opleiding (128 uur of meer)",
    },
    {
        "activity_type": "D", "required_documents": ["invoice", "proof_of_payment", "attendance_list"],
        "method": "actual_cost", "amount": Decimal("1000.00"),
        "reduced_amount": None, "min_contract_hours": None, "description": "scholing van 40 tot 128 uur",
    },
    {
        "activity_type": "E", "required_documents": ["invoice", "proof_of_payment", "attendance_list"],
        "method": "actual_cost", "amount": Decimal("500.00"),
        "reduced_amount": None, "min_contract_hours": None, "description": "scholing van 3 tot 40 uur",
    },
]
