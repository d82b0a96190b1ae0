"""R4/R34/R40: who reads the ministry's tables, and the ministry reads nothing else."""

import re
from datetime import date

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from applications.models import Decision, Letter
from tests.applications.factories import MembershipFactory, UserFactory
from tests.budgets.factories import PeriodFactory, RegionFactory
from tests.statistics.conftest import add_registrations, application

pytestmark = pytest.mark.django_db

TABLES = [
    "/api/v2/statistics/trajectories",
    "/api/v2/statistics/planned",
    "/api/v2/statistics/budgets",
    "/api/v2/statistics/holdbacks",
]


@pytest.mark.parametrize("url", TABLES)
@pytest.mark.parametrize("role", ["ministry", "office_reviewer", "office_decider", "staff"])
def test_ministry_office_and_staff_read_the_tables_R34(client_for, url, role):
    user = UserFactory(username=f"u-{role}", is_staff=role == "staff", roles=[] if role == "staff" else [role])
    assert client_for(user).get(url).status_code == 200


@pytest.mark.parametrize("url", TABLES)
@pytest.mark.parametrize("who", ["commission", "employer_member", "plain"])
def test_others_get_403_R34(client_for, url, who):
    if who == "commission":
        user = UserFactory(username="c", roles=["commission"])
    elif who == "employer_member":
        user = MembershipFactory().user
    else:
        user = UserFactory(username="p")
    assert client_for(user).get(url).status_code == 403


@pytest.mark.parametrize("url", TABLES)
def test_anonymous_gets_401_R34(api_client, url):
    assert api_client.get(url).status_code == 401


@pytest.mark.parametrize("url", TABLES)
def test_ministry_cannot_write_to_the_tables_R34(client_for, ministry, url):
    assert client_for(ministry).post(url, {}, format="json").status_code in (403, 405)


def _api_patterns(resolver=None, prefix=""):
    """Every URL pattern of the API with its route text, walked from the root resolver."""
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from _api_patterns(p, route)
        elif isinstance(p, URLPattern):
            yield route


def _fill(route: str, values: dict) -> str:
    route = route.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\.", ".")
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values.get(m.group(1), 1)), route)
    route = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values.get(m.group(1), 1)), route)
    return "/" + route


READABLE_BY_MINISTRY = re.compile(r"^/api/v2/(statistics/(trajectories|planned|budgets|holdbacks)|regions(/[^/]+)?|periods(/[^/]+)?)$")
#: Not a view with roles: the public OpenAPI document and the catch-all 404 of unknown paths.
PUBLIC_ROUTES = {"api/v2/openapi.json", "api/v2/^.*$"}


def test_ministry_gets_nothing_but_tables_and_reference_data_R4_R40(client_for, ministry):
    """Walks every URL pattern under /api/v2/ with real ids and every method; reports all offenders at once."""
    period = PeriodFactory(number=3)
    region = RegionFactory(code="rijnmond", name="Rijnmond")
    membership = MembershipFactory(employer__region=region)
    app = application(membership.employer, period, "granted")
    add_registrations(app, 1, focus="upskilling", band="<25")
    registration = app.registrations.first()
    decision = Decision.objects.create(application=app, kind="grant", date=date(2026, 1, 5), decided_by=membership.user)
    letter = Letter.objects.create(decision=decision)
    values = {
        "pk": app.pk, "id": app.pk, "application_pk": app.pk, "application_id": app.pk, "number": period.number,
        "period_number": period.number, "code": region.code, "region_code": region.code,
        "employer_pk": membership.employer.pk, "employer_id": membership.employer.pk, "registration_pk": registration.pk,
        "registration_id": registration.pk, "decision_pk": decision.pk, "letter_pk": letter.pk, "letter_id": letter.pk,
    }
    routes = sorted({_fill(r, values) for r in _api_patterns() if r.startswith("api/v2/") and r not in PUBLIC_ROUTES} - {"/api/v2/auth/token"})
    assert "/api/v2/statistics/trajectories" in routes and "/api/v2/regions" in routes
    client = client_for(ministry)
    offenders, allowed_seen = [], []
    for url in routes:
        for method in ("get", "post", "put", "patch", "delete"):
            status = getattr(client, method)(url, {}, format="json").status_code if method != "get" else client.get(url).status_code
            if method == "get" and READABLE_BY_MINISTRY.match(url):
                allowed_seen.append(url)
                if status != 200:
                    offenders.append(f"GET {url} -> {status} (should be readable)")
            elif status not in (403, 404, 405):
                offenders.append(f"{method.upper()} {url} -> {status}")
    assert not offenders, "\n".join(offenders)
    assert len(allowed_seen) >= 5
