"""Acceptance test of the public API contract (shared/api.md), as an outside client sees it.

Everything goes through HTTP with real tokens from ``POST /api/v2/auth/token/`` and JSON bodies. The ORM is used
only to create the initial accounts and load the reference data (as ``migrate``/``seed_reference`` would); the
letter task is run in-process for pending letters. Time is moved by editing the period's window through the API.
"""

import csv
import io
import json
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from applications.decisions.tasks import generate_letter
from sectorplan.second_factor import requires_second_factor
from tests.problems import problems
from tests.support.otp import totp_code, totp_device

pytestmark = pytest.mark.django_db

PASSWORD = "contract-pass-123"
PERIOD = 9
MONEY = re.compile(r"^-?\d+\.\d{2}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")  # RFC 3339 in UTC (api.md v2)
ERROR_KEYS = {"field", "code", "message"}
PAGE_KEYS = {"count", "next", "previous", "results"}
AGE_BANDS = ["<25", "25-45", "45-55", "55+"]
FOCUS_ORDER = ["new_intake", "redundancy_risk", "upskilling", "practice_supervisor", "retention"]

PERIOD_FIELDS = {
    "number", "applicationOpens", "applicationCloses", "trainingStartFrom", "trainingStartUntil",
    "accountabilityDeadline", "budgetLines", "holdbackApplies", "holdbackPercent", "advancePercent",
    "retentionAllowed", "retentionMaxPercent", "smallApplicationLimit", "oversubscriptionFloor",
    "applicationCap", "allocationMethod", "decisionTermWeeks", "deadlines",
}
APPLICATION_FIELDS = {
    "id", "reference", "employer", "region", "period", "status", "requestedAmount", "eligibleAmount",
    "grantedAmount", "heldAmount", "isSmall", "timeline",
}
#: The JSON properties of a registration (lowerCamelCase) ...
REGISTRATION_KEYS = [
    "initials", "surname", "dateOfBirth", "focus", "activityType", "startDate", "endDate", "contractHours",
    "employedSince", "cost",
]
#: ... and the column names of an import file (the model's field names, as the import reads them).
REGISTRATION_FIELDS = [
    "initials", "surname", "date_of_birth", "focus", "activity_type", "start_date", "end_date", "contract_hours",
    "employed_since", "cost",
]

#: Every path of shared/api.md, with its methods.
CONTRACT_PATHS = {
    "/api/v2/auth/token": {"post"},
    "/api/v2/regions": {"get"},
    "/api/v2/periods": {"get", "post"},
    "/api/v2/periods/{}": {"patch"},
    "/api/v2/employers": {"get", "post"},
    "/api/v2/employers/{}/members": {"post"},
    "/api/v2/employers/{}/invitations": {"post"},
    "/api/v2/invitations/accept": {"post"},
    "/api/v2/applications": {"get", "post"},
    "/api/v2/applications/{}": {"get"},
    "/api/v2/applications/{}/registrations": {"get", "post"},
    "/api/v2/applications/{}/registrations/import": {"post"},
    "/api/v2/applications/{}/plan-lines": {"get", "post"},
    "/api/v2/applications/{}/plan-lines/{}": {"delete"},
    "/api/v2/applications/{}/plan-lines/import": {"post"},
    "/api/v2/applications/{}/submit": {"post"},
    "/api/v2/applications/{}/withdraw": {"post"},
    "/api/v2/applications/{}/assessment": {"post"},
    "/api/v2/applications/{}/completion-requests": {"post"},
    "/api/v2/applications/{}/completion": {"post"},
    "/api/v2/applications/{}/not-considered": {"post"},
    "/api/v2/receipts/{}/pdf": {"get"},
    "/api/v2/office-users/{}": {"patch"},
    "/api/v2/periods/{}/allocations": {"post"},
    "/api/v2/periods/{}/allocations/{}/confirm": {"post"},
    "/api/v2/applications/{}/decisions": {"get"},
    "/api/v2/regions/{}/advices": {"post"},
    "/api/v2/periods/{}/holdbacks/{}/forfeit": {"post"},
    "/api/v2/letters/{}/pdf": {"get"},
    "/api/v2/applications/{}/accountability": {"post"},
    "/api/v2/applications/{}/settle": {"post"},
    "/api/v2/statistics/trajectories": {"get"},
    "/api/v2/statistics/planned": {"get"},
    "/api/v2/statistics/budgets": {"get"},
    "/api/v2/statistics/holdbacks": {"get"},
}


