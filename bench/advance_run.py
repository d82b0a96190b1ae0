"""Benchmark of an advance run (R48): proposal and confirmation (SEPA file included) for a large period.

Run:  DJANGO_SETTINGS_MODULE=sectorplan.settings.test DATABASE_URL=... .venv/bin/python bench/advance_run.py [N ...]

Creates a throw-away database (``bench_<name>``), loads N granted applications (default 1,000 and 4,000) with 125
registrations each (500,000 for 4,000; COPY), 120 of them approved, their grant decisions and ledger commitments
(a sixth oversubscribed, so the allocation factor is below 1; every 500th employer with an IBAN that does not
validate, so it is blocked), then times the proposal and the confirmation and counts their SQL queries (all, and
without the INSERT batches of 2,000 rows, which are the only ones that grow with N). The confirmation includes
writing the decisions, ledger entries, letters and messages, building and validating the pain.001 file and storing
it. Letter enqueueing (after commit, one Celery message per letter) is stubbed out, as in ``bench/allocate.py``.
A second proposal (nothing due: the same registrations) and ``check_ledger`` are timed too. The database is
dropped at the end.
"""

import os
import sys
import tempfile
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sectorplan.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from applications.decisions import advances  # noqa: E402

AMS = ZoneInfo("Europe/Amsterdam")
REGISTRATIONS_PER_APPLICATION = 125
APPROVED_PER_APPLICATION = 120


def iban(n: int) -> str:
    bban = f"ABNA{n:010d}"
    digits = "".join(str(int(c, 36)) for c in bban + "NL00")
    return f"NL{98 - int(digits) % 97:02d}{bban}"


def load(period_number: int, n: int, regions, users):
    from applications.models import Application, Decision, Employer
    from budgets.models import BudgetLine, LedgerEntry, Period

    period = Period.objects.create(
        number=period_number,
        application_opens=datetime(2020, 12, 1, 9, tzinfo=AMS),
        application_closes=datetime(2020, 12, 19, 17, tzinfo=AMS),
        training_start_from=date(2021, 1, 1),
        training_start_until=date(2021, 12, 31),
        accountability_deadline=date(2023, 7, 1),
        pooled=True,
        advance_percent=Decimal("75.00"),
    )
    BudgetLine.objects.create(period=period, earmark="pooled", ceiling=Decimal("5000000000.00"))
    employers = Employer.objects.bulk_create(
        [
            Employer(
                name=f"Bench {period_number}-{i}", kvk_number=f"{period_number * 1_000_000 + i:08d}",
                region=regions[i % len(regions)], earmark="other" if i % 3 else "nursing_home",
                iban=iban(period_number * 1_000_000 + i) if i % 500 else "NL00ABNA0000000000",
                account_holder=f"Bench {period_number}-{i}", contact_email="bench@example.org",
            )
            for i in range(n)
        ],
        batch_size=2000,
    )
    eligible = Decimal(REGISTRATIONS_PER_APPLICATION * 5000)
    applications = Application.objects.bulk_create(
        [
            Application(
                employer=e, region=e.region, period=period, number=i + 1,
                reference=Application.make_reference(period_number, i + 1), status="granted",
                requested_amount=eligible, eligible_amount=eligible, submitted_at=period.application_opens,
                assessed_by=users["reviewer"], assessed_at=period.application_opens,
            )
            for i, e in enumerate(employers)
        ],
        batch_size=2000,
    )
    grants = Decision.objects.bulk_create(
        [
            Decision(application=a, kind="grant", date=date(2021, 3, 1), decided_by=users["reviewer"],
                     granted_amount=eligible * 2 / 3 if i % 6 == 0 else eligible)
            for i, a in enumerate(applications)
        ],
        batch_size=2000,
    )
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(period=period, earmark="pooled", application=d.application, decision=d, kind="commitment",
                        amount=d.granted_amount, actor=users["reviewer"], memo="bench grant")
            for d in grants
        ],
        batch_size=2000,
    )
    columns = (
        "application_id, status, initials, surname, date_of_birth, focus, activity_type, start_date, end_date, "
        "contract_hours, employed_since, cost, age_band, amount, review_reason, started, outcome, created_at, "
        "updated_at"
    )
    now = datetime.now(tz=AMS)
    with connection.cursor() as cursor:
        with cursor.connection.cursor().copy(f"COPY applications_registration ({columns}) FROM STDIN") as copy:
            for app in applications:
                for j in range(REGISTRATIONS_PER_APPLICATION):
                    copy.write_row(
                        (app.pk, "approved" if j < APPROVED_PER_APPLICATION else "submitted", "A.", f"P{j}",
                         date(1980 + j % 30, 1, 1), "upskilling", "A", date(2021, 2, 1), date(2021, 12, 31),
                         Decimal("32.0"), date(2015, 1, 1), None, "25-45", Decimal("5000.00"), "", None, "", now, now)
                    )
    return period


