"""Demo data for ``manage.py seed_demo``: employers, one login per role, a demo period and a few
applications, and three periods whose deadlines lie relative to today so that every stage of the scheme can be
tried at once (review, advance run and lowering, settlement). Demo users exist nowhere else (not in migrations,
fixtures or tests).

Everything is made **through the services** the screens and the API call (submission, assessment, allocation,
agreements, registrations, reviews, advice, advance runs, progress, objections), with their ``today``/``now``
arguments set to a plausible past day where a deadline requires it, so the ledger is consistent
(``manage.py check_ledger``) and every decision has its letter."""

from base64 import b32encode
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounting import agreements
from accounting import services as accounting_services
from applications import registrations
from applications import services as app_services
from applications.constants import ApplicationStatus, MembershipRole, RegistrationStatus
from applications.decisions import advances
from applications.decisions import services as decision_services
from applications.models import Application, Decision, Employer, Membership
from budgets import reference_services
from budgets import services as budget_services
from budgets.constants import DeadlineKind
from budgets.models import Period, Region
from sectorplan.second_factor import requires_second_factor

#: The name of the TOTP device seed_demo gives every demo account that needs a second factor (R41).
DEMO_DEVICE_NAME = "demo"

DEMO_PASSWORD = "demo-sectorplan-2026"  # noqa: S105 - printed for the demo; never used outside seed_demo
DEMO_PERIOD = 5
#: The stage periods: registrations under review (6), ready for an advance run and a lowering (7), ready for
#: settlement (8). Their dates are computed from the day the seed runs.
REVIEW_PERIOD, ADVANCE_PERIOD, SETTLEMENT_PERIOD = 6, 7, 8

#: A minimal PDF (recognised by its content, R45/R50) for the demo's uploaded agreements and evidence.
DEMO_PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"

USERS = [
    # username, first name, role group or None, is_staff/superuser
    ("beheerder", "Beheerder", None, True),
    ("beoordelaar", "Bea Beoordelaar", "office_reviewer", False),
    ("beslisser", "Bas Beslisser", "office_decider", False),
    ("commissie", "Commissie Werken in de Zorg", "commission", False),
    ("ministerie", "Ministerie van VWS", "ministry", False),
    ("zorgwerkgever", "Zora Contactpersoon", None, False),
    ("verantwoorder", "Victor Verantwoording", None, False),
]

EMPLOYERS = [
    # name, kvk, region code, earmark, iban, (address, postal code, city)
    ("Zorggroep De Linde", "12345678", "rijnmond", "nursing_home", "NL91ABNA0417164300",
     ("Lindelaan 12", "3011 AB", "Rotterdam")),
    ("Thuiszorg Het Anker", "23456789", "rijnmond", "other", "NL44RABO0123456789",
     ("Havenstraat 4", "3024 CD", "Rotterdam")),
    ("Welzijn Oost", "34567890", "twente", "other", "NL20INGB0001234567",
     ("Oosterstraat 88", "7511 EF", "Enschede")),
]


def _user(username, name, group, staff):
    user, made = User.objects.get_or_create(username=username, defaults={"first_name": name, "email": f"{username}@example.org"})
    if made:
        user.set_password(DEMO_PASSWORD)
        user.is_staff = staff
        user.is_superuser = staff
        user.save()
    if group:
        user.groups.add(Group.objects.get(name=group))
    if requires_second_factor(user) and not TOTPDevice.objects.filter(user=user, name=DEMO_DEVICE_NAME).exists():
        # R41: office, Commission and staff log in with a code; the secret is random and printed by seed_demo.
        TOTPDevice.objects.create(user=user, name=DEMO_DEVICE_NAME, confirmed=True)
    return user


def demo_second_factors() -> list[tuple[str, str, str]]:
    """``(username, base32 secret, otpauth:// URL)`` of every demo account with a second factor, for an
    authenticator app (type the secret, or open the URL as a QR code)."""
    devices = TOTPDevice.objects.filter(
        user__username__in=[u[0] for u in USERS], name=DEMO_DEVICE_NAME
    ).select_related("user").order_by("user__username")
    return [(d.user.username, b32encode(d.bin_key).decode(), d.config_url) for d in devices]