# --- helpers -------------------------------------------------------------------------------------------------


def _user(username, *, groups=(), is_staff=False):
    user = User.objects.create_user(username, f"{username}@example.org", PASSWORD, is_staff=is_staff,
                                    is_superuser=is_staff)
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


def login(username) -> APIClient:
    """A token over HTTP; office, Commission and staff accounts add the code of their TOTP device (R41)."""
    body = {"username": username, "password": PASSWORD}
    user = User.objects.get(username=username)
    if requires_second_factor(user):
        body["otp"] = totp_code(totp_device(user))
    response = APIClient().post("/api/v2/auth/token", body, format="json")
    assert response.status_code == 200, response.content
    assert set(response.json()) == {"token", "expires"}
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def assert_error(response, status, *, field=None, code=None):
    assert response.status_code == status, (response.status_code, response.content)
    errors = problems(response)
    assert errors and all(ERROR_KEYS <= set(e) for e in errors), errors
    if field is not None:
        assert field in {e["field"] for e in errors}, errors
    if code is not None:
        assert code in {e["code"] for e in errors}, errors
    return errors


def assert_money(*values):
    for value in values:
        assert isinstance(value, str) and MONEY.match(value), value


def registration(initials, surname, dob, focus, activity, start, end, hours, since, cost=None):
    return dict(zip(REGISTRATION_KEYS, [initials, surname, dob, focus, activity, start, end, hours, since, cost],
                    strict=True))


def csv_upload(rows, name="deelnemers.csv"):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(REGISTRATION_FIELDS)
    for row in rows:
        writer.writerow(["" if row[k] is None else row[k] for k in REGISTRATION_KEYS])
    return SimpleUploadedFile(name, out.getvalue().encode("utf-8"), content_type="text/csv")


