"""The legal references of the decision letters (R27), in one place.

Every letter names the legal basis of its decision *with articles*: the Algemene wet bestuursrecht (Awb), the
Kaderwet VWS-subsidies and the scheme's own regulation. The texts below are Dutch legal text, so they are not
translated. A jurist who corrects a reference corrects it here, and every letter (and its next version) follows.

The article numbers of the regulation (:data:`REGULATION_ARTICLES`) follow this system's model of the scheme
(plan, reservation, the Commission's holdback, project agreement, registrations and advances, lowering and
redistribution, settlement: ``shared/domain.md``); they are to be checked against the published text of the
regulation before production, like the sender details (``LETTER_*`` settings).
"""

from __future__ import annotations

#: The scheme's regulation and the act it rests on, as the letters name them.
REGULATION = "Regeling subsidieprogramma Sectorplan plus"
FRAMEWORK_ACT = "Kaderwet VWS-subsidies"
FRAMEWORK_ACT_ARTICLE = "artikel 3 van de Kaderwet VWS-subsidies"
AWB = "Algemene wet bestuursrecht"

#: The regulation's articles, by subject (see the module docstring).
REGULATION_ARTICLES = {
    "activities": "artikel 3",  # subsidisable activities A-E and the training focuses
    "amounts": "artikel 4",  # amount per trajectory, cap per trajectory for actual-cost types
    "application": "artikel 5",  # the plan per period, the application window
    "ceiling": "artikel 6",  # ceiling per period and earmark, the allocation method and cap per application
    "holdback": "artikel 7",  # 25% held back until the Commission's positive advice, release and forfeit
    "agreement": "artikel 8",  # the project agreement and its deadline, lapse
    "registration": "artikel 9",  # registrations, evidence, review and repair
    "advance": "artikel 10",  # advances in runs on approved registrations
    "amendment": "artikel 11",  # lowering after the registration deadline, redistribution rounds
    "obligations": "artikel 12",  # obligations of the recipient
    "settlement": "artikel 13",  # accountability and settlement
}


def _regulation(*subjects: str) -> str:
    articles = sorted({REGULATION_ARTICLES[s] for s in subjects}, key=lambda a: int(a.split()[-1]))
    if len(articles) == 1:
        listed = articles[0]
    else:
        numbers = [a.removeprefix("artikel ") for a in articles]
        listed = "de artikelen " + ", ".join(numbers[:-1]) + " en " + numbers[-1]
    return f"{listed} van de {REGULATION}"


