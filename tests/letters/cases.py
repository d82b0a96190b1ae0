"""One realistic case per letter variant (R27): an employer of period 3 with a plan whose lines were assessed (one
refused in part, with the reviewer's reason), its grant booked in the ledger, a deadline calendar with an
extension for this employer, and per variant the decision the letter is about with what it rests on (the
Commission's advice, the objection, earlier advances). Used by the content tests, the integration tests with a
real worker, ``bench/letters.py`` and the PNG check."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from accounting.models import Objection, ObjectionStatus
from applications.models import Decision
from budgets.constants import LedgerKind
from budgets.ledger import budget_line_for
from budgets.models import CommissionAdvice, DeadlineExtension, LedgerEntry
from tests.applications.factories import (
    ApplicationFactory,
    DecisionFactory,
    EmployerFactory,
    PlanLineFactory,
    RegistrationFactory,
    UserFactory,
)
from tests.budgets.factories import PeriodFactory, RegionFactory

AMS = ZoneInfo("Europe/Amsterdam")
#: Every variant of R26's decision kinds that reads differently.
VARIANTS = [
    "grant", "rejection", "not_considered", "holdback_release", "holdback_forfeit", "lapse", "advance",
    "amendment", "settlement_payment", "settlement_reclaim", "objection_ruling_upheld", "objection_ruling_rejected",
]
LETTER_DATE = date(2026, 11, 23)
GRANT_DATE = date(2026, 9, 1)
CALENDAR = {"agreement": date(2027, 3, 1), "registration": date(2027, 6, 1), "repair": date(2027, 9, 1)}
EXTENDED_REGISTRATION = date(2027, 7, 15)
REFUSED_REASON = "Twee trajecten starten na het einde van de startperiode van het tijdvak."


def case_period():
    return PeriodFactory(number=3, with_holdback=True, deadlines=CALENDAR)


def case_employer(*, n: int = 0):
    region = RegionFactory(code=f"utrecht-en-omgeving-{n}" if n else "utrecht-en-omgeving",
                           name=f"Utrecht en omgeving {n}" if n else "Utrecht en omgeving")
    return EmployerFactory(
        name="Stichting Zorggroep De Linde", kvk_number=f"{41234567 + n:08d}", region=region,
        address="Lindelaan 12", postal_code="3511 AB", city="Utrecht", contact_name="mevrouw A. de Vries",
        iban="NL91ABNA0417164300", account_holder="Stichting Zorggroep De Linde",
    )


def _entry(decision, kind, amount, by):
    application = decision.application
    return LedgerEntry.objects.create(
        period_id=application.period_id,
        earmark=budget_line_for(period=application.period, employer_earmark=application.employer.earmark),
        application=application, decision=decision, kind=kind, amount=Decimal(amount), actor=by,
    )


def build_case(variant: str, *, employer=None, period=None, number: int = 123) -> Decision:
    """The decision of ``variant`` (see :data:`VARIANTS`), saved with everything its letter reads; no letter yet."""
    period = period or case_period()
    employer = employer or case_employer()
    by = UserFactory()
    DeadlineExtension.objects.get_or_create(
        period=period, kind="registration", employer=employer, date=EXTENDED_REGISTRATION,
        defaults={"reason": "Vertraging bij de opleider", "created_by": by},
    )
    rejected = variant == "rejection"
    application = ApplicationFactory(
        employer=employer, period=period, region=employer.region, number=number,
        status="rejected" if rejected else ("not_considered" if variant == "not_considered" else "granted"),
        submitted_at=datetime(2026, 6, 10, 14, 3, tzinfo=AMS), requested_amount=Decimal("17000.00"),
        eligible_amount=Decimal("12345.67") if variant != "rejection" else Decimal("13000.00"),
    )
    PlanLineFactory(application=application, activity_type="A", focus="new_intake", count=2, eligible_count=2,
                    amount_per_trajectory=Decimal("5000.00"), reason="")
    PlanLineFactory(application=application, activity_type="C", focus="upskilling", count=3, eligible_count=1,
                    amount_per_trajectory=Decimal("2000.00"), reason=REFUSED_REASON)
    for focus, band, activity, amount, started in [
        ("new_intake", "<25", "A", "5000.00", True), ("new_intake", "25-45", "A", "5000.00", True),
        ("upskilling", "45-55", "C", "2000.00", True), ("upskilling", "55+", "C", "2000.00", False),
    ]:
        RegistrationFactory(application=application, focus=focus, age_band=band, activity_type=activity,
                           amount=Decimal(amount), status="approved", started=started,
                           outcome="completed" if started else "")

    def decide(kind, **values):
        values.setdefault("date", LETTER_DATE)
        values.setdefault("advance_amount", Decimal("0"))
        values.setdefault("granted_amount", Decimal("0"))
        values.setdefault("reasons", "")
        return DecisionFactory(application=application, kind=kind, decided_by=by, **values)

    if variant == "rejection":
        return decide("rejection", reasons="Geen budget meer beschikbaar.")
    if variant == "not_considered":
        return decide("not_considered", reasons="Op 1 oktober 2026 vroegen wij u uw aanvraag aan te vullen.\n\n"
                                               "Wij ontvingen de aanvulling niet op tijd.")
    grant_date = LETTER_DATE if variant == "grant" else GRANT_DATE
    grant = decide("grant", date=grant_date, granted_amount=Decimal("12345.67"), held_amount=Decimal("3086.42"),
                   reasons=f"C / Opscholing: 1 van 3 trajecten subsidiabel. {REFUSED_REASON}")
    _entry(grant, LedgerKind.COMMITMENT, "9259.25", by)
    _entry(grant, LedgerKind.HOLD, "3086.42", by)
    if variant == "grant":
        return grant
    if variant in ("holdback_release", "holdback_forfeit"):
        positive = variant == "holdback_release"
        CommissionAdvice.objects.create(
            region=application.region, period=period, outcome="positive" if positive else "negative",
            date=date(2026, 11, 2), reference="CWZ/2026/0417", recorded_by=by,
        )
        if positive:
            decision = decide("holdback_release", released_amount=Decimal("3086.42"),
                              reasons="Advies van de Commissie van 02-11-2026, kenmerk CWZ/2026/0417.")
            _entry(decision, LedgerKind.RELEASE, "3086.42", by)
        else:
            decision = decide("holdback_forfeit", forfeited_amount=Decimal("3086.42"),
                              reasons="Advies van de Commissie van 02-11-2026, kenmerk CWZ/2026/0417.")
            _entry(decision, LedgerKind.FORFEIT, "3086.42", by)
        return decision
    if variant == "lapse":
        decision = decide("lapse", granted_amount=Decimal("12345.67"), held_amount=Decimal("3086.42"),
                          reasons="De uiterste datum voor de projectovereenkomst was 1 maart 2027.")
        _entry(decision, LedgerKind.DECOMMITMENT, "9259.25", by)
        _entry(decision, LedgerKind.HOLD_LAPSE, "3086.42", by)
        return decision
    if variant == "advance":
        earlier = decide("advance", date=date(2026, 10, 1), advance_amount=Decimal("1000.00"))
        _entry(earlier, LedgerKind.ADVANCE, "1000.00", by)
        decision = decide("advance", advance_amount=Decimal("5943.69"))
        _entry(decision, LedgerKind.ADVANCE, "5943.69", by)
        return decision
    if variant == "amendment":
        decision = decide("amendment", granted_amount=Decimal("10000.00"), held_amount=Decimal("2500.00"),
                          reasons="Goedgekeurde registraties: 2 trajecten A en 1 traject C.")
        _entry(decision, LedgerKind.DECOMMITMENT, "1759.25", by)
        _entry(decision, LedgerKind.HOLD_LAPSE, "586.42", by)
        return decision
    if variant.startswith("settlement"):
        release = decide("holdback_release", date=date(2026, 10, 1), released_amount=Decimal("3086.42"))
        _entry(release, LedgerKind.RELEASE, "3086.42", by)
        advance = decide("advance", date=date(2026, 10, 15), advance_amount=Decimal("6943.69"))
        _entry(advance, LedgerKind.ADVANCE, "6943.69", by)
        settled = Decimal("8123.45") if variant == "settlement_payment" else Decimal("5000.00")
        payment = settled - Decimal("6943.69")
        decision = decide("settlement", granted_amount=settled, settled_amount=settled, payment_amount=payment,
                          reasons="Vaststelling op de verantwoording van 20-11-2026.")
        _entry(decision, LedgerKind.SETTLEMENT, settled, by)
        if payment < 0:
            _entry(decision, LedgerKind.RECLAIM, -payment, by)
        return decision
    if variant.startswith("objection_ruling"):
        upheld = variant == "objection_ruling_upheld"
        objection = Objection.objects.create(
            decision=grant, received_on=date(2026, 10, 5), deadline=date(2026, 10, 13),
            grounds="De reviewer heeft twee trajecten C ten onrechte afgewezen: zij starten binnen de periode.",
            recorded_by=by,
            # Awb 7:2: a rejection follows a recorded hearing; an objection upheld in full needs none (7:3 e).
            **({} if upheld else {
                "hearing_on": date(2026, 11, 2),
                "hearing_attendees": "mevrouw A. de Vries (werkgever); de behandelend jurist",
                "hearing_summary": "De werkgever lichtte de startdata van de twee trajecten toe.",
                "hearing_recorded_by": by, "hearing_recorded_at": datetime(2026, 11, 2, 15, 0, tzinfo=AMS),
            }),
        )
        ruling = ("Uit de overgelegde leerovereenkomsten blijkt dat de trajecten binnen de startperiode starten."
                  if upheld else "De trajecten starten volgens de overgelegde stukken na de startperiode.")
        if upheld:
            decision = decide("objection_ruling", granted_amount=Decimal("13000.00"), held_amount=Decimal("3250.00"),
                              supersedes=grant, reasons=ruling)
            _entry(decision, LedgerKind.COMMITMENT, "490.75", by)
            _entry(decision, LedgerKind.HOLD, "163.58", by)
        else:
            decision = decide("objection_ruling", granted_amount=grant.granted_amount, held_amount=grant.held_amount,
                              reasons=ruling)
        Objection.objects.filter(pk=objection.pk).update(
            status=ObjectionStatus.UPHELD if upheld else ObjectionStatus.REJECTED, ruling=ruling, ruled_by=by,
            ruled_at=datetime(2026, 11, 23, 10, 0, tzinfo=AMS), ruling_decision=decision,
        )
        return decision
    raise ValueError(variant)
