"""R4: one permission vocabulary (``sectorplan.roles``) for the API and the portal, and one answer for office
pages a role may not open (403 with the Dutch page); another employer's object stays a 404 (R2)."""

import pytest
from django.urls import resolve, reverse

from applications.models import Application
from sectorplan.api.permissions import BASE_PERMISSIONS, HasRequiredRoles
from sectorplan.roles import ACTION_ROLES, Action, Role, may
from tests.applications.factories import ApplicationFactory, MembershipFactory, RegistrationFactory, UserFactory
from tests.budgets.factories import PeriodFactory
from tests.problems import problems
from tests.statistics.test_permissions import PUBLIC_ROUTES, _api_patterns, _fill
from tests.support.otp import login_verified


def _api_views():
    for route in _api_patterns():
        if route.startswith("api/v2/") and route not in PUBLIC_ROUTES:
            callback = resolve(_fill(route, {})).func
            yield route, getattr(callback, "cls", None) or getattr(callback, "view_class", None)


def test_every_action_says_which_roles_may_take_it_R4():
    assert set(ACTION_ROLES) == set(Action)
    assert all(role in Role.values for roles in ACTION_ROLES.values() for role in roles)


def test_every_api_view_reads_its_required_roles_through_the_vocabulary_R4():
    views = list(_api_views())
    assert len(views) > 15
    offenders = []
    for route, view in views:
        if route == "api/v2/auth/token":  # logging in comes before any role
            continue
        if HasRequiredRoles not in view.permission_classes:
            offenders.append(f"{route}: {view.__name__} lacks HasRequiredRoles")
        for key, action in (getattr(view, "required_roles", None) or {}).items():
            if not isinstance(action, Action):
                offenders.append(f"{route}: required_roles[{key!r}] is not an Action")
    assert not offenders, "\n".join(offenders)
    assert BASE_PERMISSIONS[-1] is HasRequiredRoles


@pytest.mark.django_db
def test_who_may_do_what_follows_the_roles_table_R4():
    reviewer = UserFactory(username="r", roles=[Role.OFFICE_REVIEWER])
    decider = UserFactory(username="d", roles=[Role.OFFICE_DECIDER])
    commission = UserFactory(username="c", roles=[Role.COMMISSION])
    ministry = UserFactory(username="m", roles=[Role.MINISTRY])
    staff = UserFactory(username="s", is_staff=True)
    member = MembershipFactory().user
    assert may(reviewer, Action.ASSESS) and not may(decider, Action.ASSESS)
    assert may(decider, Action.CONFIRM_ALLOCATION) and not may(reviewer, Action.CONFIRM_ALLOCATION)
    assert may(decider, Action.SETTLE) and may(decider, Action.RULE_ON_OBJECTION) and not may(reviewer, Action.SETTLE)
    assert may(commission, Action.RECORD_ADVICE) and may(commission, Action.READ_BUDGETS)
    assert not may(commission, Action.OFFICE)
    assert may(ministry, Action.READ_STATISTICS) and not may(ministry, Action.OFFICE)
    assert not may(reviewer, Action.EDIT_REFERENCE_DATA)
    assert all(may(staff, action) for action in Action)
    assert not any(may(member, action) for action in Action)


@pytest.fixture
def office_urls(db):
    period = PeriodFactory(number=3)
    application = ApplicationFactory(period=period, submitted=True)
    return [
        reverse("portal:office_queue"),
        reverse("portal:office_review", args=[application.pk]),
        reverse("budgets:index"),
        reverse("budgets:allocation", args=[period.number]),
        reverse("budgets:commission"),
        reverse("letters:period", args=[period.number]),
    ]


@pytest.mark.django_db
def test_office_pages_answer_403_with_the_dutch_page_to_an_employer_member_R4(client, office_urls):
    login_verified(client, MembershipFactory().user)
    for url in office_urls:
        response = client.get(url)
        assert response.status_code == 403, url
        page = response.content.decode()
        assert "Geen toegang" in page and "Niet toegestaan voor uw rol" in page, url


@pytest.mark.django_db
def test_office_pages_answer_403_to_the_commission_and_the_ministry_alike_R4(client, office_urls):
    for username, role in [("c", Role.COMMISSION), ("m", Role.MINISTRY)]:
        login_verified(client, UserFactory(username=username, roles=[role]))
        codes = {url: client.get(url).status_code for url in office_urls}
        readable = {reverse("budgets:index"), reverse("budgets:commission")} if role == Role.COMMISSION else set()
        assert codes == {url: 200 if url in readable else 403 for url in office_urls}


@pytest.mark.django_db
def test_a_post_only_another_role_may_make_is_403_on_a_page_one_may_read_R4(client, office_urls):
    decider = UserFactory(username="d", roles=[Role.OFFICE_DECIDER])
    application = Application.objects.get()
    RegistrationFactory(application=application)
    login_verified(client, decider)
    url = reverse("portal:office_review", args=[application.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {})
    assert response.status_code == 403
    assert "aanvragen beoordelen" in response.content.decode()


@pytest.mark.django_db
def test_assessing_another_employers_application_is_404_and_ones_own_403_R2_R4(client_for):
    member = MembershipFactory().user
    own = ApplicationFactory(employer=member.memberships.get().employer, submitted=True)
    foreign = ApplicationFactory(submitted=True)
    body = {"registrations": [{"id": 1, "eligible": True}]}
    response = client_for(member).post(f"/api/v2/applications/{own.pk}/assessment", body, format="json")
    assert response.status_code == 403
    assert problems(response)[0]["message"] == "Niet toegestaan voor uw rol: aanvragen beoordelen."
    assert client_for(member).post(f"/api/v2/applications/{foreign.pk}/assessment", body, format="json").status_code == 404
    assert client_for(member).post("/api/v2/applications/999999/assessment", body, format="json").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "head", "options"])
def test_every_method_of_a_statistics_table_needs_the_role_R4_R34(client_for, method):
    response = getattr(client_for(MembershipFactory().user), method)("/api/v2/statistics/budgets")
    assert response.status_code == 403
