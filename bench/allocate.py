"""Benchmark of the allocation (R16-R19): proposal and confirmation for a large period.

Run:  DJANGO_SETTINGS_MODULE=sectorplan.settings.test DATABASE_URL=... .venv/bin/python bench/allocate.py [N ...]

Creates a throw-away database (``bench_<name>``), loads N assessed applications (default 1,000 and 4,000)
with about 62 registrations each (~250,000 for 4,000; COPY), then times the proposal and the confirmation
and counts their SQL queries. Letter enqueueing (after commit, one Celery message per letter) is stubbed
out; the letter rows themselves are created. The database is dropped at the end.
"""

import os
import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sectorplan.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from applications.decisions import services as decision_services  # noqa: E402

AMS = ZoneInfo("Europe/Amsterdam")
REGISTRATIONS_PER_APPLICATION = 62


def load(period_number: int, n: int, regions, users):
    from applications.models import Application, Employer
    from budgets.models import BudgetLine, Period

    period = Period.objects.create(
        number=period_number,
        application_opens=datetime(2020, 12, 1, 9, tzinfo=AMS),
        application_closes=datetime(2020, 12, 19, 17, tzinfo=AMS),
        training_start_from=date(2021, 1, 1),
        training_start_until=date(2021, 12, 31),
        accountability_deadline=date(2023, 7, 1),
        pooled=True,
        holdback_applies=True,
    )
    BudgetLine.objects.create(period=period, earmark="pooled", ceiling=Decimal("95000000.00"))
    employers = Employer.objects.bulk_create(
        [
            Employer(
                name=f"Bench {period_number}-{i}", kvk_number=f"{period_number * 1_000_000 + i:08d}",
                region=regions[i % len(regions)], earmark="other" if i % 3 else "nursing_home",
                iban="NL91ABNA0417164300", account_holder=f"Bench {period_number}-{i}",
                contact_email="bench@example.org",
            )
            for i in range(n)
        ],
        batch_size=2000,
    )
    submitted = period.application_opens + timedelta(hours=1)
    applications = Application.objects.bulk_create(
        [
            Application(
                employer=e, region=e.region, period=period, number=i + 1,
                reference=Application.make_reference(period_number, i + 1), status="assessed",
                requested_amount=Decimal(REGISTRATIONS_PER_APPLICATION * 5000) + Decimal(i % 97) / 100,
                eligible_amount=Decimal(REGISTRATIONS_PER_APPLICATION * 5000 - (i % 7) * 5000) + Decimal(i % 97) / 100,
                submitted_at=submitted, assessed_by=users["reviewer"], assessed_at=submitted,
            )
            for i, e in enumerate(employers)
        ],
        batch_size=2000,
    )
    columns = (
        "application_id, initials, surname, date_of_birth, focus, activity_type, start_date, end_date, "
        "contract_hours, employed_since, planned_cost, age_band, requested_amount, eligible, eligibility_reason, "
        "started, outcome, actual_cost, reported_at, created_at"
    )
    now = datetime.now(tz=AMS)
    with connection.cursor() as cursor:
        with cursor.connection.cursor().copy(f"COPY applications_registration ({columns}) FROM STDIN") as copy:
            for app in applications:
                for j in range(REGISTRATIONS_PER_APPLICATION):
                    copy.write_row(
                        (app.pk, "A.", f"P{j}", date(1980 + j % 30, 1, 1), "upskilling", "A", date(2021, 2, 1),
                         date(2021, 12, 31), Decimal("32.0"), date(2015, 1, 1), None, "25-45", Decimal("5000.00"),
                         True, "", None, "", None, None, now)
                    )
    return period


def measure(period, users):
    from applications.decisions.checks import ledger_violations

    with CaptureQueriesContext(connection) as q_propose:
        start = time.perf_counter()
        allocation = decision_services.allocation_propose(period=period, by=users["reviewer"])
        t_propose = time.perf_counter() - start
    with mock.patch("applications.decisions.letters.enqueue_letter"), CaptureQueriesContext(connection) as q_confirm:
        start = time.perf_counter()
        decision_services.allocation_confirm(allocation=allocation, by=users["decider"])
        t_confirm = time.perf_counter() - start
    start = time.perf_counter()
    problems = ledger_violations()
    t_check = time.perf_counter() - start
    return t_propose, len(q_propose), t_confirm, len(q_confirm), t_check, problems


def main(sizes):
    from django.contrib.auth.models import User

    from applications.models import Registration
    from budgets.models import Region
    from budgets.services import reference_data_seed

    settings_dict = connection.settings_dict
    settings_dict.setdefault("TEST", {})["NAME"] = f"bench_{settings_dict['NAME']}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        reference_data_seed()
        regions = list(Region.objects.order_by("pk"))
        users = {"reviewer": User.objects.create(username="bench-reviewer"),
                 "decider": User.objects.create(username="bench-decider")}
        print(f"{'applications':>12} {'registrations':>12} {'load s':>7} {'propose s':>9} {'queries':>7} "
              f"{'confirm s':>9} {'queries':>7} {'check_ledger s':>14}")
        for index, n in enumerate(sizes):
            start = time.perf_counter()
            period = load(50 + index, n, regions, users)
            t_load = time.perf_counter() - start
            registrations = Registration.objects.filter(application__period=period).count()
            t_p, q_p, t_c, q_c, t_check, problems = measure(period, users)
            print(f"{n:>12} {registrations:>12} {t_load:>7.2f} {t_p:>9.3f} {q_p:>7} {t_c:>9.3f} {q_c:>7} {t_check:>14.2f}")
            if problems:
                print("LEDGER VIOLATIONS:", *problems[:10], sep="\n  ")
                raise SystemExit(1)
        print("Query counts include batched INSERTs (bulk_create batch_size=2000). Letter enqueueing is stubbed.")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 4000])
