"""Bounded, asynchronous imports (api.md "Uploads", issue 16 item 1): 413 over a limit through the API and the
portal, the accountability upload capped too, and a background import of more than 1,000 rows that the API and
the portal page poll; all or nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications import importing
from applications.models import ImportJob, ImportStatus
from applications.tasks import run_import
from sectorplan import tabular
from tests.applications.factories import MembershipFactory, UserFactory
from tests.problems import problem, problems
from tests.support.otp import login_verified

pytestmark = pytest.mark.django_db

HEADER = ",".join(importing.COLUMNS)
ROW = "A.,Naam{i},1980-01-01,upskilling,A,2026-03-01,2026-12-31,32,2015-01-01,"


def csv_upload(n: int, bad_line: int | None = None) -> SimpleUploadedFile:
    rows = [ROW.format(i=i) for i in range(n)]
    if bad_line is not None:
        rows[bad_line - 2] = rows[bad_line - 2].replace(",A,", ",Z,")
    return SimpleUploadedFile("p.csv", ("\n".join([HEADER, *rows]) + "\n").encode(), content_type="text/csv")


def url(app):
    return f"/api/v2/applications/{app.pk}/registrations/import"


def test_r13_api_file_over_10_mb_is_a_413_problem(client_for, contact, granted, monkeypatch):
    monkeypatch.setattr(tabular, "MAX_FILE_BYTES", 200)
    response = client_for(contact).post(url(granted), {"file": csv_upload(10)}, format="multipart")
    assert response.status_code == 413
    assert problem(response)["code"] == "file_too_large"
    assert granted.registrations.count() == 0


def test_r13_api_plan_line_import_refuses_an_unquoted_decimal_comma_with_line_and_field(client_for, contact, application):
    content = b"activity_type,focus,count,planned_cost\nC,upskilling,3,1500,75\n"
    response = client_for(contact).post(
        f"/api/v2/applications/{application.pk}/plan-lines/import", {"file": SimpleUploadedFile("p.csv", content)},
        format="multipart",
    )
    assert response.status_code == 400
    assert [(p["line"], p["field"], p["code"]) for p in problems(response)] == [(2, "plannedCost", "ambiguous_separator")]
    assert application.plan_lines.count() == 0


def test_r13_small_import_answers_201_at_once(client_for, contact, granted):
    response = client_for(contact).post(url(granted), {"file": csv_upload(3)}, format="multipart")
    assert response.status_code == 201 and response.json() == {"created": 3}


def test_r13_large_import_answers_202_and_runs_in_the_background(client_for, contact, granted, django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr(importing.current_app, "send_task", lambda name, args: sent.append((name, args)))
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(contact).post(url(granted), {"file": csv_upload(importing.ASYNC_ROWS + 1)}, format="multipart")
    assert response.status_code == 202
    job_id = response.json()["import"]["id"]
    assert response.json()["import"]["status"] == "pending"
    assert sent == [("applications.tasks.run_import", [job_id])]
    assert granted.registrations.count() == 0  # nothing in the request

    status = client_for(contact).get(f"/api/v2/imports/{job_id}").json()
    assert status["status"] == "pending" and status["progress"] == 0 and status["created"] is None

    run_import.run(job_id)
    status = client_for(contact).get(f"/api/v2/imports/{job_id}").json()
    assert (status["status"], status["progress"], status["created"], status["invalidParams"]) == (
        "done", 100, importing.ASYNC_ROWS + 1, [])
    assert granted.registrations.count() == importing.ASYNC_ROWS + 1
    assert ImportJob.objects.get(pk=job_id).content in (b"", memoryview(b""))  # the file is not kept
    run_import.run(job_id)  # a redelivered task does nothing
    assert granted.registrations.count() == importing.ASYNC_ROWS + 1


def test_r13_background_import_is_all_or_nothing_and_lists_the_bad_row(client_for, contact, granted, monkeypatch):
    monkeypatch.setattr(importing.current_app, "send_task", lambda name, args: None)
    response = client_for(contact).post(url(granted), {"file": csv_upload(1500, bad_line=1200)}, format="multipart")
    job_id = response.json()["import"]["id"]
    run_import.run(job_id)
    status = client_for(contact).get(f"/api/v2/imports/{job_id}").json()
    assert status["status"] == "failed"
    assert [(p["line"], p["name"], p["code"]) for p in status["invalidParams"]] == [(1200, "activityType", "invalid_choice")]
    assert granted.registrations.count() == 0


def test_r2_another_employers_import_is_a_404(client_for, contact, granted, outsider, monkeypatch):
    monkeypatch.setattr(importing.current_app, "send_task", lambda name, args: None)
    job_id = client_for(contact).post(url(granted), {"file": csv_upload(1001)}, format="multipart").json()["import"]["id"]
    assert client_for(outsider).get(f"/api/v2/imports/{job_id}").status_code == 404


def test_r13_portal_large_import_goes_to_a_self_refreshing_status_page(client, contact, granted, monkeypatch):
    monkeypatch.setattr(importing.current_app, "send_task", lambda name, args: None)
    login_verified(client, contact)
    response = client.post(reverse("portal:registration_import", args=[granted.pk]), {"file": csv_upload(1001)})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("portal:import_status", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'data-refresh-seconds="3"' in page and "http-equiv" not in page  # WCAG 2.2.1
    run_import.run(job.pk)
    page = client.get(response["Location"]).content.decode()
    assert "data-refresh-seconds" not in page and "1001" in page


def test_r13_portal_over_the_limit_is_a_413_page(client, contact, granted, monkeypatch):
    monkeypatch.setattr(tabular, "MAX_ROWS", 5)
    login_verified(client, contact)
    response = client.post(reverse("portal:registration_import", args=[granted.pk]), {"file": csv_upload(6)})
    assert response.status_code == 413
    assert granted.registrations.count() == 0


def test_r13_stuck_background_import_is_started_again(contact, granted, monkeypatch):
    sent = []
    monkeypatch.setattr(importing.current_app, "send_task", lambda name, args: sent.append(args[0]))
    job = ImportJob.objects.create(application=granted, kind="registrations", content=b"x", created_by=contact)
    ImportJob.objects.filter(pk=job.pk).update(created_at=job.created_at - importing.timedelta(minutes=10))
    assert importing.imports_requeue_stuck() == [job.pk] and sent == [job.pk]
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.DONE)
    assert importing.imports_requeue_stuck() == []


def test_r29_accountability_upload_is_capped_and_strict(client, granted, monkeypatch):
    member = MembershipFactory(employer=granted.employer, user=UserFactory(username="acc")).user
    login_verified(client, member)
    upload_url = reverse("accounting:report-upload", args=[granted.pk])
    monkeypatch.setattr(tabular, "MAX_FILE_BYTES", 50)
    big = SimpleUploadedFile("r.csv", b"id,started,outcome,actual_cost\n" + b"1,yes,completed,10\n" * 10)
    assert client.post(upload_url, {"file": big}).status_code == 413
    monkeypatch.setattr(tabular, "MAX_FILE_BYTES", 10 * 1024 * 1024)
    dup = SimpleUploadedFile("r.csv", b"id,started,started\n1,yes,no\n")
    response = client.post(upload_url, {"file": dup})
    assert response.status_code == 400 and "more than once" in response.content.decode().replace("meer dan eens", "more than once")
