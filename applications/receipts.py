"""The acknowledgement of receipt (R42; Awb 4:3a, 2:17): written with the submission, in its transaction.

**Synchronous, by choice**: :func:`receipt_create` renders the PDF with WeasyPrint inside the submission's
transaction (one render, a fraction of a second), so a committed submission always has its receipt and the
submit answer already carries the receipt's id and SHA-256; a rendering error rolls the submission back
(never a submitted application without its acknowledgement). Only the e-mail to the members, which carries
no personal data, goes out on commit.

What was submitted is rendered from :func:`submitted_lines`, the one place that says what a submission
contains: today the registrations summarised per activity type x focus as ``(label, count, amount)`` lines;
with plan lines it becomes one line per plan line, and the template does not change.
"""

import hashlib
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from budgets.constants import ActivityType
from sectorplan.money import ZERO

from .constants import Focus
from .mail import mail_members
from .models import Application, PlanLine, Receipt
from .pdf import html_to_pdf, render_html
from .selectors import applications_visible_to

logger = logging.getLogger(__name__)

TEMPLATE = "receipts/receipt.html"


def submitted_lines(application: Application) -> list[dict]:
    """What was submitted: the plan lines (R8) as ``{"label", "count", "amount"}``, in the order of the matrix
    (activity type, then focus as the ministry's table orders it)."""
    focus_order = {f.value: i for i, f in enumerate(Focus)}
    lines = sorted(
        PlanLine.objects.filter(application=application).values("activity_type", "focus", "count", "requested_amount"),
        key=lambda r: (r["activity_type"], focus_order.get(r["focus"], 99)),
    )
    return [
        {
            "label": f"{ActivityType(r['activity_type']).label} – {Focus(r['focus']).label}",
            "count": r["count"],
            "amount": r["requested_amount"] or ZERO,
        }
        for r in lines
    ]


def receipt_context(*, application: Application, received_at) -> dict:
    lines = submitted_lines(application)
    return {
        "application": application,
        "reference": application.reference,
        "employer": application.employer,
        "period": application.period,
        "region": application.region,
        "received_at": timezone.localtime(received_at),
        "lines": lines,
        "total_count": sum(line["count"] for line in lines),
        "total_amount": sum((line["amount"] for line in lines), ZERO),
        "requested_amount": application.requested_amount,
        "is_production": settings.ENVIRONMENT == "production",
    }


def receipt_html(*, application: Application, received_at) -> str:
    """The receipt's HTML in Dutch (what the tests assert on); the labels are made in Dutch too."""
    with translation.override("nl"):
        return render_html(TEMPLATE, receipt_context(application=application, received_at=received_at))


def receipt_filename(application: Application) -> str:
    return f"{application.reference}-ontvangstbevestiging.pdf"


def receipt_create(*, application: Application, by) -> Receipt:
    """R42: the acknowledgement of the submission of ``application`` (its ``submitted_at`` is the exact time of
    receipt): render the PDF, store it privately with its SHA-256, and e-mail the members on commit.

    The caller (``services.application_submit``) holds the application's row lock and the transaction."""
    received_at = application.submitted_at
    pdf = html_to_pdf(receipt_html(application=application, received_at=received_at))
    receipt = Receipt(application=application, received_at=received_at, sha256=hashlib.sha256(pdf).hexdigest())
    receipt.file.save(receipt_filename(application), ContentFile(pdf), save=False)
    receipt.save(force_insert=True)
    receipt_id = receipt.pk
    transaction.on_commit(lambda: receipt_mail(receipt_id=receipt_id))
    return receipt


def receipt_mail(*, receipt_id: int) -> int:
    """Tell the employer's members that the acknowledgement is in the portal (no personal data in the mail).
    A failed send is logged: the receipt is in the portal whatever happens to the mail. Returns the count of
    recipients."""
    receipt = Receipt.objects.select_related("application__employer").get(pk=receipt_id)
    application = receipt.application
    with translation.override("nl"):
        subject = _("Acknowledgement of receipt of application %(reference)s") % {"reference": application.reference}
        body = render_to_string("receipts/email.txt", {"application": application, "receipt": receipt})
    try:
        sent = mail_members(employer=application.employer, subject=subject, body=body)
    except Exception as exc:  # noqa: BLE001 - any mail error; the receipt itself is stored and shown in the portal
        logger.error("receipt %s: notification mail failed (%s)", receipt_id, type(exc).__name__)
        return 0
    logger.info("receipt %s: notification mailed to %s members", receipt_id, sent)
    return sent


def receipts_visible_to(user) -> QuerySet[Receipt]:
    """R42/R40: the employer's members and the office (scoped, R4); a 404 for anyone else."""
    return Receipt.objects.select_related("application__employer", "application__period").filter(
        application__in=applications_visible_to(user)
    )
