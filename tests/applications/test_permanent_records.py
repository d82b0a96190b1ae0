"""R39: decisions, letters, timelines, submitted applications and their registrations are never deleted
(nor, where nothing legitimately changes them, edited) through the admin, the ORM or a bulk call."""

import pytest
from django.db import DatabaseError, connection, transaction

from applications import services
from applications.models import Application, ApplicationTransition, Letter, Registration
from budgets.models import Allocation, AllocationLine, CommissionAdvice
from sectorplan.api.errors import StateConflict
from sectorplan.records import PermanentRecordError
from tests.applications.factories import ApplicationFactory, DecisionFactory, LetterFactory, RegistrationFactory
from tests.budgets.factories import RegionFactory
from tests.budgets.helpers import closed_period
from tests.support.otp import login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff_user):
    login_verified(client, staff_user)
    return client


def submitted_application():
    return ApplicationFactory(submitted=True)


def transition():
    return ApplicationTransition.objects.create(application=ApplicationFactory(), to_status="draft", reason="created")


def allocation(user):
    """A proposal with one line, as ``allocation_propose`` writes it."""
    proposal = Allocation.objects.create(period=closed_period(), created_by=user)
    AllocationLine.objects.create(
        allocation=proposal, earmark="other", ceiling=1000, requested=100, factor=1, granted=100
    )
    return proposal


def advice(user):
    return CommissionAdvice.objects.create(
        region=RegionFactory(), period=closed_period(with_holdback=True), outcome="negative", date="2021-01-01",
        reference="CWZ", recorded_by=user,
    )


#: Records that are never deleted; ``append_only`` ones are never changed either.
RECORDS = {
    "decision": (lambda user: DecisionFactory(), True),
    "letter": (lambda user: LetterFactory(), False),
    "transition": (lambda user: transition(), True),
    "submitted application": (lambda user: submitted_application(), False),
    "submitted registration": (
        lambda user: RegistrationFactory(application=submitted_application(), status="submitted"), False),
    "allocation": (allocation, False),
    "allocation line": (lambda user: allocation(user).lines.first(), True),
    "commission advice": (advice, True),
}


@pytest.mark.parametrize("name", list(RECORDS))
def test_permanent_record_cannot_be_deleted_R39(name, staff_user):
    make, append_only = RECORDS[name]
    record = make(staff_user)
    model = type(record)
    with pytest.raises(PermanentRecordError):
        record.delete()
    with pytest.raises(PermanentRecordError):
        model.objects.filter(pk=record.pk).delete()
    if append_only:
        with pytest.raises(PermanentRecordError):
            model.objects.filter(pk=record.pk).update(pk=record.pk)
        with pytest.raises(PermanentRecordError):
            record.save()
    assert model.objects.filter(pk=record.pk).exists()


def test_services_still_update_letters_applications_and_allocations(staff_user):
    letter = LetterFactory()
    Letter.objects.filter(pk=letter.pk).update(status="failed")
    application = submitted_application()
    Application.objects.filter(pk=application.pk).update(status="assessed", eligible_amount=0)
    proposal = allocation(staff_user)
    Allocation.objects.filter(pk=proposal.pk).update(status="discarded")
    assert Letter.objects.get(pk=letter.pk).status == "failed"
    assert Application.objects.get(pk=application.pk).status == "assessed"
    assert Allocation.objects.get(pk=proposal.pk).status == "discarded"


def test_a_draft_and_its_registrations_can_still_be_deleted():
    draft = ApplicationFactory()
    registration = RegistrationFactory(application=draft)
    Registration.objects.filter(pk=registration.pk).delete()
    draft.delete()
    assert not Application.objects.filter(pk=draft.pk).exists()


def test_registration_delete_service_refuses_once_submitted_R39(staff_user):
    registration = RegistrationFactory(application=submitted_application())
    with pytest.raises(StateConflict):
        services.registration_delete(registration=registration, by=staff_user)
    assert Registration.objects.filter(pk=registration.pk).exists()


@pytest.mark.parametrize("table", ["budgets_commissionadvice", "budgets_allocationline", "budgets_allocation"])
def test_database_refuses_deleting_budget_records_R39(table, staff_user):
    advice(staff_user)
    allocation(staff_user)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - a fixed table name
    assert CommissionAdvice.objects.exists() and AllocationLine.objects.exists()


ADMIN_RECORDS = {
    "decision": lambda: DecisionFactory(),
    "letter": lambda: LetterFactory(),
    "application": submitted_application,
    "registration": lambda: RegistrationFactory(application=submitted_application()),
}


@pytest.mark.parametrize("model", list(ADMIN_RECORDS))
def test_admin_shows_permanent_records_read_only_and_offers_no_delete_R39(model, admin_client):
    record = ADMIN_RECORDS[model]()
    base = f"/admin/applications/{model}/"
    assert admin_client.get(f"{base}{record.pk}/change/").status_code == 200
    assert admin_client.post(f"{base}{record.pk}/change/", {}).status_code == 403
    assert admin_client.post(f"{base}{record.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.get(f"{base}add/").status_code == 403
    changelist = admin_client.get(base)
    assert changelist.status_code == 200 and b"delete_selected" not in changelist.content
    response = admin_client.post(base, {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"})
    assert response.status_code in (200, 302)
    assert type(record).objects.filter(pk=record.pk).exists()


def test_admin_shows_the_timeline_without_delete_boxes_R39(admin_client):
    application = submitted_application()
    ApplicationTransition.objects.create(application=application, from_status="draft", to_status="submitted")
    page = admin_client.get(f"/admin/applications/application/{application.pk}/change/")
    assert page.status_code == 200
    assert b'id="transitions-group"' in page.content
    assert b"transitions-0-DELETE" not in page.content


def test_admin_lets_no_one_delete_even_a_draft_application(admin_client):
    draft = ApplicationFactory()
    assert admin_client.post(f"/admin/applications/application/{draft.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Application.objects.filter(pk=draft.pk).exists()

