"""The project agreement (R45) and the lapse of grants without one (R46).

- **No row until the first upload**: a granted application's agreement is ``open`` without a row
  (:func:`agreement_state`); the first upload creates the :class:`~accounting.models.ProjectAgreement`. Reads never
  write.
- **Upload** (members of either role): the signed agreement and the KvK extract, both PDF (recognised by content:
  ``%PDF-``), at most 10 MB each (413 beyond), the extract issued at most six months before the upload and not in
  the future. Each file is stored privately with its SHA-256 as a new version (never overwritten, R39, R50); the
  agreement becomes ``submitted``. Allowed while ``open``, ``submitted`` (a new version) or ``rejected`` (R45: the
  employer may upload again); an approved agreement is final (409 ``already_approved``).
- **Review** (``office_reviewer``; no four-eyes): approve, or reject with a reason.
- **Timeline**: every upload and review is an :class:`~accounting.models.AgreementEvent` (who, when, from, to,
  why), the agreement's own append-only timeline, shown beside it; the application's timeline
  (``ApplicationTransition``) keeps the application's status changes, the lapse among them.
- **Lapse** (R46): :func:`lapse_run` asks the decisions service (the only writer of decisions) to lapse the period's
  grants, telling it which have an approved agreement.

Locks (:mod:`sectorplan.locking`): upload and review lock the application, then the agreement row; the lapse locks
the period, then the applications, and reads the agreements after that, so a review and a lapse never cross.
"""

import hashlib
from datetime import date

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import registrations
from applications.constants import ApplicationStatus
from applications.decisions import services as decision_services
from applications.decisions.amounts import application_amounts, grant_in_force, with_amounts
from applications.decisions.rendering import office
from applications.models import Application, Decision
from applications.pdf import render_html, render_pdf
from budgets.models import Period
from budgets.selectors import deadline_passed
from sectorplan.api.errors import DomainError, StateConflict
from sectorplan.locking import lock_one
from sectorplan.uploads import MAX_DOCUMENT_BYTES, check_document  # noqa: F401 - the limit, for callers

from .models import (
    AgreementDocument,
    AgreementDocumentKind,
    AgreementEvent,
    AgreementStatus,
    ProjectAgreement,
    agreement_due_date,
)
from .selectors import membership_of

#: R45: a KvK extract is issued at most this many months before the upload.
KVK_EXTRACT_MONTHS = 6
TEMPLATE = "agreements/agreement.html"
#: Statuses in which an application has (had) a grant and so an agreement.
WITH_AGREEMENT = frozenset({ApplicationStatus.GRANTED, ApplicationStatus.LAPSED, ApplicationStatus.SETTLED})


