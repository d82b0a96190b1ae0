"""Run by tests/test_platform.py in a subprocess with the dev settings on SQLite: the office flow
and the main pages of `make run`'s embedded default, with Celery in-process."""

import os
import sys

import django

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sectorplan.settings.dev")
django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.test import Client  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from accounting.demo import DEMO_DEVICE_NAME, DEMO_PASSWORD  # noqa: E402
from applications import services  # noqa: E402
from applications.decisions import services as decision_services  # noqa: E402
from applications.models import Application, Letter  # noqa: E402
from budgets.models import Period, Region  # noqa: E402
from tests.support.otp import totp_code  # noqa: E402

reviewer, decider = User.objects.get(username="beoordelaar"), User.objects.get(username="beslisser")
commission = User.objects.get(username="commissie")
period = Period.objects.get(number=3)
for application in Application.objects.filter(period=period, status="submitted"):
    verdicts = [{"id": line.id, "eligible_count": line.count, "reason": ""} for line in application.plan_lines.all()]
    services.application_assess(application=application, verdicts=verdicts, by=reviewer)
allocation = decision_services.allocation_propose(period=period, by=reviewer)
decision_services.allocation_confirm(allocation=allocation, by=decider)
region = Region.objects.get(code="rijnmond")
decision_services.advice_record(region=region, period=period, outcome="positive", date=period.training_start_from,
                              reference="demo", by=commission)
done = Letter.objects.filter(status="done").count()
assert done == Letter.objects.count() > 0, (done, Letter.objects.count())

pages = {
    "beslisser": ["/kantoor/budget/", "/kantoor/budget/tijdvak/3/", "/brieven/kantoor/tijdvak/3/",
                  # the demo's stage periods (issue 15 item 6): lapse, advance run, lowering, settlement, letters
                  "/account/kantoor/tijdvak/6/verval/", "/kantoor/budget/tijdvak/7/voorschotten/",
                  "/kantoor/budget/tijdvak/7/bijstelling/", "/brieven/kantoor/tijdvak/8/",
                  *[f"/account/kantoor/vaststelling/{pk}/" for pk in
                    Application.objects.filter(period__number=8).values_list("pk", flat=True)]],
    "commissie": ["/kantoor/budget/commissie/"],
    "beoordelaar": ["/kantoor/aanvragen/"],
    "zorgwerkgever": ["/werkgever/", "/account/"],
}
for username, paths in pages.items():
    client = Client(HTTP_HOST="127.0.0.1")
    # Through the login page, as a new user of `make run` does: the password, and for office and Commission accounts
    # the code of the TOTP secret seed_demo printed (R41).
    device = TOTPDevice.objects.filter(user__username=username, name=DEMO_DEVICE_NAME).first()
    login = {"username": username, "password": DEMO_PASSWORD, "otp": totp_code(device) if device else ""}
    response = client.post("/inloggen/", login)
    assert response.status_code == 302, (username, response.status_code)
    for path in paths:
        status = client.get(path).status_code
        assert status == 200, (username, path, status)
print("sqlite smoke ok", done, "letters")
