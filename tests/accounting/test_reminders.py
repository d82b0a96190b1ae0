from datetime import date, timedelta
from smtplib import SMTPServerDisconnected

import pytest
from django.core import mail

from accounting import services, tasks
from accounting.models import ReminderSent
from applications import mail as member_mail
from applications.constants import MembershipRole
from budgets.reference_services import deadline_extend
from tests.accounting.factories import granted_application, submitted_report
from tests.applications.factories import ApplicationFactory, MembershipFactory
from tests.budgets.factories import PeriodFactory

pytestmark = pytest.mark.django_db


def _run(today, capture):
    with capture(execute=True):
        return services.reminders_send(today=today)


def test_reminders_go_out_30_and_7_days_before_each_once_R32(django_capture_on_commit_callbacks):
    period = PeriodFactory()
    deadline = period.accountability_deadline
    app = granted_application(period=period)
    MembershipFactory(employer=app.employer, role=MembershipRole.CONTACT)
    MembershipFactory(employer=app.employer, role=MembershipRole.ACCOUNTABILITY_OFFICER)
    assert _run(deadline - timedelta(days=31), django_capture_on_commit_callbacks) == 0
    assert _run(deadline - timedelta(days=30), django_capture_on_commit_callbacks) == 1
    assert len(mail.outbox) == 2 and all(len(m.to) == 1 for m in mail.outbox)  # one mail per member (R40)
    assert all(app.reference in m.subject for m in mail.outbox)
    assert _run(deadline - timedelta(days=29), django_capture_on_commit_callbacks) == 0  # 30-day reminder only once
    assert _run(deadline - timedelta(days=7), django_capture_on_commit_callbacks) == 1
    assert _run(deadline - timedelta(days=7), django_capture_on_commit_callbacks) == 0
    assert _run(deadline, django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 4  # two reminders, each to both members
    assert set(ReminderSent.objects.filter(application=app).values_list("kind", flat=True)) == {"30", "7"}


def test_no_reminder_after_the_report_or_the_deadline_R32(django_capture_on_commit_callbacks):
    period = PeriodFactory()
    reported = granted_application(period=period)
    member = MembershipFactory(employer=reported.employer).user
    submitted_report(reported, member)
    late = granted_application(period=PeriodFactory(accountability_deadline=period.accountability_deadline - timedelta(days=1)))
    MembershipFactory(employer=late.employer)
    assert _run(period.accountability_deadline, django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


def test_beat_task_runs_the_service_R32(django_capture_on_commit_callbacks, settings):
    assert "accountability-reminders" in settings.CELERY_BEAT_SCHEDULE
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_accountability_reminders.run() == 0


def test_a_reminder_whose_mail_fails_is_not_recorded_and_goes_out_on_the_next_run_R32(
    django_capture_on_commit_callbacks, monkeypatch
):
    period = PeriodFactory()
    deadline = period.accountability_deadline
    app = granted_application(period=period)
    MembershipFactory(employer=app.employer)
    other = granted_application(period=period)
    MembershipFactory(employer=other.employer)
    real_send_mass_mail = member_mail.send_mass_mail

    def send_mail_failing_for_app(datatuple, **kwargs):
        if any(app.reference in subject for subject, *_rest in datatuple):
            raise SMTPServerDisconnected("mail server went away")
        return real_send_mass_mail(datatuple, **kwargs)

    monkeypatch.setattr(member_mail, "send_mass_mail", send_mail_failing_for_app)
    assert _run(deadline - timedelta(days=30), django_capture_on_commit_callbacks) == 1  # the other one still goes
    assert not ReminderSent.objects.filter(application=app).exists()
    assert ReminderSent.objects.filter(application=other, kind="30").exists()
    assert [m.subject for m in mail.outbox if app.reference in m.subject] == []

    monkeypatch.setattr(member_mail, "send_mass_mail", real_send_mass_mail)
    assert _run(deadline - timedelta(days=29), django_capture_on_commit_callbacks) == 1
    assert ReminderSent.objects.get(application=app).kind == "30"
    assert len([m for m in mail.outbox if app.reference in m.subject]) == 1


def test_every_deadline_that_concerns_the_employer_gets_its_reminders_R32(django_capture_on_commit_callbacks):
    agreement, registration, repair = date(2026, 5, 1), date(2026, 9, 1), date(2026, 12, 1)
    period = PeriodFactory(deadlines={"agreement": agreement, "registration": registration, "repair": repair})
    app = granted_application(period=period, registrations=[("A", None)])
    surname = app.registrations.get().surname
    MembershipFactory(employer=app.employer)
    not_granted = ApplicationFactory(period=period, submitted=True)
    MembershipFactory(employer=not_granted.employer)
    for deadline, words in [(agreement, "projectovereenkomst"), (registration, "registraties"), (repair, "laatste herstel")]:
        mail.outbox.clear()
        assert _run(deadline - timedelta(days=30), django_capture_on_commit_callbacks) == 1
        assert _run(deadline - timedelta(days=7), django_capture_on_commit_callbacks) == 1
        assert _run(deadline - timedelta(days=7), django_capture_on_commit_callbacks) == 0
        assert len(mail.outbox) == 2
        for message in mail.outbox:
            assert words in message.subject.lower() and app.reference in message.subject
            assert deadline.strftime("%d-%m-%Y") in message.body
            assert surname not in message.subject + message.body  # no personal data (R40)
    rows = ReminderSent.objects.filter(application=app)
    assert sorted(rows.values_list("deadline_kind", "kind").distinct()) == sorted(
        (k, r) for k in ("agreement", "registration", "repair") for r in ("30", "7")
    )
    assert not ReminderSent.objects.filter(application=not_granted).exists()


def test_an_extension_gives_new_reminders_before_the_new_date_for_that_employer_only_R32(
    django_capture_on_commit_callbacks, decider
):
    period = PeriodFactory(deadlines={"registration": date(2026, 9, 1)})
    extended = granted_application(period=period)
    MembershipFactory(employer=extended.employer)
    other = granted_application(period=period)
    MembershipFactory(employer=other.employer)
    assert _run(date(2026, 8, 25), django_capture_on_commit_callbacks) == 2  # 7 days before: both
    deadline_extend(period=period, kind="registration", date=date(2026, 10, 15), reason="Storing", employer=extended.employer,
                    by=decider)
    assert _run(date(2026, 8, 26), django_capture_on_commit_callbacks) == 0  # the new date is 50 days off
    assert _run(date(2026, 9, 15), django_capture_on_commit_callbacks) == 1  # 30 days before the new date
    assert _run(date(2026, 9, 20), django_capture_on_commit_callbacks) == 0
    assert _run(date(2026, 10, 8), django_capture_on_commit_callbacks) == 1
    new = ReminderSent.objects.filter(application=extended, deadline=date(2026, 10, 15))
    assert sorted(new.values_list("kind", flat=True)) == ["30", "7"]
    assert not ReminderSent.objects.filter(application=other, deadline=date(2026, 10, 15)).exists()


def test_an_accountability_extension_moves_the_reminder_and_the_old_date_gets_none_R32(
    django_capture_on_commit_callbacks, decider
):
    period = PeriodFactory()
    deadline = period.accountability_deadline
    app = granted_application(period=period)
    MembershipFactory(employer=app.employer)
    deadline_extend(period=period, kind="accountability", date=deadline + timedelta(days=60), reason="Ziekte",
                    employer=app.employer, by=decider)
    assert _run(deadline - timedelta(days=7), django_capture_on_commit_callbacks) == 0
    assert _run(deadline + timedelta(days=30), django_capture_on_commit_callbacks) == 1
    assert ReminderSent.objects.get(application=app).deadline == deadline + timedelta(days=60)
