"""Completion requests (R43; Awb 4:5, 4:15): the office asks what is missing, the employer completes.

Writes, keyword-only, one transaction each; the application's row lock first, then its completion request
(the order of :mod:`sectorplan.locking`). Each request and completion is on the application's timeline (R39)
and recomputes the decision term (:mod:`.terms`, R44). The decision not to consider an application after an
expired request is a decision: ``applications.decisions.services.not_considered_decide``.
"""

import logging
from datetime import date

from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sectorplan.api.errors import DomainError, StateConflict
from sectorplan.locking import lock_one, locked

from . import terms
from .constants import ApplicationStatus
from .mail import mail_members
from .models import Application, ApplicationTransition, CompletionRequest
from .models.receipts import default_completion_due

logger = logging.getLogger(__name__)

#: The statuses in which the office may still ask for completion (before any decision).
OPEN_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.ASSESSED)
MAX_TEXT = 5000


def _lock(application: Application) -> Application:
    return lock_one(Application.objects.select_related("period", "employer"), pk=application.pk)


def _clean_text(value: str, *, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(field=field, code="required", message=_("This field is required."))
    if "\x00" in value:
        raise DomainError(field=field, code="invalid", message=_("Null characters are not allowed."))
    if len(value) > MAX_TEXT:
        raise DomainError(
            field=field, code="max_length", message=_("At most %(n)s characters.") % {"n": MAX_TEXT}
        )
    return value


def open_request(application: Application) -> CompletionRequest | None:
    return CompletionRequest.objects.filter(application=application, completed_at__isnull=True).first()


def latest_request(application: Application) -> CompletionRequest | None:
    return CompletionRequest.objects.filter(application=application).order_by("-requested_at", "-id").first()


def _history(application: Application, *, by, reason: str) -> None:
    """A timeline row without a status change (R39), as a revised assessment writes one."""
    ApplicationTransition.objects.create(
        application=application, from_status=application.status, to_status=application.status, actor=by,
        reason=reason,
    )


@transaction.atomic
def completion_request_create(*, application: Application, missing: str, by, due_date: date | None = None) -> CompletionRequest:
    """R43: a reviewer asks the employer to complete the application by ``due_date`` (default two weeks).
    Suspends the decision term (R44). One open request at a time (409 ``completion_open``)."""
    application = _lock(application)
    if application.status not in OPEN_STATUSES:
        raise StateConflict(
            field="status", code="not_submitted",
            message=_("Completion can only be requested for a submitted application that is not decided."),
        )
    missing = _clean_text(missing, field="missing")
    today = timezone.localdate()
    if due_date is not None and due_date <= today:
        raise DomainError(field="due_date", code="not_in_future", message=_("The due date must be after today."))
    if locked(CompletionRequest.objects.filter(application=application, completed_at__isnull=True)).exists():
        raise StateConflict(
            field="application", code="completion_open",
            message=_("This application already has an open completion request."),
        )
    request = CompletionRequest.objects.create(
        application=application, missing=missing, requested_by=by, requested_at=timezone.now(),
        due_date=due_date or default_completion_due(),
    )
    terms.decision_due_update(application=application)
    _history(
        application, by=by,
        reason=_("Completion requested by %(date)s: %(missing)s")
        % {"date": date_format(request.due_date, "j F Y"), "missing": missing},
    )
    request_id = request.pk
    transaction.on_commit(lambda: completion_request_mail(request_id=request_id))
    return request


@transaction.atomic
def completion_complete(*, application: Application, explanation: str, by) -> CompletionRequest:
    """R43: a contact completes the open request with an explanation; the suspension of the decision term ends
    today (or at the due date when completed late). Without an open request: 409 ``no_open_request``."""
    application = _lock(application)
    request = locked(CompletionRequest.objects.filter(application=application, completed_at__isnull=True)).first()
    if request is None:
        raise StateConflict(
            field="application", code="no_open_request",
            message=_("There is no open completion request for this application."),
        )
    if application.status not in OPEN_STATUSES:
        raise StateConflict(
            field="status", code="decided", message=_("This application has been decided; it can no longer be completed."),
        )
    request.explanation = _clean_text(explanation, field="explanation")
    request.completed_at = timezone.now()
    request.completed_by = by
    request.save(update_fields=["explanation", "completed_at", "completed_by"])
    terms.decision_due_update(application=application)
    _history(application, by=by, reason=_("Completion received from the employer"))
    return request


def completion_request_mail(*, request_id: int) -> int:
    """Tell the employer's members a completion request waits in the portal (no personal data in the mail)."""
    request = CompletionRequest.objects.select_related("application__employer").get(pk=request_id)
    application = request.application
    with translation.override("nl"):
        subject = _("Request to complete application %(reference)s") % {"reference": application.reference}
        body = _(
            "We ask you to complete application %(reference)s by %(date)s. Read in the SectorplanPlus portal, on the "
            "page of the application, what is missing, and complete it there."
        ) % {"reference": application.reference, "date": date_format(request.due_date, "j F Y")}
    try:
        return mail_members(employer=application.employer, subject=subject, body=body)
    except Exception as exc:  # noqa: BLE001 - any mail error; the request is in the portal
        logger.error("completion request %s: notification mail failed (%s)", request_id, type(exc).__name__)
        return 0
