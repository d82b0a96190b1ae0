"""R4: office users scoped to regional employer organisations see and act only on those regions' employers."""

import pytest
from django.urls import reverse

from applications import services
from applications.decisions.letters import letters_visible_to
from applications.models import OfficeScope, OfficeScopeChange
from applications.selectors import applications_visible_to, employers_visible_to, visible_allocation_summary
from tests.applications.factories import (
    ApplicationFactory,
    DecisionFactory,
    EmployerFactory,
    LetterFactory,
    UserFactory,
)
from tests.budgets.factories import EmployerOrganisationFactory, PeriodFactory, RegionFactory
from tests.problems import problems
from tests.support.otp import login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def regions(db):
    north = EmployerOrganisationFactory(code="noord", name="Noord")
    south = EmployerOrganisationFactory(code="zuid", name="Zuid")
    return {
        "north": RegionFactory(code="groningen", employer_organisation=north),
        "south": RegionFactory(code="zuid-limburg", employer_organisation=south),
    }


@pytest.fixture
def apps(regions):
    period = PeriodFactory(number=4)
    return {
        name: ApplicationFactory(employer=EmployerFactory(region=region), period=period, submitted=True)
        for name, region in regions.items()
    }


@pytest.fixture
def scoped_reviewer(regions, staff_user):
    user = UserFactory(username="noord-reviewer", roles=["office_reviewer"])
    services.office_scope_set(user=user, codes=["noord"], by=staff_user)
    return user


def test_scoped_reviewer_gets_404_on_another_regions_application_in_the_api_R4(client_for, scoped_reviewer, apps):
    client = client_for(scoped_reviewer)
    assert client.get(f"/api/v2/applications/{apps['north'].pk}").status_code == 200
    assert client.get(f"/api/v2/applications/{apps['south'].pk}").status_code == 404
    assessment = client.post(
        f"/api/v2/applications/{apps['south'].pk}/assessment", {"registrations": [{"id": 1, "eligible": True}]},
        format="json",
    )
    assert assessment.status_code == 404
    assert client.get(f"/api/v2/employers/{apps['south'].employer_id}").status_code == 404


def test_scoped_reviewer_lists_only_its_regions_R4(client_for, scoped_reviewer, apps):
    client = client_for(scoped_reviewer)
    assert [a["id"] for a in client.get("/api/v2/applications").json()["results"]] == [apps["north"].pk]
    assert [e["id"] for e in client.get("/api/v2/employers").json()["results"]] == [apps["north"].employer_id]


def test_unscoped_office_user_sees_every_region_R4(reviewer, apps):
    assert set(applications_visible_to(reviewer)) == set(apps.values())
    assert employers_visible_to(reviewer).count() == 2


def test_scoped_reviewer_gets_404_on_another_regions_review_page_and_its_queue_shows_its_region_R4(
    client, scoped_reviewer, apps
):
    login_verified(client, scoped_reviewer)
    assert client.get(reverse("portal:office_review", args=[apps["north"].pk])).status_code == 200
    assert client.get(reverse("portal:office_review", args=[apps["south"].pk])).status_code == 404
    queue = client.get(reverse("portal:office_queue")).content.decode()
    assert apps["north"].reference in queue and apps["south"].reference not in queue


def test_scoped_users_letters_are_their_regions_R4(scoped_reviewer, apps):
    north = LetterFactory(decision=DecisionFactory(application=apps["north"]))
    LetterFactory(decision=DecisionFactory(application=apps["south"]))
    assert list(letters_visible_to(scoped_reviewer)) == [north]


def test_allocation_lists_show_a_scoped_user_only_its_regions_R4(scoped_reviewer, apps):
    summary = {"applications": [{"id": a.pk, "reference": a.reference} for a in apps.values()], "lines": []}
    assert [row["id"] for row in visible_allocation_summary(summary, scoped_reviewer)["applications"]] == [apps["north"].pk]


def test_staff_scopes_an_office_user_through_the_api_and_it_is_audited_R4(client_for, staff_user, reviewer, regions, apps):
    url = f"/api/v2/office-users/{reviewer.username}"
    response = client_for(staff_user).patch(url, {"employer_organisations": ["zuid"]}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == {"username": "reviewer", "employerOrganisations": ["zuid"]}
    assert list(applications_visible_to(reviewer)) == [apps["south"]]
    change = OfficeScopeChange.objects.get()
    assert (change.actor, change.user, change.before, change.after) == (staff_user, reviewer, [], ["zuid"])
    # The same scope again changes and audits nothing; empty means all regions again.
    client_for(staff_user).patch(url, {"employer_organisations": ["zuid"]}, format="json")
    assert OfficeScopeChange.objects.count() == 1
    client_for(staff_user).patch(url, {"employer_organisations": []}, format="json")
    assert not OfficeScope.objects.filter(user=reviewer).exists()
    assert OfficeScopeChange.objects.count() == 2
    assert applications_visible_to(reviewer).count() == 2


def test_scoping_is_for_staff_only_and_refuses_unknown_organisations_R4(client_for, staff_user, reviewer, decider, regions):
    url = f"/api/v2/office-users/{reviewer.username}"
    assert client_for(decider).patch(url, {"employer_organisations": ["noord"]}, format="json").status_code == 403
    bad = client_for(staff_user).patch(url, {"employer_organisations": ["noord", "nergens"]}, format="json")
    assert bad.status_code == 400 and "nergens" in problems(bad)[0]["message"]
    assert not OfficeScope.objects.exists()
    assert client_for(staff_user).patch("/api/v2/office-users/nobody", {"employer_organisations": []}, format="json").status_code == 404


def test_admin_edits_the_scope_through_the_audited_service_R4(client, staff_user, reviewer, regions):
    login_verified(client, staff_user)
    url = reverse("admin:applications_officeuser_change", args=[reviewer.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"employer_organisations": ["noord"]})
    assert response.status_code == 302
    assert list(OfficeScope.objects.values_list("employer_organisation__code", flat=True)) == ["noord"]
    assert OfficeScopeChange.objects.get().after == ["noord"]
