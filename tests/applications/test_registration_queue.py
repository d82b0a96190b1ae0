"""R49: the office's review queue of registrations (filters, paging, scoping R4, processing log R54)."""

import pytest
from django.urls import reverse

from applications.models import ProcessingLogEntry
from applications.registration_queue import PAGE_SIZE
from tests.accounting.factories import granted_application
from tests.applications.factories import RegistrationFactory, UserFactory
from tests.support.otp import login_verified

pytestmark = pytest.mark.django_db

URL = reverse("portal:registration_queue")


@pytest.fixture
def apps(db):
    first, second = granted_application(), granted_application()
    return first, second


def rows(response):
    return list(response.context["page"].object_list)


def test_queue_lists_submitted_registrations_only_by_default_R49(client, reviewer, apps):
    first, second = apps
    waiting = RegistrationFactory(application=first, status="submitted")
    RegistrationFactory(application=first, status="draft")  # the employer's own: never in the queue
    RegistrationFactory(application=second, status="repair_requested")
    login_verified(client, reviewer)
    response = client.get(URL)
    assert response.status_code == 200
    assert rows(response) == [waiting]
    assert [r.status for r in rows(client.get(URL, {"status": "repair_requested"}))] == ["repair_requested"]


def test_queue_filters_by_activity_type_region_period_and_duplicate_flag_R47_R49(client, reviewer, apps):
    first, second = apps
    a = RegistrationFactory(application=first, status="submitted", activity_type="A")
    c = RegistrationFactory(application=second, status="submitted", activity_type="C", cost="900.00", amount="900.00")
    flagged = RegistrationFactory(application=second, status="submitted", activity_type="A", duplicate_of=a)
    login_verified(client, reviewer)
    assert set(rows(client.get(URL, {"activity_type": "C"}))) == {c}
    assert set(rows(client.get(URL, {"duplicate": "yes"}))) == {flagged}
    assert set(rows(client.get(URL, {"duplicate": "no"}))) == {a, c}
    assert set(rows(client.get(URL, {"region": second.region.code}))) == {c, flagged}
    assert set(rows(client.get(URL, {"period": first.period.number}))) == {a}
    assert client.get(URL, {"period": "999"}).status_code == 400  # an unknown period is an error, not everything


def test_queue_pages_and_logs_every_read_per_application_R49_R54(client, reviewer, apps):
    first, _ = apps
    RegistrationFactory.create_batch(PAGE_SIZE + 3, application=first, status="submitted")
    login_verified(client, reviewer)
    assert len(rows(client.get(URL))) == PAGE_SIZE
    assert len(rows(client.get(URL, {"page": 2}))) == 3
    entries = ProcessingLogEntry.objects.filter(user=reviewer, application=first)
    assert entries.count() == 2 and sum(len(e.object_ids) for e in entries) == PAGE_SIZE + 3
    assert {e.purpose for e in entries} == {"review"}


def test_queue_is_office_only_R4(client, apps):
    first, _ = apps
    member = UserFactory(username="member")
    login_verified(client, member)
    assert client.get(URL).status_code == 403