def pct(amount: Decimal, percent: int) -> Decimal:
    from decimal import ROUND_HALF_UP

    return (amount * percent / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- the schema documents the contract ------------------------------------------------------------------------


def _normalise(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def test_openapi_json_documents_every_contract_path():
    schema = json.loads((Path(settings.BASE_DIR) / "openapi.json").read_text(encoding="utf-8"))
    assert schema["servers"] == [{"url": "/api/v2", "description": "This installation"}]
    documented = {"/api/v2" + _normalise(path): set(ops) for path, ops in schema["paths"].items()}
    for path, methods in CONTRACT_PATHS.items():
        assert path in documented, path
        assert methods <= documented[path], (path, methods, documented[path])


def test_served_schema_documents_every_contract_path():
    response = APIClient().get("/api/v2/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    documented = {"/api/v2" + _normalise(path): set(ops) for path, ops in schema["paths"].items()}
    for path, methods in CONTRACT_PATHS.items():
        assert methods <= documented.get(path, set()), path


# --- the whole lifecycle --------------------------------------------------------------------------------------


def test_whole_lifecycle_through_the_public_api_only():  # noqa: PLR0915 - one story, told in order
    call_command("seed_reference", stdout=io.StringIO())
    _user("staff", is_staff=True)
    _user("reviewer", groups=["office_reviewer"])
    _user("decider", groups=["office_decider"])
    _user("commission", groups=["commission"])
    _user("ministry", groups=["ministry"])
    for name in ("contact_a", "officer_a", "contact_b"):
        _user(name)

    # Authentication (conventions)
    assert_error(APIClient().post("/api/v2/auth/token", {"username": "staff", "password": "wrong"},
                                  format="json"), 400)
    assert_error(APIClient().get("/api/v2/regions"), 401)
    staff, reviewer, decider = login("staff"), login("reviewer"), login("decider")
    commission, ministry = login("commission"), login("ministry")
    contact_a, officer_a, contact_b = login("contact_a"), login("officer_a"), login("contact_b")

    # --- reference data ---
    regions = contact_a.get("/api/v2/regions?pageSize=500")
    assert regions.status_code == 200
    body = regions.json()
    assert set(body) == PAGE_KEYS and body["count"] == 28 == len(body["results"])
    for region in body["results"]:
        assert set(region) == {"code", "name", "employerOrganisation"}
    region_a, region_b = body["results"][0]["code"], body["results"][1]["code"]
    assert contact_a.get("/api/v2/regions?pageSize=10").json()["next"] is not None

    now = timezone.now()
    period_payload = {
        "number": PERIOD,
        "applicationOpens": (now - timedelta(days=2)).isoformat(),
        "applicationCloses": (now + timedelta(days=2)).isoformat(),
        "trainingStartFrom": "2030-01-01",
        "trainingStartUntil": "2030-12-31",
        "accountabilityDeadline": "2032-07-01",
        "budgetLines": [{"earmark": "pooled", "ceiling": "1000000.00"}],
        "holdbackApplies": True,
        "holdbackPercent": "25.00",
        "advancePercent": "75.00",
        "retentionAllowed": False,
        "retentionMaxPercent": "50.00",
        "smallApplicationLimit": None,
        "oversubscriptionFloor": "0.00",
    }
    assert contact_a.post("/api/v2/periods", period_payload, format="json").status_code == 403
    response = staff.post("/api/v2/periods", period_payload, format="json")
    assert response.status_code == 201, response.content
    period = response.json()
    assert set(period) == PERIOD_FIELDS
    assert period["budgetLines"] == [{"earmark": "pooled", "ceiling": "1000000.00"}]
    assert (period["applicationCap"], period["allocationMethod"], period["decisionTermWeeks"]) == (
        None, "pro_rata", 13)
    assert period["deadlines"] == [{"kind": "accountability", "date": "2032-07-01"}]
    assert DATETIME.match(period["applicationOpens"]) and DATETIME.match(period["applicationCloses"])
    for key in ("trainingStartFrom", "trainingStartUntil", "accountabilityDeadline"):
        assert DATE.match(period[key])
    assert_money(period["holdbackPercent"], period["advancePercent"], period["oversubscriptionFloor"])
    listed = ministry.get("/api/v2/periods?pageSize=500").json()
    assert set(listed) == PAGE_KEYS
    assert all(set(p) == PERIOD_FIELDS for p in listed["results"])
    assert [p for p in listed["results"] if p["number"] == PERIOD] == [period]
    assert_error(staff.post("/api/v2/periods", {**period_payload, "number": 10,
                                                 "budgetLines": []}, format="json"), 400, field="budgetLines")

    # --- employers and memberships ---
    def employer_payload(kvk, region, iban):
        return {"name": f"Zorg {kvk}", "kvkNumber": kvk, "region": region, "earmark": "other", "iban": iban,
                "accountHolder": f"Stichting Zorg {kvk}", "contactEmail": f"info{kvk}@example.org"}

    assert contact_a.post("/api/v2/employers", employer_payload("12345678", region_a, "NL91ABNA0417164300"),
                          format="json").status_code == 403
    response = staff.post("/api/v2/employers", employer_payload("12345678", region_a, "NL91ABNA0417164300"),
                          format="json")
    assert response.status_code == 201, response.content
    employer_a = response.json()["id"]
    response = staff.post("/api/v2/employers", employer_payload("87654321", region_b, "NL20INGB0001234567"),
                          format="json")
    assert response.status_code == 201, response.content
    employer_b = response.json()["id"]
    assert_error(staff.post("/api/v2/employers", employer_payload("1234", region_a, "NL00XXXX"), format="json"),
                 400, field="kvkNumber")

    members = f"/api/v2/employers/{employer_a}/members"
    assert staff.post(members, {"username": "contact_a", "role": "contact"}, format="json").status_code == 201
    assert staff.post(f"/api/v2/employers/{employer_b}/members", {"username": "contact_b", "role": "contact"},
                      format="json").status_code == 201
    # a contact invites colleagues (R3) and does not link accounts itself; the office links the officer
    response = contact_a.post(members, {"username": "officer_a", "role": "accountability_officer"}, format="json")
    assert response.status_code == 403, response.content
    response = staff.post(members, {"username": "officer_a", "role": "accountability_officer"}, format="json")
    assert response.status_code == 201, response.content
    assert contact_b.post(members, {"username": "contact_b", "role": "contact"}, format="json").status_code == 404
    assert [e["id"] for e in contact_a.get("/api/v2/employers").json()["results"]] == [employer_a]
    assert {e["id"] for e in staff.get("/api/v2/employers").json()["results"]} == {employer_a, employer_b}

    # --- applications ---
    new_app = {"employer": employer_a, "region": region_a, "period": PERIOD}
    assert officer_a.post("/api/v2/applications", new_app, format="json").status_code == 403
    response = contact_a.post("/api/v2/applications", new_app, format="json")
    assert response.status_code == 201, response.content
    app = response.json()
    assert APPLICATION_FIELDS <= set(app)
    assert app["status"] == "draft" and app["employer"] == employer_a and app["region"] == region_a
    assert app["period"] == PERIOD and app["reference"]
    assert app["eligibleAmount"] is None
    assert_money(app["requestedAmount"], app["grantedAmount"], app["heldAmount"])
    assert app["isSmall"] is False
    for entry in app["timeline"]:
        assert set(entry) == {"at", "actor", "from", "to", "reason"} and DATETIME.match(entry["at"])
    assert_error(contact_a.post("/api/v2/applications", new_app, format="json"), 409)
    a = f"/api/v2/applications/{app['id']}"

    # the plan: one line, then a list, then a file (R8, R12, R13)
    response = contact_a.post(f"{a}/plan-lines", {"activityType": "A", "focus": "upskilling", "count": 2},
                              format="json")
    assert response.status_code == 201, response.content
    (line1,) = response.json()
    assert line1["id"] and line1["requestedAmount"] == "10000.00" and line1["plannedCost"] is None
    response = contact_a.post(f"{a}/plan-lines", [
        {"activityType": "C", "focus": "redundancy_risk", "count": 1, "plannedCost": "1500.50"},
        {"activityType": "E", "focus": "new_intake", "count": 1, "plannedCost": "400.00"},
    ], format="json")
    assert response.status_code == 201, response.content
    assert [x["requestedAmount"] for x in response.json()] == ["1500.50", "400.00"]
    assert_error(contact_a.post(f"{a}/plan-lines", {"activityType": "A", "focus": "upskilling", "count": 1},
                                format="json"), 400, field="focus")  # one line per activity type x focus
    assert officer_a.post(f"{a}/plan-lines", {"activityType": "B", "focus": "upskilling", "count": 1},
                          format="json").status_code == 403
    plan_file = "\ufeffactivity_type;focus;count;planned_cost\nA;practice_supervisor;1;\nB;upskilling;1;\n"
    upload = SimpleUploadedFile("plan.csv", plan_file.encode("utf-8"), content_type="text/csv")
    response = contact_a.post(f"{a}/plan-lines/import", {"file": upload}, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json() == {"created": 2}
    bad_file = "activity_type;focus;count;planned_cost\nA;nonsense;1;\nD;upskilling;1;1.234\n"
    upload = SimpleUploadedFile("plan.csv", bad_file.encode("utf-8"), content_type="text/csv")
    errors = assert_error(contact_a.post(f"{a}/plan-lines/import", {"file": upload}, format="multipart"), 400)
    assert {(e["line"], e["field"]) for e in errors} >= {(2, "focus"), (3, "plannedCost")}, errors
    lines = contact_a.get(f"{a}/plan-lines").json()
    assert set(lines) == PAGE_KEYS and lines["count"] == 5
    requested = sum(Decimal(x["requestedAmount"]) for x in lines["results"])
    assert requested == Decimal("21900.50")
    assert Decimal(contact_a.get(f"{a}").json()["requestedAmount"]) == requested
    one = registration("A.", "Visser", "1990-05-17", "upskilling", "A", "2030-03-01", "2030-12-31", "32.0",
                      "2015-01-01")
    assert_error(contact_a.post(f"{a}/registrations", one, format="json"), 409)  # named only once granted

    # submit, and twice
    assert officer_a.post(f"{a}/submit", {}, format="json").status_code == 403
    response = contact_a.post(f"{a}/submit", {}, format="json")
    assert response.status_code == 200, response.content
    submitted = response.json()
    assert submitted["status"] == "submitted" and DATETIME.match(submitted["receivedAt"])
    assert {"id", "sha256"} <= set(submitted["receipt"])
    receipt = contact_a.get(f"/api/v2/receipts/{submitted['receipt']['id']}/pdf")
    assert receipt.status_code == 200 and b"".join(receipt.streaming_content).startswith(b"%PDF")  # R42
    assert_error(contact_a.post(f"{a}/submit", {}, format="json"), 409)
    assert_error(contact_a.post(f"{a}/plan-lines", {"activityType": "D", "focus": "upskilling", "count": 1,
                                                   "plannedCost": "900.00"}, format="json"), 409)

    # employer B applies too, in its own region
    response = contact_b.post("/api/v2/applications", {"employer": employer_b, "region": region_b,
                                                         "period": PERIOD}, format="json")
    assert response.status_code == 201, response.content
    b = f"/api/v2/applications/{response.json()['id']}"
    (q1,) = contact_b.post(f"{b}/plan-lines", {"activityType": "A", "focus": "upskilling", "count": 1},
                           format="json").json()
    assert contact_b.post(f"{b}/submit", {}, format="json").json()["status"] == "submitted"

    # another employer's contact: 404 on every application URL, and the list hides it
    assert contact_b.get("/api/v2/applications").json()["count"] == 1
    foreign = [
        ("get", f"{a}", None, None),
        ("get", f"{a}/registrations", None, None),
        ("post", f"{a}/registrations", one, "json"),
        ("get", f"{a}/plan-lines", None, None),
        ("post", f"{a}/plan-lines", {"activityType": "D", "focus": "upskilling", "count": 1}, "json"),
        ("post", f"{a}/submit", {}, "json"),
        ("post", f"{a}/withdraw", {}, "json"),
        ("post", f"{a}/assessment", {"lines": [{"id": line1["id"], "eligibleCount": 1}]}, "json"),
        ("get", f"{a}/decisions", None, None),
        ("get", f"{a}/accountability", None, None),
        ("post", f"{a}/accountability", {"registrations": [{"id": line1["id"], "started": True}]}, "json"),
        ("post", f"{a}/settle", {}, "json"),
    ]

    def assert_foreign_404():
        for method, path, data, fmt in foreign:
            response = contact_b.get(path) if method == "get" else contact_b.post(path, data, format=fmt)
            assert response.status_code == 404, (method, path, response.status_code)
            assert_error(response, 404)

    assert_foreign_404()

    # --- review ---
    verdicts = [{"id": x["id"], "eligibleCount": x["count"], "reason": ""} for x in lines["results"]]
    for verdict in verdicts:
        if verdict["id"] == line1["id"]:
            verdict.update(eligibleCount=1, reason="Eén traject is geen kwalificerende opleiding.")
    assert contact_a.post(f"{a}/assessment", {"lines": verdicts}, format="json").status_code == 403
    response = reviewer.post(f"{a}/assessment", {"lines": verdicts}, format="json")
    assert response.status_code == 200, response.content
    eligible_a = requested - Decimal("5000.00")  # one A trajectory refused (R15)
    assert response.json() == {"status": "assessed", "eligibleAmount": f"{eligible_a:.2f}"}
    response = reviewer.post(f"{b}/assessment", {"lines": [{"id": q1["id"], "eligibleCount": 1}]},
                             format="json")
    assert response.status_code == 200, response.content
    eligible_b = Decimal(response.json()["eligibleAmount"])

    # a second application of employer A (another region) stays a draft until the window has closed
    response = contact_a.post("/api/v2/applications", {**new_app, "region": region_b}, format="json")
    assert response.status_code == 201, response.content
    late = f"/api/v2/applications/{response.json()['id']}"
    assert contact_a.post(f"{late}/plan-lines", {"activityType": "B", "focus": "upskilling", "count": 1},
                          format="json").status_code == 201

    # --- allocation: not while the window is open ---
    assert_error(reviewer.post(f"/api/v2/periods/{PERIOD}/allocations", format="json"), 409)
    assert contact_a.post(f"/api/v2/periods/{PERIOD}/allocations", format="json").status_code == 403
    response = staff.patch(f"/api/v2/periods/{PERIOD}",
                           {"applicationCloses": (timezone.now() - timedelta(minutes=1)).isoformat()}, format="json")
    assert response.status_code == 200, response.content
    assert set(response.json()) == PERIOD_FIELDS

    assert_error(contact_a.post(f"{late}/submit", {}, format="json"), 400, code="window_closed")
    response = contact_a.post(f"{late}/withdraw", {"reason": "Te laat."}, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "withdrawn"}

    response = reviewer.post(f"/api/v2/periods/{PERIOD}/allocations", format="json")
    assert response.status_code == 201, response.content
    allocation = response.json()
    assert isinstance(allocation["id"], int)
    (line,) = allocation["lines"]
    assert {"earmark", "ceiling", "requested", "factor", "granted"} <= set(line)
    assert line["earmark"] == "pooled" and line["ceiling"] == "1000000.00"
    assert Decimal(line["requested"]) == eligible_a + eligible_b == Decimal(line["granted"])
    assert_money(line["ceiling"], line["requested"], line["granted"])
    assert Decimal(line["factor"]) == 1
    apps = {x["id"]: x for x in allocation["applications"]}
    assert set(apps) == {app["id"], int(b.rsplit("/", 1)[1])}
    for x in apps.values():
        assert {"id", "reference", "eligibleAmount", "grantedAmount"} <= set(x)
        assert x["grantedAmount"] == x["eligibleAmount"]
    confirm = f"/api/v2/periods/{PERIOD}/allocations/{allocation['id']}/confirm"
    assert reviewer.post(confirm, format="json").status_code == 403
    response = decider.post(confirm, format="json")
    assert response.status_code == 200, response.content
    assert_error(decider.post(confirm, format="json"), 409)

    # --- decisions: a grant with 25% held back (no advice yet) ---
    held_a = pct(eligible_a, 25)
    response = officer_a.get(f"{a}/decisions")
    assert response.status_code == 200
    (grant,) = response.json()
    assert {"id", "kind", "date", "grantedAmount", "heldAmount", "advanceAmount", "letter"} <= set(grant)
    assert grant["kind"] == "grant" and DATE.match(grant["date"])
    assert grant["grantedAmount"] == f"{eligible_a:.2f}" and grant["heldAmount"] == f"{held_a:.2f}"
    assert grant["advanceAmount"] == "0.00"  # a reservation: no advance at the grant (R20 v2)
    assert set(grant["letter"]) == {"id", "status", "sha256"} and grant["letter"]["status"] == "pending"
    detail = contact_a.get(f"{a}").json()
    assert detail["status"] == "granted" and detail["grantedAmount"] == f"{eligible_a:.2f}"
    assert detail["heldAmount"] == f"{held_a:.2f}"
    assert [(t["from"], t["to"]) for t in detail["timeline"]][-2:] == [("submitted", "assessed"),
                                                                       ("assessed", "granted")]

    # --- letters ---
    letter_id = grant["letter"]["id"]
    assert_error(contact_a.get(f"/api/v2/letters/{letter_id}/pdf"), 409)
    generate_letter.run(letter_id)
    letter = contact_a.get(f"{a}/decisions").json()[0]["letter"]
    assert letter["status"] == "done" and re.fullmatch(r"[0-9a-f]{64}", letter["sha256"])
    response = officer_a.get(f"/api/v2/letters/{letter_id}/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert reviewer.get(f"/api/v2/letters/{letter_id}/pdf").status_code == 200
    assert_error(contact_b.get(f"/api/v2/letters/{letter_id}/pdf"), 404)
    assert_error(commission.get(f"/api/v2/letters/{letter_id}/pdf"), 404)

    # --- holdback: region B negative then forfeit; region A positive releases ---
    forfeit_b = f"/api/v2/periods/{PERIOD}/holdbacks/{region_b}/forfeit"
    assert_error(decider.post(forfeit_b, format="json"), 409)  # no advice yet
    # an advice is not dated in the future (issue 16, item 5): yesterday, and a later one today
    yesterday, today = timezone.localdate() - timedelta(days=1), timezone.localdate()
    advice = {"period": PERIOD, "outcome": "negative", "date": yesterday.isoformat(), "reference": "CIE-2030-17"}
    assert decider.post(f"/api/v2/regions/{region_b}/advices", advice, format="json").status_code == 403
    response = commission.post(f"/api/v2/regions/{region_b}/advices", advice, format="json")
    assert response.status_code == 201, response.content
    assert commission.post(forfeit_b, format="json").status_code == 403
    response = decider.post(forfeit_b, format="json")
    assert response.status_code == 200, response.content
    kinds_b = [d["kind"] for d in contact_b.get(f"{b}/decisions").json()]
    assert kinds_b == ["grant", "holdback_forfeit"]
    response = commission.post(f"/api/v2/regions/{region_b}/advices", {**advice, "outcome": "positive",
                                                                      "date": today.isoformat()}, format="json")
    assert response.status_code == 201
    assert_error(decider.post(forfeit_b, format="json"), 409)

    response = commission.post(f"/api/v2/regions/{region_a}/advices", {**advice, "outcome": "positive"},
                               format="json")
    assert response.status_code == 201, response.content
    assert_error(decider.post(f"/api/v2/periods/{PERIOD}/holdbacks/{region_a}/forfeit", format="json"), 409)
    decisions_a = contact_a.get(f"{a}/decisions").json()
    assert [d["kind"] for d in decisions_a] == ["grant", "holdback_release"]
    release = decisions_a[1]
    assert release["letter"]["status"] == "pending"
    generate_letter.run(release["letter"]["id"])
    assert officer_a.get(f"/api/v2/letters/{release['letter']['id']}/pdf").status_code == 200
    assert contact_a.get(f"{a}").json()["heldAmount"] == "0.00"

    # --- registrations (proto-registrations) of the granted application ---
    response = contact_a.post(f"{a}/registrations", one, format="json")
    assert response.status_code == 201, response.content
    (p1,) = response.json()
    assert p1["id"] and p1["ageBand"] == "25-45" and p1["amount"] == "5000.00"
    several = [
        registration("B.", "Bakker", "1970-01-02", "redundancy_risk", "C", "2030-04-01", "2030-10-01", "24.5",
                    "2010-01-01", "1500.50"),
        registration("C.", "de Vries", "2008-07-07", "new_intake", "E", "2030-05-01", "2030-05-02", "36.0",
                    "2029-09-01", "400.00"),
    ]
    response = contact_a.post(f"{a}/registrations", several, format="json")
    assert response.status_code == 201, response.content
    p2, p3 = response.json()
    assert (p2["ageBand"], p2["amount"]) == ("55+", "1500.50")
    assert (p3["ageBand"], p3["amount"]) == ("<25", "400.00")
    assert p2["id"] != p3["id"]
    assert_error(contact_a.post(f"{a}/registrations", {**one, "focus": "nonsense"}, format="json"), 400,
                 field="focus")
    assert officer_a.post(f"{a}/registrations", one, format="json").status_code == 403

    # import: good file, then a bad file (nothing saved, every bad row listed with its line)
    imported = [
        registration("D.", "de Jong", "1980-02-02", "practice_supervisor", "A", "2030-02-01", "2030-11-30", "32",
                    "2012-01-01"),
        registration("E.", "Smit", "1985-03-03", "upskilling", "B", "2030-02-01", "2030-11-30", "36", "2011-01-01"),
    ]
    response = contact_a.post(f"{a}/registrations/import", {"file": csv_upload(imported)}, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json() == {"created": 2}
    bad = [
        registration("F.", "Mulder", "1988-01-01", "nonsense", "A", "2030-02-01", "2030-11-30", "32", "2012-01-01"),
        registration("G.", "Bos", "1987-01-01", "upskilling", "A", "not-a-date", "2030-11-30", "32", "2012-01-01"),
    ]
    response = contact_a.post(f"{a}/registrations/import", {"file": csv_upload(bad)}, format="multipart")
    errors = assert_error(response, 400)
    assert {(e["line"], e["field"]) for e in errors} >= {(2, "focus"), (3, "startDate")}, errors
    listing = contact_a.get(f"{a}/registrations?pageSize=500").json()
    assert set(listing) == PAGE_KEYS and listing["count"] == 5
    assert sum(Decimal(p["amount"]) for p in listing["results"]) == eligible_a  # realises what was eligible
    assert {p["surname"]: p for p in listing["results"]}["de Jong"]["ageBand"] == "45-55"
    assert all(p["status"] == "draft" for p in listing["results"])
    assert contact_b.post(f"{b}/registrations", {**one, "surname": "Dekker"}, format="json").status_code == 201

    # --- accountability and settlement ---
    rows = []
    for p in listing["results"]:
        actual = p["cost"] if p["activityType"] in ("C", "D", "E") else None
        rows.append({"id": p["id"], "started": True, "outcome": "completed", "actualCost": actual})
    assert_error(decider.post(f"{a}/settle", format="json"), 409)  # not reported yet
    response = officer_a.post(f"{a}/accountability", {"registrations": rows}, format="json")
    assert response.status_code == 200, response.content
    assert contact_a.post(f"{a}/settle", format="json").status_code == 403
    response = decider.post(f"{a}/settle", format="json")
    assert response.status_code == 200, response.content
    settlement = response.json()
    assert {"settledAmount", "advancesPaid", "paymentAmount"} <= set(settlement)
    assert_money(settlement["settledAmount"], settlement["advancesPaid"], settlement["paymentAmount"])
    assert Decimal(settlement["settledAmount"]) == eligible_a
    assert Decimal(settlement["advancesPaid"]) == 0  # no advance run yet (R48)
    assert Decimal(settlement["paymentAmount"]) == eligible_a
    assert_error(decider.post(f"{a}/settle", format="json"), 409)
    assert contact_a.get(f"{a}").json()["status"] == "settled"
    assert [d["kind"] for d in contact_a.get(f"{a}/decisions").json()] == ["grant", "holdback_release",
                                                                             "settlement"]
    assert_foreign_404()

    # --- the ministry's tables ---
    response = ministry.get(f"/api/v2/statistics/trajectories?period={PERIOD}")
    assert response.status_code == 200, response.content
    table = response.json()
    assert set(table) == {"periods", "status", "ageBands", "rows", "totals"}
    assert table["periods"] == [PERIOD] and table["status"] == "registered" and table["ageBands"] == AGE_BANDS
    for row in table["rows"]:
        assert set(row) == {"focus", "counts", "percentages", "total"}, row
        assert len(row["counts"]) == len(row["percentages"]) == 4 and sum(row["counts"]) == row["total"]
    assert [r["focus"] for r in table["rows"]] == [f for f in FOCUS_ORDER if f in {r["focus"] for r in table["rows"]}]
    assert {"counts", "total"} <= set(table["totals"])
    assert table["totals"]["total"] == 6 and sum(table["totals"]["counts"]) == 6
    upskilling = next(r for r in table["rows"] if r["focus"] == "upskilling")
    assert upskilling["counts"] == [0, 3, 0, 0] and upskilling["percentages"] == [0, 100, 0, 0]

    response = ministry.get(f"/api/v2/statistics/trajectories?period={PERIOD}&groupBy=region")
    assert response.status_code == 200, response.content
    grouped = response.json()
    assert {"periods", "status", "ageBands", "regions"} <= set(grouped)
    assert {r["code"] for r in grouped["regions"]} == {region_a, region_b}
    for region in grouped["regions"]:
        assert {"code", "name", "rows", "totals"} <= set(region)
        for row in region["rows"]:
            assert row["suppressed"] is True  # every cell counts 1-4 people here
            assert {"focus", "counts", "percentages", "total"} <= set(row)
            assert None in row["counts"]

    response = ministry.get(f"/api/v2/statistics/trajectories?period={PERIOD}&format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert len(list(csv.reader(io.StringIO(response.content.decode("utf-8"))))) >= 2
    for table_name in ("budgets", "holdbacks"):
        response = ministry.get(f"/api/v2/statistics/{table_name}?period={PERIOD}")
        assert response.status_code == 200, response.content
        assert ministry.get(f"/api/v2/statistics/{table_name}?period={PERIOD}&format=csv")[
            "Content-Type"].startswith("text/csv")
    assert_error(ministry.get("/api/v2/statistics/trajectories?period=999"), 400, field="period")
    completed = ministry.get(f"/api/v2/statistics/trajectories?period={PERIOD}&status=completed").json()
    assert completed["status"] == "completed" and completed["totals"]["total"] >= 4

    held_b = pct(eligible_b, 25)
    holdbacks = {r["region"]: r for r in ministry.get(f"/api/v2/statistics/holdbacks?period={PERIOD}").json()["rows"]}
    assert (holdbacks[region_a]["advice"], holdbacks[region_a]["held"], holdbacks[region_a]["released"]) == (
        "positive", "0.00", f"{held_a:.2f}")
    assert (holdbacks[region_b]["advice"], holdbacks[region_b]["forfeited"]) == ("positive", f"{held_b:.2f}")
    (budget,) = ministry.get(f"/api/v2/statistics/budgets?period={PERIOD}").json()["rows"]
    assert budget["earmark"] == "pooled" and budget["ceiling"] == "1000000.00"
    assert Decimal(budget["forfeited"]) == held_b and Decimal(budget["released"]) == held_a
    assert_money(*(budget[k] for k in ("ceiling", "requested", "eligible", "granted", "held", "available")))

    # the ministry is refused everywhere else; employers cannot read the tables
    assert ministry.get("/api/v2/regions").status_code == 200
    for path in ("/api/v2/applications", f"{a}", f"{a}/decisions", "/api/v2/employers",
                 f"/api/v2/letters/{letter_id}/pdf"):
        assert ministry.get(path).status_code in (403, 404), path
        assert_error(ministry.get(path), ministry.get(path).status_code)
    assert ministry.get(f"/api/v2/letters/{letter_id}/pdf").status_code == 404
    assert ministry.get("/api/v2/applications").status_code == 403
    assert ministry.post(f"/api/v2/regions/{region_a}/advices", advice, format="json").status_code == 403
    assert ministry.post(f"/api/v2/periods/{PERIOD}/allocations", format="json").status_code == 403
    assert ministry.patch(f"/api/v2/periods/{PERIOD}", {"advancePercent": "50.00"}, format="json"
                          ).status_code == 403
    assert contact_a.get(f"/api/v2/statistics/trajectories?period={PERIOD}").status_code == 403

    # pagination on the office's list
    page = reviewer.get("/api/v2/applications?pageSize=1").json()
    assert set(page) == PAGE_KEYS and page["count"] == 3 and len(page["results"]) == 1 and page["next"]
    assert len(reviewer.get("/api/v2/applications?pageSize=500").json()["results"]) == 3
