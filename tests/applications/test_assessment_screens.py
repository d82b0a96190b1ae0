"""Issue 15 items 1-2 on the office assessment page and the application page: "alle regels subsidiabel" pre-fills
the form without saving (R15, four-eyes R4 kept), and an application's registrations are paged and filtered."""

from decimal import Decimal

import pytest
from django.urls import reverse

from applications.constants import ApplicationStatus
from applications.decisions.four_eyes import assessed_by
from applications.models import Application, PlanLine
from tests.accounting.factories import granted_application
from tests.applications.factories import ApplicationFactory, MembershipFactory, PlanLineFactory, RegistrationFactory
from tests.budgets.helpers import closed_period
from tests.support.otp import login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted():
    app = ApplicationFactory(period=closed_period(), submitted=True)
    PlanLineFactory(application=app, count=3)
    PlanLineFactory(application=app, count=7, focus="retention")
    return app


def _eligible_value(page: str, line: PlanLine) -> str:
    marker = f'name="eligible_{line.pk}" value="'
    start = page.index(marker) + len(marker)
    return page[start:page.index('"', start)]


def test_r15_all_lines_eligible_prefills_the_planned_counts_and_saves_nothing(client, reviewer, submitted):
    login_verified(client, reviewer)
    url = reverse("portal:office_review", args=[submitted.pk])
    assert 'id="fill-all"' in client.get(url).content.decode()
    response = client.post(url, {"action": "fill_all"})
    page = response.content.decode()
    assert response.status_code == 200 and 'id="prefilled-notice"' in page
    lines = list(submitted.plan_lines.all())
    assert [_eligible_value(page, line) for line in lines] == [str(line.count) for line in lines]
    # Nothing saved: no eligible counts, no eligible amount, no assessor.
    assert all(count is None for count in submitted.plan_lines.values_list("eligible_count", flat=True))
    app = Application.objects.get(pk=submitted.pk)
    assert (app.eligible_amount, app.assessed_by, app.status) == (None, None, ApplicationStatus.SUBMITTED)


def test_r15_r4_the_prefilled_form_is_saved_by_the_reviewer_who_then_counts_as_assessor(client, reviewer, submitted):
    login_verified(client, reviewer)
    url = reverse("portal:office_review", args=[submitted.pk])
    client.post(url, {"action": "fill_all"})
    form = {}
    for line in submitted.plan_lines.all():
        form[f"eligible_{line.pk}"], form[f"reason_{line.pk}"] = str(line.count), ""
    assert client.post(url, form).status_code == 302
    app = Application.objects.get(pk=submitted.pk)
    assert app.eligible_amount == Decimal("50000.00") and app.assessed_by == reviewer
    assert list(app.plan_lines.values_list("eligible_count", flat=True).order_by("count")) == [3, 7]
    assert assessed_by(reviewer, [app.pk]) == {app.pk}  # R4: this reviewer may not decide on it


def test_r15_all_lines_eligible_is_refused_to_who_may_not_assess(client, decider, submitted):
    login_verified(client, decider)
    url = reverse("portal:office_review", args=[submitted.pk])
    assert 'id="fill-all"' not in client.get(url).content.decode()
    assert client.post(url, {"action": "fill_all"}).status_code == 403


@pytest.fixture
def many_registrations():
    app = granted_application(registrations=(("A", None),) * 2)
    RegistrationFactory.create_batch(110, application=app, status="submitted")
    RegistrationFactory.create_batch(8, application=app, status="rejected")
    return app


def test_application_page_pages_its_registrations_by_50_with_the_count(client, many_registrations):
    app = many_registrations
    login_verified(client, MembershipFactory(employer=app.employer).user)
    url = reverse("portal:application_detail", args=[app.pk])
    page = client.get(url).content.decode()
    assert "120 registraties" in page and "Pagina 1 van 3" in page
    assert page.count('class="status status--submitted"') + page.count('class="status status--approved"') == 50
    last = client.get(url, {"page": 3}).content.decode()
    assert "Pagina 3 van 3" in last and last.count('class="status status--rejected"') == 8
    assert last.count('class="status status--submitted"') == 12


def test_application_page_filters_registrations_by_status(client, many_registrations):
    app = many_registrations
    login_verified(client, MembershipFactory(employer=app.employer).user)
    url = reverse("portal:application_detail", args=[app.pk])
    page = client.get(url, {"status": "rejected"}).content.decode()
    assert "8 van 120 registraties" in page and "Pagina 1 van" not in page
    assert page.count('class="status status--rejected"') == 8 and 'status--submitted"' not in page
    none = client.get(url, {"status": "repair_requested"}).content.decode()
    assert "Er zijn geen registraties met deze status." in none


def test_application_page_names_a_bad_status_filter_with_400(client, many_registrations):
    app = many_registrations
    login_verified(client, MembershipFactory(employer=app.employer).user)
    response = client.get(reverse("portal:application_detail", args=[app.pk]), {"status": "bogus", "page": "x"})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_registration_status_error"' in page and "Kies een status uit de lijst." in page
