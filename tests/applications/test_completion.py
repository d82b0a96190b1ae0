"""R43, R44: completion requests, the decision term and the decision not to consider (Awb 4:5, 4:15)."""

from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from applications import completion, services, terms
from applications.constants import ApplicationStatus, DecisionKind
from applications.decisions.rendering import letter_html
from applications.decisions.services import not_considered_decide
from applications.models import Application, CompletionRequest, Decision, Letter
from tests.applications.conftest import INSIDE_WINDOW, plan_row
from tests.applications.factories import ApplicationFactory
from tests.problems import problems
from tests.support.otp import login_verified

pytestmark = pytest.mark.django_db

AMS = ZoneInfo("Europe/Amsterdam")
BASE = "/api/v2/applications"
#: PeriodFactory closes its window on 19 Dec 2025; 13 weeks later:
TERM_END = date(2026, 3, 20)


def at(day: date, hour=10):
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=AMS)


def request_row(requested: date, due: date, completed: date | None = None):
    return SimpleNamespace(requested_at=at(requested), due_date=due, completed_at=at(completed) if completed else None)


@pytest.fixture
def submitted(application, contact, at_time):
    services.plan_lines_add(application=application, rows=[plan_row()], by=contact)
    at_time(INSIDE_WINDOW)
    return services.application_submit(application=application, by=contact)


@pytest.fixture
def today_is(monkeypatch):
    """Freeze timezone.now (and so localdate) at 10:00 Amsterdam on ``day``."""

    def freeze(day: date):
        moment = at(day)
        monkeypatch.setattr("django.utils.timezone.now", lambda: moment)
        return moment

    return freeze


# --- the decision term (R44) ----------------------------------------------------------------------


def test_decision_term_counts_the_periods_weeks_from_the_window_close_R44(period):
    assert terms.decision_due_date(period=period) == TERM_END


def test_decision_term_reads_the_periods_own_term_when_it_has_one_R44(period):
    period.decision_term_weeks = 8
    assert terms.decision_due_date(period=period) == date(2026, 2, 13)


def test_a_completed_request_suspends_the_term_until_completion_R43_R44(period):
    due = terms.decision_due_date(period=period, requests=[request_row(date(2026, 1, 5), date(2026, 1, 19), date(2026, 1, 9))])
    assert due == TERM_END + timedelta(days=4)


def test_an_uncompleted_request_suspends_the_term_until_its_due_date_R43_R44(period):
    due = terms.decision_due_date(period=period, requests=[request_row(date(2026, 1, 5), date(2026, 1, 19))])
    assert due == TERM_END + timedelta(days=14)


def test_overlapping_suspensions_count_once_R44(period):
    requests = [request_row(date(2026, 1, 5), date(2026, 1, 19), date(2026, 1, 15)),
                request_row(date(2026, 1, 10), date(2026, 1, 24), date(2026, 1, 20))]
    assert terms.decision_due_date(period=period, requests=requests) == TERM_END + timedelta(days=15)


def test_submission_sets_the_decision_due_date_shown_by_the_api_R44(client_for, contact, submitted):
    assert submitted.decision_due == TERM_END
    assert client_for(contact).get(f"{BASE}/{submitted.pk}").json()["decisionDue"] == "2026-03-20"


# --- completion requests (R43) ---------------------------------------------------------------------


