"""The decision term of a submitted application (R43, R44; Awb 4:13, 4:15). Pure arithmetic and one writer.

**Choice**: the term is counted from the day the application window closes (domain.md §3: "decision term,
default 13 weeks after the window closes"), not from each receipt: every application of a period is decided
in one allocation after the window, so they share one base date. Each completion request suspends the term
(Awb 4:15) from the day it is sent until the day it is completed, or, when it is not completed in time,
until its due date; overlapping suspensions count once. While a request is open the due date is computed as
if it runs to its due date (the longest it can suspend); completing it earlier shortens the term again.

The period's term is ``Period.decision_term_weeks`` (default 13 when the period does not have it yet).
"""

from datetime import date, timedelta

from django.utils import timezone

from .models import Application, CompletionRequest

DEFAULT_TERM_WEEKS = 13
#: The office queue warns when a decision is due within this many days (or overdue).
WARN_DAYS = 14


def term_weeks(period) -> int:
    return period.decision_term_weeks or DEFAULT_TERM_WEEKS


def suspension_intervals(requests) -> list[tuple[date, date]]:
    """The (start, end) day pairs a list of completion requests suspends the term, merged where they overlap."""
    spans = []
    for r in requests:
        start = timezone.localdate(r.requested_at)
        end = r.due_date
        if r.completed_at is not None:
            end = min(end, timezone.localdate(r.completed_at))
        if end > start:
            spans.append((start, end))
    merged: list[tuple[date, date]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def decision_due_date(*, period, requests=()) -> date:
    """R44: the window's closing day + the period's term in weeks + the days suspended by completion requests."""
    base = timezone.localdate(period.application_closes) + timedelta(weeks=term_weeks(period))
    suspended = sum(((end - start).days for start, end in suspension_intervals(requests)), 0)
    return base + timedelta(days=suspended)


def decision_due_update(*, application: Application) -> date:
    """Recompute and store ``application.decision_due``. The caller holds the application's row lock and the
    transaction (submission, completion request, completion)."""
    requests = list(CompletionRequest.objects.filter(application=application))
    application.decision_due = decision_due_date(period=application.period, requests=requests)
    application.save(update_fields=["decision_due"])
    return application.decision_due


def due_state(due: date | None, *, today: date | None = None) -> str:
    """``overdue``, ``due_soon`` (within :data:`WARN_DAYS`) or ``""`` for the queue's flag."""
    if due is None:
        return ""
    today = today or timezone.localdate()
    if due < today:
        return "overdue"
    if due <= today + timedelta(days=WARN_DAYS):
        return "due_soon"
    return ""
