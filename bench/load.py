"""Load bench (issue 16 item 9): many employers at the close of a window while the office reads its queue, against
gunicorn as ``docker-compose.yml`` runs it (production settings, ``--workers 3 --timeout 60``), driven by locust.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sp_x CELERY_BROKER_URL=redis://127.0.0.1:6379/2 \\
        BENCH_USERS=100 BENCH_SECONDS=120 .venv/bin/python bench/load.py

Each employer user (``BENCH_USERS``, default 100, spawned at ``BENCH_SPAWN``/s) once: creates an application in the
open period, posts its plan in one request (25 lines: a plan holds at most one line per activity type x focus,
R8, so the issue's "50 lines" cannot exist; 25 is the largest plan), submits it (the receipt PDF is rendered in
the request, R42) and imports a 50-row registration (registration) file into its granted application; then it reads
its application every 2-5 s. ``BENCH_OFFICE`` (default 5) office users read the queue (``GET /applications``
submitted, 50 a page) every 0.5-1.5 s. At the end it prints per request the count, median, p95 and failures,
p95 of all reads and of all writes, and the error count; exit status 1 when any request failed.

A throw-away database ``<name>_loadbench`` is created next to ``DATABASE_URL``'s and dropped at the end. Mail goes
to an SMTP port nobody listens on (a refused connection is logged, as in production when the relay is down).
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
USERS = int(os.environ.get("BENCH_USERS", "100"))
OFFICE = int(os.environ.get("BENCH_OFFICE", "5"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "120"))
SPAWN = float(os.environ.get("BENCH_SPAWN", "20"))
PORT = int(os.environ.get("BENCH_PORT", "8765"))
ACTIVITIES = "ABCDE"
FOCUSES = ["new_intake", "redundancy_risk", "upskilling", "practice_supervisor", "retention"]
REGISTRATION_HEADER = ("initials,surname,date_of_birth,focus,activity_type,start_date,end_date,contract_hours,"
                      "employed_since,planned_cost")


def bench_database_url() -> str:
    url = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sectorplan"))
    return urlunsplit(url._replace(path=url.path.rstrip("/") + "_loadbench"))


def server_env(database_url: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sectorplan.settings.production",
        "ENVIRONMENT": "bench",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "load-bench-" + "x" * 40),
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/2"),
        "EMAIL_URL": "smtp://127.0.0.1:2",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PRIVATE_STORAGE_ROOT": os.environ.get("BENCH_STORAGE", tempfile.mkdtemp(prefix="loadbench-")),
        "PYTHONPATH": str(ROOT),
        "LOG_LEVEL": "WARNING",
    }


# --- setup (a subprocess with Django; locust's gevent patching stays out of it) ----------------------------


def setup(out: str) -> None:
    import django

    django.setup()
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from applications.constants import ApplicationStatus, MembershipRole
    from tests.applications.factories import ApplicationFactory, EmployerFactory, MembershipFactory, UserFactory
    from tests.budgets.factories import PeriodFactory

    now = timezone.now()
    period = PeriodFactory(number=95, with_retention=True, application_opens=now - timedelta(days=20),
                           application_closes=now + timedelta(hours=2))
    employers = []
    for i in range(USERS):
        employer = EmployerFactory()
        user = UserFactory(username=f"load-contact-{i}")
        MembershipFactory(employer=employer, user=user, role=MembershipRole.CONTACT)
        granted = ApplicationFactory(employer=employer, period=PeriodFactory(number=200 + i),
                                     status=ApplicationStatus.GRANTED, submitted_at=now - timedelta(days=400),
                                     eligible_amount=Decimal("100000.00"))
        employers.append({"token": Token.objects.create(user=user).key, "employer": employer.pk,
                          "region": employer.region.code, "granted": granted.pk,
                          "start": str(granted.period.training_start_from)})
    office = []
    for i in range(OFFICE):
        user = UserFactory(username=f"load-office-{i}", roles=["office_reviewer"])
        office.append(Token.objects.create(user=user).key)
    for _ in range(200):  # a queue to read
        ApplicationFactory(period=period, submitted=True, submitted_at=now - timedelta(days=1))
    Path(out).write_text(json.dumps({"period": period.number, "employers": employers, "office": office}))


# --- the load --------------------------------------------------------------------------------------------------


def plan_lines() -> list[dict]:
    lines = []
    for a in ACTIVITIES:
        for f in FOCUSES:
            lines.append({"activityType": a, "focus": f, "count": 2,
                          "plannedCost": None if a in "AB" else "1234.50"})
    return lines


def registration_file(start: str) -> bytes:
    rows = [REGISTRATION_HEADER] + [
        f"A.,Naam{i},1980-01-01,upskilling,A,{start},{start[:4]}-12-31,32,2015-01-01," for i in range(50)
    ]
    return ("\n".join(rows) + "\n").encode()


def run_load(data: dict) -> int:
    import gevent
    from locust import HttpUser, between, task
    from locust.env import Environment

    employers = iter(data["employers"])
    office_tokens = iter(data["office"] * 1000)
    headers = {"X-Forwarded-Proto": "https"}

    class Employer(HttpUser):
        fixed_count = USERS
        wait_time = between(2, 5)
        host = f"http://127.0.0.1:{PORT}"

        def on_start(self):
            me = next(employers)
            self.client.headers.update({**headers, "Authorization": f"Token {me['token']}"})
            response = self.client.post("/api/v2/applications", json={
                "employer": me["employer"], "region": me["region"], "period": data["period"], "small": False,
            }, name="POST /applications (write)")
            if response.status_code != 201:
                self.application = None
                return
            self.application = response.json()["id"]
            self.client.post(f"/api/v2/applications/{self.application}/plan-lines", json=plan_lines(),
                             name="POST /applications/{id}/plan-lines 25 (write)")
            self.client.post(f"/api/v2/applications/{self.application}/submit", json={},
                             name="POST /applications/{id}/submit (write)")
            self.client.post(f"/api/v2/applications/{me['granted']}/registrations/import",
                             files={"file": ("p.csv", registration_file(me["start"]), "text/csv")},
                             name="POST /applications/{id}/registrations/import 50 (write)")

        @task
        def read_own(self):
            if self.application:
                self.client.get(f"/api/v2/applications/{self.application}", name="GET /applications/{id} (read)")

    class Office(HttpUser):
        fixed_count = OFFICE
        wait_time = between(0.5, 1.5)
        host = f"http://127.0.0.1:{PORT}"

        def on_start(self):
            self.client.headers.update({**headers, "Authorization": f"Token {next(office_tokens)}"})

        @task
        def queue(self):
            self.client.get("/api/v2/applications?status=submitted&pageSize=50", name="GET /applications queue (read)")

    env = Environment(user_classes=[Employer, Office])
    runner = env.create_local_runner()
    runner.start(USERS + OFFICE, spawn_rate=SPAWN)
    gevent.spawn_later(SECONDS, runner.quit)
    runner.greenlet.join()

    def p95(entries) -> float:
        times = sorted(t for e in entries for t, n in e.response_times.items() for _ in range(n))
        return times[int(0.95 * (len(times) - 1))] if times else 0.0

    entries = list(env.stats.entries.values())
    print(f"\n{USERS} employers + {OFFICE} office users, {SECONDS} s, gunicorn --workers 3 (production settings)")
    print(f"{'request':58} {'count':>6} {'median':>7} {'p95':>7} {'fail':>5}")
    for e in sorted(entries, key=lambda e: e.name):
        print(f"{e.name:58} {e.num_requests:6d} {e.median_response_time:7.0f} "
              f"{e.get_response_time_percentile(0.95):7.0f} {e.num_failures:5d}")
    reads = [e for e in entries if "(read)" in e.name]
    writes = [e for e in entries if "(write)" in e.name]
    print(f"p95 reads: {p95(reads):.0f} ms   p95 writes: {p95(writes):.0f} ms   "
          f"errors: {env.stats.total.num_failures} of {env.stats.total.num_requests}")
    for error in env.stats.errors.values():
        print(f"  {error.occurrences} x {error.method} {error.name}: {error.error}"[:300])
    return 1 if env.stats.total.num_failures or not env.stats.total.num_requests else 0


def main() -> int:
    import psycopg

    database_url = bench_database_url()
    name = urlsplit(database_url).path.lstrip("/")
    admin = urlunsplit(urlsplit(database_url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    env = server_env(database_url)
    python = str(ROOT / ".venv" / "bin" / "python")
    server = None
    try:
        print(f"Preparing {name}: migrate, reference data, {USERS} employers ...", flush=True)
        setup_env = {**env, "DJANGO_SETTINGS_MODULE": "sectorplan.settings.test"}
        subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=setup_env, check=True)
        subprocess.run([python, "manage.py", "seed_reference"], cwd=ROOT, env=setup_env, check=True,
                       stdout=subprocess.DEVNULL)
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            subprocess.run([python, __file__, "--setup", out.name], cwd=ROOT, env=setup_env, check=True)
            data = json.loads(Path(out.name).read_text())
        server = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "sectorplan.wsgi:application", "--bind", f"127.0.0.1:{PORT}",
             "--workers", "3", "--timeout", "60"], cwd=ROOT, env=env,
        )
        for _ in range(60):
            try:
                import urllib.request

                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=2)
                break
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(1)
        return run_load(data)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--setup":
        setup(sys.argv[2])
    else:
        sys.exit(main())
