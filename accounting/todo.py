"""Issue 12 item 9: what needs doing, across every employer an account serves.

An accountability officer or contact may serve several employers (R2); this list is where their day starts. Per
employer, for each granted application: the project agreement still to upload (or to upload again after a
rejection) before the agreement deadline, registrations still in draft (to submit once the agreement is approved),
registrations the office sent back for repair (before the repair deadline), approved registrations whose progress
is still to be reported (before the accountability deadline), and every deadline of the calendar that falls
within :data:`HORIZON_DAYS` (with the employer's own extensions, R53). Read-only; counts are aggregated in the
database (one query per kind, not per application)."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from applications.constants import ApplicationStatus, RegistrationStatus
from applications.models import Application, Employer, Registration
from budgets.constants import DeadlineKind
from budgets.selectors import deadline_for

from .models import AgreementStatus, ProjectAgreement

#: Deadlines this many days ahead (or fewer) are listed as near.
HORIZON_DAYS = 30


@dataclass
class TodoItem:
    application: Application
    kind: str  # agreement, repair, draft, submit, progress
    text: str
    url: str
    due: date | None = None
    urgent: bool = False


@dataclass
class EmployerTodo:
    employer: Employer
    items: list[TodoItem] = field(default_factory=list)
    deadlines: list[tuple[str, date]] = field(default_factory=list)


def _counts_by_application(application_ids, **filters) -> dict[int, int]:
    rows = (
        Registration.objects.filter(application_id__in=application_ids, **filters)
        .values("application_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["application_id"]: row["n"] for row in rows}


def todo_for(user, *, today: date) -> list[EmployerTodo]:
    """The to-do list of ``user``: one entry per employer it is a member of (alphabetical), each with its items
    (most urgent first) and its deadlines within the horizon."""
    employers = list(Employer.objects.filter(memberships__user=user).order_by("name").distinct())
    applications = list(
        Application.objects.filter(employer__in=employers, status=ApplicationStatus.GRANTED)
        .select_related("period", "employer")
        .order_by("period__number", "reference")
    )
    ids = [a.pk for a in applications]
    agreements = {a.application_id: a.status for a in ProjectAgreement.objects.filter(application_id__in=ids)}
    drafts = _counts_by_application(ids, status=RegistrationStatus.DRAFT)
    repairs = _counts_by_application(ids, status=RegistrationStatus.REPAIR_REQUESTED)
    unreported = _counts_by_application(ids, status=RegistrationStatus.APPROVED, reported_at__isnull=True)
    horizon = today + timedelta(days=HORIZON_DAYS)
    by_employer = {e.pk: EmployerTodo(employer=e) for e in employers}

    deadline_cache: dict[tuple[int, int, str], date | None] = {}

    def due(application: Application, kind: str) -> date | None:
        key = (application.period_id, application.employer_id, kind)
        if key not in deadline_cache:
            deadline_cache[key] = deadline_for(period=application.period, kind=kind, employer=application.employer_id)
        return deadline_cache[key]

    for app in applications:
        todo = by_employer[app.employer_id]
        detail = reverse("portal:application_detail", args=[app.pk])
        agreement = agreements.get(app.pk, AgreementStatus.OPEN)
        if agreement in (AgreementStatus.OPEN, AgreementStatus.REJECTED):
            text = (
                _("Upload the signed project agreement again: the office rejected it.")
                if agreement == AgreementStatus.REJECTED
                else _("Upload the signed project agreement and a recent KvK extract.")
            )
            todo.items.append(TodoItem(app, "agreement", text, reverse("accounting:agreement", args=[app.pk]),
                                       due(app, DeadlineKind.AGREEMENT)))
        if repairs.get(app.pk):
            todo.items.append(TodoItem(
                app, "repair", _("%(n)s registration(s) sent back for repair.") % {"n": repairs[app.pk]}, detail,
                due(app, DeadlineKind.REPAIR)))
        if drafts.get(app.pk):
            kind = "submit" if agreement == AgreementStatus.APPROVED else "draft"
            text = (
                _("%(n)s registration(s) in draft: submit them for review.") % {"n": drafts[app.pk]}
                if agreement == AgreementStatus.APPROVED
                else _("%(n)s registration(s) in draft: they can be submitted once the agreement is approved.")
                % {"n": drafts[app.pk]}
            )
            todo.items.append(TodoItem(app, kind, text, detail, due(app, DeadlineKind.REGISTRATION)))
        if unreported.get(app.pk):
            todo.items.append(TodoItem(
                app, "progress", _("Report the progress of %(n)s approved registration(s).") % {"n": unreported[app.pk]},
                detail, due(app, DeadlineKind.ACCOUNTABILITY)))
        for kind in DeadlineKind:
            day = due(app, kind)
            if day is not None and today <= day <= horizon and (kind.label, day) not in todo.deadlines:
                todo.deadlines.append((str(kind.label), day))
    for todo in by_employer.values():
        for item in todo.items:
            item.urgent = item.due is not None and item.due <= horizon
        todo.items.sort(key=lambda i: (i.due is None, i.due or today, i.application.reference))
        todo.deadlines.sort(key=lambda d: d[1])
    return list(by_employer.values())


def open_item_count(todos: list[EmployerTodo]) -> int:
    return sum(len(t.items) for t in todos)


__all__ = ["HORIZON_DAYS", "EmployerTodo", "TodoItem", "open_item_count", "todo_for"]
