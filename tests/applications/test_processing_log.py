"""R54: the processing log (Logboek dataverwerkingen): every read of personal data by an office user."""

import csv
import io

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from applications.models import ProcessingLogEntry
from applications.processing import log_processing
from sectorplan.records import PermanentRecordError
from tests.accounting.factories import granted_application
from tests.applications.factories import ApplicationFactory, RegistrationFactory
from tests.support.otp import login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def granted(employer, period):
    return granted_application(employer=employer, period=period, registrations=[("A", None)] * 3)


def test_an_office_read_of_the_registrations_list_writes_one_row_with_every_id_R54(client_for, granted, reviewer):
    ids = sorted(granted.registrations.values_list("pk", flat=True))
    response = client_for(reviewer).get(f"/api/v2/applications/{granted.pk}/registrations?pageSize=2")
    assert response.status_code == 200
    entry = ProcessingLogEntry.objects.get()
    assert entry.user == reviewer and entry.action == "read" and entry.purpose == "review"
    assert entry.object_type == "applications.registration" and entry.object_ids == ids[:2]  # what was on the page
    assert entry.employer_id == granted.employer_id and entry.application_id == granted.pk and entry.at is not None
    client_for(reviewer).get(f"/api/v2/applications/{granted.pk}/registrations?pageSize=2&page=2")
    assert ProcessingLogEntry.objects.order_by("id").last().object_ids == ids[2:]


def test_members_reading_their_own_employers_registrations_are_not_logged_R54(client_for, granted, contact, officer):
    for user in (contact, officer):
        assert client_for(user).get(f"/api/v2/applications/{granted.pk}/registrations").status_code == 200
    assert not ProcessingLogEntry.objects.exists()


def test_the_purpose_follows_the_task_the_application_is_in_R54(client_for, employer, period, decider):
    submitted = ApplicationFactory(employer=employer, period=period, submitted=True)
    RegistrationFactory(application=submitted)
    client_for(decider).get(f"/api/v2/applications/{submitted.pk}/registrations")
    assert ProcessingLogEntry.objects.get().purpose == "assessment"


def test_the_log_is_append_only_also_in_sql_R54(granted, reviewer):
    entry = log_processing(user=reviewer, action="read", objects=granted.registrations.all(), purpose="review",
                           application=granted)
    entry.purpose = "objection"
    with pytest.raises(PermanentRecordError):
        entry.save()
    with pytest.raises(PermanentRecordError):
        entry.delete()
    with pytest.raises(PermanentRecordError):
        ProcessingLogEntry.objects.update(purpose="objection")
    with pytest.raises(PermanentRecordError):
        ProcessingLogEntry.objects.all().delete()
    for statement in ("UPDATE applications_processinglogentry SET purpose = 'objection'",
                      "DELETE FROM applications_processinglogentry"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert ProcessingLogEntry.objects.get().purpose == "review"


def test_the_helper_refuses_an_unknown_purpose_and_logs_nothing_for_members_R54(granted, reviewer, contact):
    assert log_processing(user=contact, action="read", objects=granted.registrations.all(), purpose="review",
                          application=granted) is None
    with pytest.raises(ValueError):
        log_processing(user=reviewer, action="read", objects=granted.registrations.all(), purpose="curiosity",
                       application=granted)
    assert not ProcessingLogEntry.objects.exists()


def test_staff_export_the_log_per_employer_as_csv_from_the_admin_R54(client, granted, reviewer, staff_user):
    other = granted_application()
    log_processing(user=reviewer, action="read", objects=granted.registrations.all(), purpose="review", application=granted)
    log_processing(user=reviewer, action="read", objects=other.registrations.all(), purpose="review", application=other)
    login_verified(client, staff_user)
    response = client.post(
        reverse("admin:applications_employer_changelist"),
        {"action": "export_processing_log", "_selected_action": [granted.employer_id]},
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["at", "user", "action", "purpose"]
    assert len(rows) == 2
    ids = " ".join(str(pk) for pk in granted.registrations.order_by("pk").values_list("pk", flat=True))
    assert rows[1][1] == "reviewer" and rows[1][2] == "read" and ids in rows[1] and granted.reference in rows[1]
    assert other.reference not in response.content.decode("utf-8-sig")


def test_the_admin_shows_the_log_read_only_R54(client, granted, reviewer, staff_user):
    entry = log_processing(user=reviewer, action="read", objects=granted.registrations.all(), purpose="review",
                           application=granted)
    login_verified(client, staff_user)
    assert client.get(reverse("admin:applications_processinglogentry_changelist")).status_code == 200
    assert client.get(reverse("admin:applications_processinglogentry_add")).status_code == 403
    assert client.post(reverse("admin:applications_processinglogentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert ProcessingLogEntry.objects.count() == 1