def _demo_period(by) -> Period:
    period = Period.objects.filter(number=DEMO_PERIOD).first()
    if period:
        return period
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    return reference_services.period_create(
        data={
            "number": DEMO_PERIOD,
            "application_opens": datetime.combine(today - timedelta(days=14), time(9), tzinfo=tz),
            "application_closes": datetime.combine(today + timedelta(days=45), time(17), tzinfo=tz),
            "training_start_from": date(today.year + 1, 1, 1),
            "training_start_until": date(today.year + 1, 12, 31),
            "accountability_deadline": date(today.year + 3, 7, 1),
            "budget_lines": [{"earmark": "pooled", "ceiling": Decimal("50000000.00")}],
            "holdback_applies": True,
            "retention_allowed": True,
            "small_application_limit": Decimal("15000.00"),
        },
        by=by,
    )


def _plan(n: int) -> list[dict]:
    """``n`` plan lines (at most 25: 5 activity types x 5 focuses), counts and costs varying (R8)."""
    focuses = ["new_intake", "upskilling", "practice_supervisor", "redundancy_risk"]
    rows = []
    for i in range(n):
        activity = "ABCDE"[i % 5]
        rows.append({
            "activity_type": activity,
            "focus": focuses[(i // 5) % len(focuses)],
            "count": 2 + i % 4,
            "planned_cost": None if activity in "AB" else Decimal("1500.00") - 250 * "CDE".index(activity),
        })
    return rows


# --- The stage periods (issue 15 item 6) --------------------------------------------------------------------


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, DEMO_PDF, content_type="application/pdf")


def _stage_period(number: int, *, today: date, opens: int, training: tuple[int, int], deadlines: dict[str, int],
                  holdback: bool, by) -> Period:
    """A period whose dates lie ``opens`` days before ``today`` and whose calendar (R53) is given in days from
    today (negative: passed)."""
    tz = timezone.get_current_timezone()
    day = lambda offset: today + timedelta(days=offset)  # noqa: E731
    accountability = deadlines.pop(DeadlineKind.ACCOUNTABILITY)
    return reference_services.period_create(
        data={
            "number": number,
            "application_opens": datetime.combine(day(opens), time(9), tzinfo=tz),
            "application_closes": datetime.combine(day(opens + 20), time(17), tzinfo=tz),
            "training_start_from": day(training[0]),
            "training_start_until": day(training[1]),
            "accountability_deadline": day(accountability),
            "deadlines": [{"kind": kind, "date": day(offset)} for kind, offset in deadlines.items()],
            "budget_lines": [{"earmark": "pooled", "ceiling": Decimal("1000000.00")}],
            "holdback_applies": holdback,
            "retention_allowed": True,
        },
        by=by,
    )


def _granted(period: Period, employers, *, users, plans: list[int]) -> list[Application]:
    """Submit, assess (the reviewer) and allocate (proposed by the reviewer, confirmed by the decider: R4) one
    application per employer with ``plans[i]`` trajectories of type A (EUR 5,000 each)."""
    contact, reviewer, decider = users["zorgwerkgever"], users["beoordelaar"], users["beslisser"]
    apps = []
    for employer, count in zip(employers, plans, strict=True):
        app = app_services.application_create(employer=employer, region=employer.region, period=period, by=contact)
        app_services.plan_lines_add(
            application=app, rows=[{"activity_type": "A", "focus": "upskilling", "count": count, "planned_cost": None}],
            by=contact,
        )
        app_services.application_submit(application=app, by=contact, now=period.application_opens + timedelta(hours=3))
        verdicts = [{"id": line.id, "eligible_count": line.count, "reason": ""} for line in app.plan_lines.all()]
        app_services.application_assess(application=app, verdicts=verdicts, by=reviewer)
        apps.append(app)
    allocation = decision_services.allocation_propose(period=period, by=reviewer)
    decision_services.allocation_confirm(allocation=allocation, by=decider)
    for app in apps:
        app.refresh_from_db()
    return apps


def _agreement(app: Application, *, users, on: date) -> None:
    """R45: the contact uploads the signed agreement and a KvK extract on ``on``; the reviewer approves it."""
    agreements.agreement_upload(
        application=app, by=users["zorgwerkgever"], signed_agreement=_pdf("overeenkomst.pdf"),
        kvk_extract=_pdf("kvk-uittreksel.pdf"), kvk_extract_date=on - timedelta(days=10), today=on,
    )
    agreements.agreement_review(application=app, approved=True, reason="", by=users["beoordelaar"])
    app.refresh_from_db()


PEOPLE = [("J.", "de Vries"), ("S.", "Jansen"), ("M.", "Bakker"), ("L.", "Visser"), ("A.", "Smit"), ("K.", "Meijer"),
          ("R.", "de Boer"), ("T.", "Mulder"), ("E.", "de Groot")]


def _register(app: Application, people, *, start: date, users, submit_on: date | None):
    """R47, R50: register ``people`` (type A), upload their evidence and, when ``submit_on`` is given, submit them
    on that day (before the registration deadline)."""
    contact = users["zorgwerkgever"]
    rows = [
        {"initials": initials, "surname": surname, "date_of_birth": date(1988 + i, 3, 14), "focus": "upskilling",
         "activity_type": "A", "start_date": start, "end_date": start + timedelta(days=300),
         "contract_hours": Decimal("32.0"), "employed_since": date(2015, 1, 1), "planned_cost": None}
        for i, (initials, surname) in enumerate(people)
    ]
    made = registrations.registrations_add(application=app, rows=rows, by=contact)
    for registration in made:
        for kind in registrations.required_documents(registration, application=app):
            registrations.document_upload(registration=registration, kind=kind, upload=_pdf(f"{kind}.pdf"), by=contact)
        if submit_on is not None:
            registrations.registration_submit(registration=registration, by=contact, today=submit_on)
    return made


def _review(made, outcome: str = RegistrationStatus.APPROVED, *, users, reason: str = "") -> None:
    for registration in made:
        registrations.registration_review(registration=registration, outcome=outcome, reason=reason,
                                          by=users["beoordelaar"])


def _seed_stages(*, users, employers) -> None:
    """Periods 6-8 at their stages relative to today (issue 15 item 6)."""
    today = timezone.localdate()
    by, contact, reviewer, decider = users["beheerder"], users["zorgwerkgever"], users["beoordelaar"], users["beslisser"]
    linde, anker, oost = employers

    # Period 6: registrations under review. Agreement deadline just passed (Het Anker has none: a lapse run can be
    # tried), registration deadline ahead. Holdback applies; Rijnmond's advice was positive before the allocation,
    # Twente's is pending, so Welzijn Oost's held part waits for the Commission (release or forfeit).
    review = _stage_period(REVIEW_PERIOD, today=today, opens=-150, training=(-90, 120), holdback=True, by=by,
                           deadlines={DeadlineKind.AGREEMENT: -5, DeadlineKind.REGISTRATION: 60,
                                      DeadlineKind.REPAIR: 120, DeadlineKind.ACCOUNTABILITY: 400})
    decision_services.advice_record(region=linde.region, period=review, outcome="positive", date=today,
                                    reference="CWZ-demo-rijnmond", by=users["commissie"])
    r_linde, _r_anker, r_oost = _granted(review, employers, users=users, plans=[4, 3, 3])
    for app in (r_linde, r_oost):
        _agreement(app, users=users, on=today - timedelta(days=30))
    start = today - timedelta(days=60)
    submitted = _register(r_linde, PEOPLE[:3], start=start, users=users, submit_on=today)
    _review(submitted[2:], RegistrationStatus.REPAIR_REQUESTED, users=users,
            reason="De loonstrook is onleesbaar; upload een nieuwe.")
    _register(r_linde, PEOPLE[3:4], start=start, users=users, submit_on=None)  # a draft
    # The same person as De Linde's first at another employer: flagged as a possible duplicate to the reviewer.
    _register(r_oost, PEOPLE[:1], start=start, users=users, submit_on=today)
    _review(_register(r_oost, PEOPLE[4:5], start=start, users=users, submit_on=today), users=users)

    # Period 7: registrations approved, registration deadline passed: ready for an advance run, and De Linde's
    # reservation (4 planned, 3 approved) can be lowered (R51). An objection against Het Anker's grant awaits ruling.
    adv = _stage_period(ADVANCE_PERIOD, today=today, opens=-300, training=(-240, 30), holdback=False, by=by,
                        deadlines={DeadlineKind.AGREEMENT: -120, DeadlineKind.REGISTRATION: -5,
                                   DeadlineKind.REPAIR: 60, DeadlineKind.ACCOUNTABILITY: 300})
    a_apps = _granted(adv, employers, users=users, plans=[4, 3, 2])
    for app, people in zip(a_apps, (PEOPLE[:3], PEOPLE[3:6], PEOPLE[6:8]), strict=True):
        _agreement(app, users=users, on=today - timedelta(days=150))
        _review(_register(app, people, start=today - timedelta(days=200), users=users,
                          submit_on=today - timedelta(days=20)), users=users)
    grant = Decision.objects.get(application=a_apps[1], kind="grant")
    accounting_services.objection_record(decision=grant, received_on=today, by=reviewer,
                                         grounds="Wij vragen om herziening: ons plan telde meer trajecten.")

    # Period 8: advances paid, progress reported, accountability deadline just passed: ready for settlement.
    # Welzijn Oost's trainees mostly did not start: its settlement reclaims part of the advance.
    settle = _stage_period(SETTLEMENT_PERIOD, today=today, opens=-520, training=(-460, -250), holdback=False, by=by,
                           deadlines={DeadlineKind.AGREEMENT: -400, DeadlineKind.REGISTRATION: -260,
                                      DeadlineKind.REPAIR: -200, DeadlineKind.ACCOUNTABILITY: -3})
    s_apps = _granted(settle, employers, users=users, plans=[3, 2, 3])
    made = {}
    for app, people in zip(s_apps, (PEOPLE[:3], PEOPLE[3:5], PEOPLE[6:9]), strict=True):
        _agreement(app, users=users, on=today - timedelta(days=420))
        made[app.pk] = _register(app, people, start=today - timedelta(days=400), users=users,
                                 submit_on=today - timedelta(days=300))
        _review(made[app.pk], users=users)
    run = advances.advance_run_propose(period=settle, by=reviewer)
    advances.advance_run_confirm(run=run, by=decider)
    on = today - timedelta(days=30)
    for app in s_apps:
        for i, registration in enumerate(made[app.pk]):
            started = app is not s_apps[2] or i == 0
            registrations.progress_report(registration=registration, started=started,
                                          outcome="completed" if started else None, actual_cost=None, by=contact,
                                          today=on)


@transaction.atomic
def seed_demo() -> list[tuple[str, str]]:
    budget_services.reference_data_seed()
    users = {u[0]: _user(*u) for u in USERS}
    employers = []
    for name, kvk, region_code, earmark, iban, (address, postal_code, city) in EMPLOYERS:
        employer = Employer.objects.filter(kvk_number=kvk).first() or app_services.employer_create(
            by=users["beheerder"], name=name, kvk_number=kvk, region=Region.objects.get(code=region_code),
            earmark=earmark, iban=iban, account_holder=name, contact_name="Zora Contactpersoon",
            contact_email=f"info@{kvk}.example.org",
            address=address, postal_code=postal_code, city=city,
        )
        employers.append(employer)

    for employer in employers[:2]:  # one account acting for two employers (R2)
        Membership.objects.get_or_create(user=users["zorgwerkgever"], employer=employer, defaults={"role": MembershipRole.CONTACT})
    for employer in employers:  # one accountability officer shared by all three
        Membership.objects.get_or_create(
            user=users["verantwoorder"], employer=employer, defaults={"role": MembershipRole.ACCOUNTABILITY_OFFICER}
        )
    Membership.objects.get_or_create(user=users["zorgwerkgever"], employer=employers[2], defaults={"role": MembershipRole.CONTACT})

    demo = _demo_period(users["beheerder"])
    period3 = Period.objects.get(number=3)
    contact = users["zorgwerkgever"]
    if not Application.objects.filter(period__in=[demo, period3]).exists():
        # A draft in the open demo period.
        draft = app_services.application_create(employer=employers[0], region=employers[0].region, period=demo, by=contact)
        app_services.plan_lines_add(application=draft, rows=_plan(6), by=contact)
        # A submitted one in the open demo period.
        sub = app_services.application_create(employer=employers[1], region=employers[1].region, period=demo, by=contact)
        app_services.plan_lines_add(application=sub, rows=_plan(8), by=contact)
        app_services.application_submit(application=sub, by=contact)
        # Submitted during period 3's window (historical), ready for the office to assess.
        for employer in employers:
            old = app_services.application_create(employer=employer, region=employer.region, period=period3, by=contact)
            app_services.plan_lines_add(application=old, rows=_plan(12), by=contact)
            app_services.application_submit(application=old, by=contact, now=period3.application_opens + timedelta(hours=2))
    if not Period.objects.filter(number=REVIEW_PERIOD).exists():
        _seed_stages(users=users, employers=employers)
    assert Application.objects.filter(status=ApplicationStatus.SUBMITTED).exists()
    return [(u[0], u[2] or ("admin (staff)" if u[3] else "employer")) for u in USERS]
