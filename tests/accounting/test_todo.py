"""Issue 12 item 9: the to-do list of an account that serves several employers (R2, R46, R49, R29, R53)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounting.models import AgreementStatus, ProjectAgreement
from accounting.todo import todo_for
from tests.accounting.factories import granted_application
from tests.applications.factories import MembershipFactory, RegistrationFactory, UserFactory
from tests.budgets.factories import PeriodFactory
from tests.support.otp import login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def setting(today):
    period = PeriodFactory(accountability_deadline=today + timedelta(days=200), deadlines={
        "agreement": today + timedelta(days=10), "repair": today + timedelta(days=20),
        "registration": today + timedelta(days=60),
    })
    first = granted_application(period=period)
    second = granted_application(period=period)
    officer = UserFactory(username="officer")
    for app in (first, second):
        MembershipFactory(employer=app.employer, user=officer, role="accountability_officer")
    return period, first, second, officer


def test_an_officer_sees_what_needs_doing_for_every_employer_it_serves_R2_R46_R49(setting, today):
    period, first, second, officer = setting
    ProjectAgreement.objects.create(application=second, status=AgreementStatus.APPROVED, reviewed_by=officer,
                                    reviewed_at=timezone.now())
    RegistrationFactory(application=second, status="repair_requested", review_reason="Payslip missing")
    RegistrationFactory(application=second, status="draft")
    RegistrationFactory(application=second, status="draft")

    todos = todo_for(officer, today=today)

    assert {t.employer for t in todos} == {first.employer, second.employer}
    by_employer = {t.employer: t for t in todos}
    assert "agreement" in [i.kind for i in by_employer[first.employer].items]  # R46: agreement still to upload
    second_items = by_employer[second.employer].items
    kinds = [i.kind for i in second_items]
    assert "agreement" not in kinds  # approved: nothing to upload
    submit = next(i for i in second_items if i.kind == "submit")  # agreement approved: submit the drafts
    assert "2" in submit.text
    repair = next(i for i in second_items if i.kind == "repair")
    assert repair.due == today + timedelta(days=20) and repair.urgent  # R49: before the repair deadline
    # Most urgent first; deadlines beyond 30 days are not listed as near (R53).
    assert [i.due for i in second_items] == sorted(i.due for i in second_items)
    assert [day for _, day in by_employer[first.employer].deadlines] == [today + timedelta(days=10),
                                                                        today + timedelta(days=20)]


def test_approved_registrations_without_progress_are_listed_until_reported_R29(setting, today):
    period, first, second, officer = setting
    approved = first.registrations.filter(status="approved")
    count = approved.count()
    assert count

    def texts():
        return [i for t in todo_for(officer, today=today) if t.employer == first.employer for i in t.items]

    progress = next(i for i in texts() if i.kind == "progress")
    assert str(count) in progress.text and progress.due == today + timedelta(days=200)
    approved.update(started=True, outcome="completed", reported_at=timezone.now())
    assert "progress" not in [i.kind for i in texts()]


def test_the_page_lists_each_employer_and_shows_nothing_of_others_R2(client, setting, today):
    period, first, second, officer = setting
    other = granted_application(period=period)
    login_verified(client, officer)
    page = client.get(reverse("accounting:todo")).content.decode()
    assert first.employer.name in page and second.employer.name in page
    assert other.employer.name not in page and other.reference not in page
    assert first.reference in page