#: Per letter kind: the sentences of its section "Wettelijke grondslag", each one reference with its articles.
LEGAL_BASIS: dict[str, list[str]] = {
    "grant": [
        f"{FRAMEWORK_ACT_ARTICLE} en {_regulation('activities', 'amounts', 'ceiling', 'holdback', 'agreement', 'obligations')};",
        "de artikelen 4:29 en 4:30 van de Awb (subsidieverlening: de activiteiten en het bedrag), 4:25, tweede lid, "
        "van de Awb (subsidieplafond) en 4:37 en 4:38 van de Awb (verplichtingen en voorwaarden);",
        "artikel 4:95 van de Awb (voorschotten, die ik bij afzonderlijke beschikking verleen).",
    ],
    "rejection": [
        f"{FRAMEWORK_ACT_ARTICLE} en {_regulation('activities', 'amounts', 'ceiling')};",
        "artikel 4:35 van de Awb (weigering van subsidieverlening) en artikel 4:25, tweede lid, van de Awb "
        "(subsidie wordt geweigerd voor zover het subsidieplafond wordt overschreden);",
        "artikel 3:46 van de Awb (motivering).",
    ],
    "not_considered": [
        "artikel 4:5, eerste lid, onder c, van de Awb: een aanvraag kan buiten behandeling worden gesteld als de "
        "verstrekte gegevens en bescheiden onvoldoende zijn voor de beoordeling en de aanvrager de gelegenheid heeft "
        "gehad de aanvraag binnen een gestelde termijn aan te vullen;",
        "artikel 4:15, eerste lid, onder a, van de Awb (opschorting van de beslistermijn tijdens de aanvulling);",
        f"{_regulation('application')}.",
    ],
    "holdback_release": [
        f"{_regulation('holdback')} (vrijgave van het aangehouden deel na een positief advies van de Commissie "
        "Werken in de Zorg);",
        "de voorwaarde voor het aangehouden deel in de verleningsbeschikking, gesteld op grond van artikel 4:38 van "
        "de Awb;",
        "artikel 4:30 van de Awb (het bedrag van de subsidieverlening).",
    ],
    "holdback_forfeit": [
        f"{_regulation('holdback')} (het aangehouden deel vervalt na een negatief advies van de Commissie Werken in "
        "de Zorg);",
        "artikel 4:48, eerste lid, onder b, van de Awb (wijziging van de subsidieverlening ten nadele van de "
        "ontvanger omdat niet is voldaan aan een aan de subsidie verbonden voorwaarde), in samenhang met de "
        "voorwaarde in de verleningsbeschikking (artikel 4:38 van de Awb).",
    ],
    "lapse": [
        "artikel 4:48, eerste lid, onder b, van de Awb (intrekking van de subsidieverlening omdat niet is voldaan "
        "aan een aan de subsidie verbonden verplichting);",
        f"{_regulation('agreement')} en de voorwaarde van de projectovereenkomst in de verleningsbeschikking;",
        f"{FRAMEWORK_ACT_ARTICLE}.",
    ],
    "advance": [
        f"{_regulation('registration', 'advance')} (voorschotten op goedgekeurde registraties);",
        "de artikelen 4:95 (verlening van voorschotten) en 4:87 van de Awb (betaling);",
        "artikel 4:95, vierde lid, van de Awb: voorschotten worden verrekend bij de vaststelling van de subsidie.",
    ],
    "amendment": [
        f"{_regulation('amendment', 'holdback')} (bijstelling van de reservering en herverdeling);",
        "artikel 4:48, eerste lid, onder a, van de Awb (wijziging van de subsidieverlening omdat de activiteiten "
        "niet of niet geheel zullen plaatsvinden), of bij een verhoging de artikelen 4:29 en 4:30 van de Awb;",
        "artikel 4:25, tweede lid, van de Awb (subsidieplafond).",
    ],
    "settlement": [
        f"{_regulation('settlement', 'amounts')};",
        "de artikelen 4:42 en 4:44 van de Awb (vaststelling na verantwoording) en artikel 4:46, tweede lid, onder "
        "a, van de Awb (lagere vaststelling omdat de activiteiten niet of niet geheel hebben plaatsgevonden);",
        "artikel 4:95, vierde lid, van de Awb (verrekening van de voorschotten) en artikel 4:87 van de Awb "
        "(betaling).",
    ],
    "settlement_reclaim": [
        "artikel 4:57 van de Awb: onverschuldigd betaalde subsidiebedragen kunnen worden teruggevorderd;",
        "de artikelen 4:87 en 4:89 van de Awb (betalingstermijn van zes weken en betaling op een rekening).",
    ],
    "objection_ruling": [
        "de artikelen 7:11 (heroverweging) en 7:12 (motivering van de beslissing op bezwaar) van de Awb;",
        "de artikelen 7:2 en 7:3 van de Awb (het horen) en 7:10 van de Awb (beslistermijn);",
        "de wettelijke grondslag van het bestreden besluit, die hieronder bij dat besluit staat.",
    ],
}

#: What an objection must contain (artikel 6:5 Awb) and where the term comes from (artikelen 6:7 en 6:8 Awb).
OBJECTION_BASIS = "artikelen 6:4, 6:5, 6:7 en 6:8 van de Algemene wet bestuursrecht"
APPEAL_BASIS = "artikelen 8:1, 6:7 en 6:8 van de Algemene wet bestuursrecht"
#: The objection term in weeks (artikel 6:7 Awb); the letters and R33 use the same six weeks.
OBJECTION_WEEKS = 6
#: Payment terms the letters state: an advance or settlement payment by the office, a reclaim by the employer.
PAYMENT_WEEKS = 4
RECLAIM_WEEKS = 6


def legal_basis(kind: str, *, reclaim: bool = False) -> list[str]:
    """The references of the letter of ``kind`` (a settlement with a reclaim adds Awb 4:57)."""
    basis = list(LEGAL_BASIS[kind])
    if reclaim:
        basis += LEGAL_BASIS["settlement_reclaim"]
    return basis
