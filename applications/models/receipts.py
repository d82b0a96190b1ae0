"""The acknowledgement of receipt (R42) and the completion request (R43) of a submitted application."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sectorplan.records import AppendOnlyModel, UndeletableModel

from .decisions import private_storage

#: R43: a completion request's default term.
COMPLETION_DEFAULT_DAYS = 14


def receipt_upload_to(instance, filename):
    return f"receipts/{instance.application.period.number}/{filename}"


class Receipt(AppendOnlyModel):
    """R42 (Awb 4:3a, 2:17): the acknowledgement of receipt of one submission, written in the submission's
    transaction with the PDF of what was submitted and its SHA-256. Never changed or deleted (R39)."""

    application = models.OneToOneField(
        "applications.Application", on_delete=models.PROTECT, related_name="receipt", verbose_name=_("application")
    )
    received_at = models.DateTimeField(_("received at"), help_text=_("The exact server time of receipt."))
    file = models.FileField(_("file"), storage=private_storage, upload_to=receipt_upload_to)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["received_at", "id"]
        verbose_name = _("acknowledgement of receipt")
        verbose_name_plural = _("acknowledgements of receipt")
        constraints = [
            models.CheckConstraint(condition=~Q(sha256="") & ~Q(file=""), name="receipt_has_file"),
        ]

    def __str__(self):
        return f"{self.application.reference} {self.received_at:%Y-%m-%d %H:%M:%S}"


def default_completion_due():
    return timezone.localdate() + timedelta(days=COMPLETION_DEFAULT_DAYS)


class CompletionRequest(UndeletableModel):
    """R43 (Awb 4:5, 4:15): the office asks the employer to complete its application by ``due_date``. The
    decision term is suspended from the request until its completion or, when not completed in time, until
    the due date. Completing fills ``completed_at``/``explanation``; nothing deletes it (R39)."""

    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="completion_requests",
        verbose_name=_("application"),
    )
    missing = models.TextField(_("what is missing"))
    due_date = models.DateField(_("due date"), default=default_completion_due)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("completed by"),
    )
    explanation = models.TextField(_("explanation"), blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        verbose_name = _("completion request")
        verbose_name_plural = _("completion requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(completed_at__isnull=True) | ~Q(explanation=""), name="completion_has_explanation"
            ),
            # One open request at a time per application.
            models.UniqueConstraint(
                fields=["application"], condition=Q(completed_at__isnull=True), name="completion_one_open"
            ),
        ]

    def __str__(self):
        return f"{self.application.reference} {self.requested_at:%Y-%m-%d} → {self.due_date}"

    @property
    def is_open(self) -> bool:
        return self.completed_at is None

    def is_expired(self, today=None) -> bool:
        """Not completed and its last day has passed."""
        return self.completed_at is None and (today or timezone.localdate()) > self.due_date
