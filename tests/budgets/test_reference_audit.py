"""Every edit of reference data writes an audit row with the actor, the object and each field old -> new."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from budgets import reference_services
from budgets.models import ReferenceDataChange, Region
from sectorplan.records import PermanentRecordError
from tests.applications.factories import UserFactory
from tests.budgets.factories import EmployerOrganisationFactory, PeriodFactory, RegionFactory
from tests.problems import problems

from .test_periods_api import period_payload

pytestmark = pytest.mark.django_db


def rows(model):
    return ReferenceDataChange.objects.filter(model=model).order_by("id")


def test_period_edit_through_the_api_is_audited_with_actor_and_old_new(client_for, staff_user):
    period = PeriodFactory(number=1, pooled=True)
    response = client_for(staff_user).patch(
        "/api/v2/periods/1",
        {"advancePercent": "80.00", "budgetLines": [{"earmark": "pooled", "ceiling": "1500000.00"}]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    (change,) = rows("budgets.period")
    assert (change.actor, change.action, change.object_id) == (staff_user, "update", period.pk)
    assert change.changes == {"advance_percent": {"old": "75.00", "new": "80.00"}}
    (line,) = rows("budgets.budgetline")
    assert line.actor == staff_user and line.action == "update"
    assert line.changes == {"ceiling": {"old": "1000000.00", "new": "1500000.00"}}
    assert "Period 1" in line.object_repr or "Tijdvak 1" in line.object_repr


def test_an_edit_that_changes_nothing_writes_no_audit_row(client_for, staff_user):
    PeriodFactory(number=1)
    response = client_for(staff_user).patch("/api/v2/periods/1", {"advancePercent": "75.00"}, format="json")
    assert response.status_code == 200
    assert not ReferenceDataChange.objects.exists()


def test_period_creation_is_audited_with_its_lines_and_rates(client_for, staff_user):
    response = client_for(staff_user).post("/api/v2/periods", period_payload(), format="json")
    assert response.status_code == 201, response.json()
    assert set(ReferenceDataChange.objects.values_list("action", flat=True)) == {"create"}
    assert set(ReferenceDataChange.objects.values_list("actor", flat=True)) == {staff_user.pk}
    assert rows("budgets.period").count() == 1
    assert rows("budgets.budgetline").count() == 1
    assert rows("budgets.activityrate").count() == 5
    assert rows("budgets.period").get().changes["advance_percent"] == {"old": None, "new": "75.00"}


def test_replaced_budget_lines_are_audited_as_deleted_and_created(client_for, staff_user):
    PeriodFactory(number=1)  # split: nursing_home and other
    response = client_for(staff_user).patch(
        "/api/v2/periods/1", {"budgetLines": [{"earmark": "pooled", "ceiling": "900.00"}]}, format="json"
    )
    assert response.status_code == 200, response.json()
    actions = sorted(rows("budgets.budgetline").values_list("action", flat=True))
    assert actions == ["create", "delete", "delete"]
    assert rows("budgets.period").get().changes == {"pooled": {"old": False, "new": True}}


def test_region_edit_through_the_service_is_audited():
    user = UserFactory(is_staff=True)
    region = RegionFactory(name="Rijnmond")
    other_org = EmployerOrganisationFactory()
    region = Region.objects.get(pk=region.pk)
    region.name = "Rijnmond-Zuid"
    region.employer_organisation = other_org
    reference_services.reference_save(obj=region, by=user)
    (change,) = rows("budgets.region")
    assert change.actor == user
    assert change.changes["name"] == {"old": "Rijnmond", "new": "Rijnmond-Zuid"}
    assert change.changes["employer_organisation"]["new"] == other_org.pk


def test_audit_rows_cannot_be_changed_or_deleted_R39(client_for, staff_user):
    PeriodFactory(number=1)
    client_for(staff_user).patch("/api/v2/periods/1", {"advancePercent": "70.00"}, format="json")
    change = ReferenceDataChange.objects.get()
    with pytest.raises(PermanentRecordError):
        change.delete()
    with pytest.raises(PermanentRecordError):
        ReferenceDataChange.objects.all().delete()
    with pytest.raises(PermanentRecordError):
        ReferenceDataChange.objects.update(object_repr="x")
    change.object_repr = "x"
    with pytest.raises(PermanentRecordError):
        change.save()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM budgets_referencedatachange")
    assert ReferenceDataChange.objects.get().changes["advance_percent"]["new"] == "70.00"


def test_period_budget_lines_validation_is_one_rule_for_api_and_service(client_for, staff_user):
    """The API's message is the service's: both come from reference_services.budget_lines_check."""
    lines = [{"earmark": "pooled", "ceiling": "1.00"}, {"earmark": "other", "ceiling": "1.00"}]
    response = client_for(staff_user).post("/api/v2/periods", period_payload(budgetLines=lines), format="json")
    assert response.status_code == 400
    with pytest.raises(ValidationError) as raised:
        reference_services.budget_lines_check([{"earmark": "pooled", "ceiling": Decimal(1)}, {"earmark": "other", "ceiling": Decimal(1)}])
    api_messages = {e["message"] for e in problems(response) if e["field"] == "budgetLines"}
    assert api_messages == set(raised.value.message_dict["budget_lines"])
