"""Demo data for ``manage.py seed_demo``: employers, one login per role, a demo period and a few
applications. Demo users exist nowhere else (not in migrations, fixtures or tests)."""

from base64 import b32encode
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from applications import services as app_services
from applications.constants import ApplicationStatus, MembershipRole
from applications.models import Application, Employer, Membership
from budgets import reference_services
from budgets import services as budget_services
from budgets.models import Period, Region
from sectorplan.second_factor import requires_second_factor

#: The name of the TOTP device seed_demo gives every demo account that needs a second factor (R41).
DEMO_DEVICE_NAME = "demo"

DEMO_PASSWORD = "demo-sectorplan-2026"  # noqa: S105 - printed for the demo; never used outside seed_demo
DEMO_PERIOD = 5

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
    assert Application.objects.filter(status=ApplicationStatus.SUBMITTED).exists()
    return [(u[0], u[2] or ("admin (staff)" if u[3] else "employer")) for u in USERS]