def _counts(queries) -> tuple[int, int]:
    inserts = sum(1 for q in queries if q["sql"].lstrip().upper().startswith("INSERT"))
    return len(queries), len(queries) - inserts


def measure(period, users) -> dict:
    from applications.decisions.checks import ledger_violations
    from applications.models import AdvanceRun

    out = {}
    with CaptureQueriesContext(connection) as q:
        start = time.perf_counter()
        run = advances.advance_run_propose(period=period, by=users["reviewer"])
        out["propose"] = time.perf_counter() - start
    out["propose_q"] = _counts(q.captured_queries)
    run = AdvanceRun.objects.get(pk=run.pk)
    out["payments"], out["blocked"], out["total"] = run.count, run.blocked_count, run.total
    with mock.patch("applications.decisions.letters.enqueue_letter"), CaptureQueriesContext(connection) as q:
        start = time.perf_counter()
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            profile = cProfile.Profile()
            batch = profile.runcall(advances.advance_run_confirm, run=run, by=users["decider"])
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        else:
            batch = advances.advance_run_confirm(run=run, by=users["decider"])
        out["confirm"] = time.perf_counter() - start
    out["confirm_q"] = _counts(q.captured_queries)
    if os.environ.get("BENCH_SLOWEST"):
        for query in sorted(q.captured_queries, key=lambda x: -float(x["time"]))[:6]:
            print(f"  {query['time']} s  {query['sql'][:160]}")
    out["batch"] = (batch.count, batch.total, batch.file.size)
    start = time.perf_counter()
    again = advances.advance_run_propose(period=period, by=users["reviewer"])
    out["second"] = time.perf_counter() - start
    out["second_total"] = again.total
    start = time.perf_counter()
    out["problems"] = ledger_violations()
    out["check"] = time.perf_counter() - start
    return out


def main(sizes):
    from django.contrib.auth.models import User

    from applications.models import Registration
    from budgets.models import Region
    from budgets.services import reference_data_seed

    settings_dict = connection.settings_dict
    settings_dict.setdefault("TEST", {})["NAME"] = f"bench_{settings_dict['NAME']}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    storage = tempfile.TemporaryDirectory(prefix="bench-sepa-")
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": storage.name, "base_url": None}},
    }
    try:
        reference_data_seed()
        regions = list(Region.objects.order_by("pk"))
        users = {"reviewer": User.objects.create(username="bench-reviewer"),
                 "decider": User.objects.create(username="bench-decider")}
        print(f"{'apps':>5} {'registr.':>8} {'load s':>6} {'propose s':>9} {'queries (no ins.)':>17} "
              f"{'confirm s':>9} {'queries (no ins.)':>17} {'paid':>5} {'blocked':>7} {'SEPA KiB':>8} "
              f"{'2nd run s':>9} {'check_ledger s':>14}")
        for index, n in enumerate(sizes):
            start = time.perf_counter()
            period = load(60 + index, n, regions, users)
            t_load = time.perf_counter() - start
            registrations = Registration.objects.filter(application__period=period).count()
            m = measure(period, users)
            pq, cq = m["propose_q"], m["confirm_q"]
            print(f"{n:>5} {registrations:>8} {t_load:>6.1f} {m['propose']:>9.3f} {pq[0]:>9} ({pq[1]:>3})    "
                  f"{m['confirm']:>9.3f} {cq[0]:>9} ({cq[1]:>3})    {m['batch'][0]:>5} {m['blocked']:>7} "
                  f"{m['batch'][2] / 1024:>8.0f} {m['second']:>9.3f} {m['check']:>14.2f}")
            if m["batch"][1] != m["total"] or m["second_total"] != 0:
                raise SystemExit(f"batch total {m['batch'][1]} != run total {m['total']}, second run {m['second_total']}")
            if m["problems"]:
                print("LEDGER VIOLATIONS:", *m["problems"][:10], sep="\n  ")
                raise SystemExit(1)
        print("Queries: all, and in brackets without the INSERT batches (bulk_create, 2,000 rows a batch), which are the")
        print("only ones that grow with N. Letter enqueueing is stubbed; the letter and message rows are written.")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        storage.cleanup()


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 4000])
