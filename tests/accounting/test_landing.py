"""Issue 15 item 1: the landing page per role (office, Commission, ministry) instead of "not linked to an employer"."""

from datetime import date, timedelta

from django.test import Client
from django.urls import reverse

from accounting.landing import landing_for
from applications.constants import ApplicationStatus
from tests.applications.factories import ApplicationFactory
from tests.budgets.factories import PeriodFactory
from tests.support.otp import login_verified

LANDING = reverse("accounting:landing")


def test_home_sends_office_commission_and_ministry_to_their_landing_page(reviewer, decider, commission_user, ministry_user):
    for user in (reviewer, decider, commission_user, ministry_user):
        response = login_verified(Client(), user).get(reverse("portal:home"))
        assert response.status_code == 302 and response["Location"] == LANDING, user.username
        assert login_verified(Client(), user).get(LANDING).status_code == 200


def test_an_account_without_a_role_gets_no_landing_page(plain_user):
    assert login_verified(Client(), plain_user).get(LANDING).status_code == 403


def test_r15_r44_reviewer_sees_plans_awaiting_assessment_per_period_with_due_terms_counted_in_the_database(reviewer):
    today = date(2027, 3, 1)
    period = PeriodFactory(number=7)
    ApplicationFactory(period=period, submitted=True, decision_due=today - timedelta(days=1))  # overdue
    ApplicationFactory(period=period, submitted=True, decision_due=today + timedelta(days=3))  # due soon
    ApplicationFactory(period=period, submitted=True, decision_due=today + timedelta(days=60))
    ApplicationFactory(period=period, status=ApplicationStatus.DRAFT)
    landing = landing_for(reviewer, today=today)
    assert landing.reviewer and not landing.decider and not landing.ministry
    assert [(row["period"], row["n"], row["overdue"], row["due_soon"]) for row in landing.plans] == [(7, 3, 1, 1)]
    assert landing.terms_count == 2
    page = login_verified(Client(), reviewer).get(LANDING).content.decode()
    assert f"{reverse('portal:office_queue')}?period=7" in page


def test_ministry_landing_links_every_statistics_table_as_json_and_csv_R37(ministry_user):
    landing = landing_for(ministry_user, today=date(2027, 3, 1))
    assert [t["name"] for t in landing.statistics] == ["trajectories", "planned", "budgets", "holdbacks"]
    client = login_verified(Client(), ministry_user)
    for table in landing.statistics:
        assert client.get(table["csv"]).status_code == 200, table