def months_before(day: date, months: int) -> date:
    """``day`` minus ``months`` calendar months; the 31st becomes the last day of a shorter month."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def has_agreement(application: Application) -> bool:
    """R45: every grant has a project agreement."""
    return application.status in WITH_AGREEMENT and grant_in_force(application) is not None


def agreement_state(application: Application) -> dict:
    """What the API and the portal show: status, due date, reason, documents (latest first per kind) and the
    timeline. ``open`` without a row until the first upload."""
    agreement = ProjectAgreement.objects.filter(application=application).first()
    documents, events = [], []
    if agreement is not None:
        documents = list(agreement.documents.select_related("uploaded_by").order_by("kind", "-version"))
        events = list(agreement.events.select_related("actor").order_by("at", "id"))
    return {
        "agreement": agreement,
        "status": agreement.status if agreement else AgreementStatus.OPEN,
        "due_date": agreement_due_date(application.period),
        "reason": agreement.reason if agreement else "",
        "reviewed_at": agreement.reviewed_at if agreement else None,
        "documents": documents,
        "events": events,
    }


def check_pdf(upload, *, field: str) -> bytes:
    """R45/R50: a PDF recognised by its content, at most 10 MB (413 beyond), virus-scanned when a scanner is
    configured (``sectorplan.uploads``). Returns its bytes."""
    return check_document(upload, field=field, kinds=("pdf",)).content


def check_kvk_date(issue_date: date | None, *, today: date) -> None:
    """R45: the KvK extract was issued at most six months before the upload, and not in the future."""
    if issue_date is None:
        raise DomainError(field="kvk_extract_date", code="required", message=_("State the issue date of the KvK extract."))
    if issue_date > today:
        raise DomainError(field="kvk_extract_date", code="future", message=_("The issue date cannot be in the future."))
    oldest = months_before(today, KVK_EXTRACT_MONTHS)
    if issue_date < oldest:
        raise DomainError(
            field="kvk_extract_date", code="too_old",
            message=_("The KvK extract is older than six months; it must be issued on or after %(date)s.")
            % {"date": oldest.strftime("%d-%m-%Y")},
        )


def _lock(application: Application) -> tuple[Application, ProjectAgreement | None]:
    application = lock_one(Application.objects.select_related("period", "employer"), pk=application.pk)
    agreement = ProjectAgreement.objects.filter(application=application).first()
    if agreement is not None:
        agreement = lock_one(ProjectAgreement.objects, pk=agreement.pk)
    return application, agreement


def _store(*, agreement: ProjectAgreement, kind: str, content: bytes, filename: str, by, issue_date=None):
    version = agreement.documents.filter(kind=kind).count() + 1
    document = AgreementDocument(
        agreement=agreement, kind=kind, version=version, sha256=hashlib.sha256(content).hexdigest(),
        size=len(content), filename=(filename or "")[:255], issue_date=issue_date, uploaded_by=by,
    )
    document.file.save(f"{kind}-v{version}.pdf", ContentFile(content), save=False)
    document.save(force_insert=True)
    return document


@transaction.atomic
def agreement_upload(
    *, application: Application, by, signed_agreement, kvk_extract, kvk_extract_date: date | None,
    today: date | None = None,
) -> ProjectAgreement:
    """R45: a member uploads the signed agreement and a KvK extract; the agreement becomes ``submitted``.
    Every problem with the input is reported at once (400), a file over 10 MB is a 413."""
    today = today or timezone.localdate()
    if membership_of(by, application.employer) is None:
        raise StateConflict(field="application", code="not_member", message=_("Only the employer's members upload."))
    errors = []
    contents = {}
    for field, upload in (("signed_agreement", signed_agreement), ("kvk_extract", kvk_extract)):
        try:
            contents[field] = check_pdf(upload, field=field)
        except DomainError as exc:
            errors += exc.errors
    try:
        check_kvk_date(kvk_extract_date, today=today)
    except DomainError as exc:
        errors += exc.errors
    if errors:
        raise DomainError(errors=errors)
    application, agreement = _lock(application)
    if application.status != ApplicationStatus.GRANTED:
        raise StateConflict(
            field="application", code="not_granted",
            message=_("A project agreement can only be uploaded for a granted application."),
        )
    if agreement is None:
        agreement = ProjectAgreement.objects.create(application=application)
    if agreement.status == AgreementStatus.APPROVED:
        raise StateConflict(field="agreement", code="already_approved", message=_("The project agreement is already approved."))
    _store(agreement=agreement, kind=AgreementDocumentKind.SIGNED_AGREEMENT, content=contents["signed_agreement"],
           filename=getattr(signed_agreement, "name", ""), by=by)
    _store(agreement=agreement, kind=AgreementDocumentKind.KVK_EXTRACT, content=contents["kvk_extract"],
           filename=getattr(kvk_extract, "name", ""), by=by, issue_date=kvk_extract_date)
    previous = agreement.status
    agreement.status = AgreementStatus.SUBMITTED
    agreement.submitted_at = timezone.now()
    agreement.save(update_fields=["status", "submitted_at"])
    AgreementEvent.objects.create(
        agreement=agreement, from_status=previous, to_status=AgreementStatus.SUBMITTED, actor=by,
        reason=_("Signed agreement and KvK extract uploaded"),
    )
    return agreement


@transaction.atomic
def agreement_review(*, application: Application, approved: bool, reason: str, by) -> ProjectAgreement:
    """R45: a reviewer approves the submitted agreement, or rejects it with a reason (the employer may upload
    again). Four-eyes does not apply (it is not a decision)."""
    reason = (reason or "").strip()
    if not approved and not reason:
        raise DomainError(field="reason", code="required", message=_("State the reason for rejecting the agreement."))
    application, agreement = _lock(application)
    if application.status != ApplicationStatus.GRANTED:
        raise StateConflict(
            field="application", code="not_granted", message=_("Only the agreement of a granted application is reviewed.")
        )
    if agreement is None or agreement.status != AgreementStatus.SUBMITTED:
        raise StateConflict(
            field="agreement", code="not_submitted", message=_("The project agreement has not been submitted for review.")
        )
    to = AgreementStatus.APPROVED if approved else AgreementStatus.REJECTED
    agreement.status = to
    agreement.reason = reason
    agreement.reviewed_by = by
    agreement.reviewed_at = timezone.now()
    agreement.save(update_fields=["status", "reason", "reviewed_by", "reviewed_at"])
    if approved:  # R46: registrations may be submitted from now on (read in ``applications``, a layer down)
        registrations.agreement_approval_record(application=application, at=agreement.reviewed_at)
    AgreementEvent.objects.create(
        agreement=agreement, from_status=AgreementStatus.SUBMITTED, to_status=to, actor=by,
        reason=reason or _("Approved"),
    )
    return agreement


def approved_agreements(application_ids: list[int]) -> set[int]:
    """Of ``application_ids``, those whose project agreement is approved."""
    return set(
        ProjectAgreement.objects.filter(application_id__in=application_ids, status=AgreementStatus.APPROVED)
        .values_list("application_id", flat=True)
    )


def lapse_run(*, period: Period, by, today: date | None = None) -> list[Decision]:
    """R46: lapse every grant of ``period`` without an approved agreement, after the agreement deadline
    (the decisions service writes the decisions, ledger, status and letters)."""
    return decision_services.lapse_decide(period=period, by=by, approved=approved_agreements, today=today)


# --- The agreement to sign (R45) ------------------------------------------------------------------------


def lapse_preview(*, period: Period, today: date | None = None) -> list[Application]:
    """R46: the grants a lapse run would lapse now, with their amounts from the ledger (``with_amounts``), for
    the confirmation page; empty before the deadline. Reads only."""
    today = today or timezone.localdate()
    deadline = decision_services.agreement_deadline(period)
    if not deadline_passed(deadline, today):
        return []
    granted = list(with_amounts(Application.objects.filter(period=period, status=ApplicationStatus.GRANTED))
                   .select_related("employer").order_by("reference"))
    return decision_services.lapsing_among(period=period, applications=granted, approved=approved_agreements,
                                           today=today)


def agreement_context(application: Application) -> dict:
    """Parties, the reservation and its held part, the deadlines: what the PDF to sign states."""
    period = application.period
    amounts = application_amounts(application)
    grant = grant_in_force(application)
    return {
        "application": application,
        "reference": application.reference,
        "employer": application.employer,
        "period": period,
        "region": application.region,
        "grant": grant,
        "grant_date": grant.date if grant else None,
        "reserved": amounts["reserved"],
        "held": amounts["held"],
        "unconditional": amounts["unconditional"] + amounts["released"],
        "deadlines": dict(period.deadline_calendar()),
        "due_date": agreement_due_date(period),
        "office": office(),
        "is_production": settings.ENVIRONMENT == "production",
        "kvk_months": KVK_EXTRACT_MONTHS,
    }


def agreement_html(application: Application) -> str:
    return render_html(TEMPLATE, agreement_context(application))


def agreement_pdf(application: Application) -> bytes:
    return render_pdf(TEMPLATE, agreement_context(application))


def agreement_filename(application: Application) -> str:
    return f"{application.reference}-projectovereenkomst.pdf"


__all__ = [
    "agreement_pdf",
    "agreement_review",
    "agreement_state",
    "agreement_upload",
    "lapse_run",
]