def test_reviewer_asks_for_completion_with_a_default_of_two_weeks_and_the_term_moves_R43(
    client_for, reviewer, submitted, today_is
):
    today_is(date(2026, 1, 5))
    response = client_for(reviewer).post(f"{BASE}/{submitted.pk}/completion-requests", {"missing": "De begroting ontbreekt."}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["dueDate"] == "2026-01-19"
    submitted.refresh_from_db()
    assert submitted.decision_due == TERM_END + timedelta(days=14)
    assert submitted.transitions.last().reason.startswith("Aanvulling gevraagd")


def test_contact_completes_and_the_suspension_ends_that_day_R43_R44(client_for, reviewer, contact, submitted, today_is):
    today_is(date(2026, 1, 5))
    completion.completion_request_create(application=submitted, missing="De begroting ontbreekt.", by=reviewer)
    today_is(date(2026, 1, 8))
    response = client_for(contact).post(f"{BASE}/{submitted.pk}/completion", {"explanation": "Bijgevoegd."}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["explanation"] == "Bijgevoegd."
    submitted.refresh_from_db()
    assert submitted.decision_due == TERM_END + timedelta(days=3)


def test_only_one_open_request_at_a_time_and_completion_needs_one_R43(client_for, reviewer, contact, submitted):
    completion.completion_request_create(application=submitted, missing="Begroting", by=reviewer)
    again = client_for(reviewer).post(f"{BASE}/{submitted.pk}/completion-requests", {"missing": "Nog iets"}, format="json")
    assert again.status_code == 409 and problems(again)[0]["code"] == "completion_open"
    client_for(contact).post(f"{BASE}/{submitted.pk}/completion", {"explanation": "Klaar"}, format="json")
    nothing_open = client_for(contact).post(f"{BASE}/{submitted.pk}/completion", {"explanation": "Nog eens"}, format="json")
    assert nothing_open.status_code == 409 and problems(nothing_open)[0]["code"] == "no_open_request"


def test_due_date_must_be_in_the_future_and_missing_is_required_R43(client_for, reviewer, submitted):
    url = f"{BASE}/{submitted.pk}/completion-requests"
    past = client_for(reviewer).post(url, {"missing": "x", "due_date": "2020-01-01"}, format="json")
    assert past.status_code == 400 and {e["field"] for e in problems(past)} == {"dueDate"}
    assert client_for(reviewer).post(url, {"missing": ""}, format="json").status_code == 400
    assert not CompletionRequest.objects.exists()


def test_only_a_reviewer_asks_and_only_a_contact_completes_R43(client_for, decider, officer, contact, reviewer, submitted, outsider):
    url = f"{BASE}/{submitted.pk}/completion-requests"
    assert client_for(decider).post(url, {"missing": "x"}, format="json").status_code == 403
    assert client_for(contact).post(url, {"missing": "x"}, format="json").status_code == 403
    completion.completion_request_create(application=submitted, missing="x", by=reviewer)
    done = f"{BASE}/{submitted.pk}/completion"
    assert client_for(officer).post(done, {"explanation": "y"}, format="json").status_code == 403
    assert client_for(outsider).post(done, {"explanation": "y"}, format="json").status_code == 404


# --- not considering (R43) ------------------------------------------------------------------------


@pytest.fixture
def expired(submitted, reviewer, today_is):
    today_is(date(2026, 1, 5))
    request = completion.completion_request_create(
        application=submitted, missing="De begroting ontbreekt.", due_date=date(2026, 1, 19), by=reviewer
    )
    today_is(date(2026, 1, 20))
    return request


def test_decider_decides_not_to_consider_after_an_expired_request_with_a_letter_R43(
    client_for, decider, submitted, expired, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_for(decider).post(f"{BASE}/{submitted.pk}/not-considered", {}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "not_considered"
    decision = Decision.objects.get(application=submitted)
    assert decision.kind == DecisionKind.NOT_CONSIDERED and decision.decided_by == decider
    assert "De begroting ontbreekt." in decision.reasons
    assert Application.objects.get(pk=submitted.pk).status == ApplicationStatus.NOT_CONSIDERED
    assert submitted.transitions.last().to_status == ApplicationStatus.NOT_CONSIDERED
    assert Letter.objects.filter(decision=decision, status="pending").count() == 1
    assert len(callbacks) >= 1  # the letter is enqueued on commit


def test_not_considered_is_refused_before_the_due_date_and_after_completion_R43(
    client_for, decider, contact, submitted, reviewer, today_is
):
    today_is(date(2026, 1, 5))
    completion.completion_request_create(application=submitted, missing="x", due_date=date(2026, 1, 19), by=reviewer)
    today_is(date(2026, 1, 19))  # the last day is still open
    early = client_for(decider).post(f"{BASE}/{submitted.pk}/not-considered", {}, format="json")
    assert early.status_code == 409 and problems(early)[0]["code"] == "no_expired_request"
    completion.completion_complete(application=submitted, explanation="Klaar", by=contact)
    today_is(date(2026, 2, 1))
    late = client_for(decider).post(f"{BASE}/{submitted.pk}/not-considered", {}, format="json")
    assert late.status_code == 409
    assert not Decision.objects.exists()


def test_not_considered_keeps_four_eyes_and_needs_a_decider_R4_R43(client_for, decider, reviewer, submitted, expired):
    assert client_for(reviewer).post(f"{BASE}/{submitted.pk}/not-considered", {}, format="json").status_code == 403
    Application.objects.filter(pk=submitted.pk).update(assessed_by=decider)
    response = client_for(decider).post(f"{BASE}/{submitted.pk}/not-considered", {}, format="json")
    assert response.status_code == 409 and problems(response)[0]["code"] == "four_eyes"
    assert Application.objects.get(pk=submitted.pk).status == ApplicationStatus.SUBMITTED


def test_not_considered_letter_is_dutch_with_awb_4_5_and_the_objection_clause_R26_R43(decider, submitted, expired):
    decision = not_considered_decide(application=submitted, by=decider)
    html = letter_html(letter=decision.letters.get())
    assert "Buiten behandeling stellen aanvraag subsidie SectorplanPlus" in html
    assert "artikel 4:5" in html
    assert "Bezwaar maken" in html and "zes weken" in html
    assert submitted.employer.kvk_number in html
    assert "19 januari 2026" in html  # the due date of the request, in the reasons


# --- office queue and portal (R43, R44) ---------------------------------------------------------------


def test_office_queue_sorts_by_decision_due_and_flags_near_and_overdue_R44(client, reviewer, period, today_is):
    today_is(date(2026, 3, 10))
    late = ApplicationFactory(period=period, submitted=True, decision_due=date(2026, 6, 1))
    soon = ApplicationFactory(period=period, submitted=True, decision_due=date(2026, 3, 20))
    overdue = ApplicationFactory(period=period, submitted=True, decision_due=date(2026, 3, 1))
    login_verified(client, reviewer)
    page = client.get(reverse("portal:office_queue")).content.decode()
    positions = [page.index(a.reference) for a in (overdue, soon, late)]
    assert positions == sorted(positions)
    assert page.count("due--overdue") == 1 and page.count("due--due_soon") == 1


def test_employer_sees_the_open_request_with_its_due_date_and_completes_it_in_the_portal_R43(
    client, contact, reviewer, submitted, today_is
):
    today_is(date(2026, 1, 5))
    completion.completion_request_create(application=submitted, missing="Stuur de begroting.", by=reviewer)
    login_verified(client, contact)
    page = client.get(reverse("portal:application_detail", args=[submitted.pk])).content.decode()
    assert "Stuur de begroting." in page and "19 januari 2026" in page
    response = client.post(reverse("portal:application_complete", args=[submitted.pk]), {"explanation": "Bijgevoegd"})
    assert response.status_code == 302
    assert CompletionRequest.objects.get().explanation == "Bijgevoegd"


def test_office_review_page_has_the_request_form_and_after_expiry_the_not_considered_button_R43(
    client, reviewer, decider, submitted, today_is
):
    today_is(date(2026, 1, 5))
    login_verified(client, reviewer)
    page = client.get(reverse("portal:office_review", args=[submitted.pk])).content.decode()
    assert "completion-request-form" in page and "not-considered-form" not in page
    response = client.post(
        reverse("portal:office_completion_request", args=[submitted.pk]), {"missing": "Begroting", "due_date": "19-01-2026"}
    )
    assert response.status_code == 302 and CompletionRequest.objects.get().due_date == date(2026, 1, 19)
    today_is(date(2026, 1, 20))
    login_verified(client, decider)
    page = client.get(reverse("portal:office_review", args=[submitted.pk])).content.decode()
    assert "not-considered-form" in page
    client.post(reverse("portal:office_not_considered", args=[submitted.pk]), {"confirm": "on"})
    assert Application.objects.get(pk=submitted.pk).status == ApplicationStatus.NOT_CONSIDERED
