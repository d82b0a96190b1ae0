"""R54: the processing log (*Logboek dataverwerkingen*): every read of personal data by an office user."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sectorplan.records import AppendOnlyModel

from ..constants import ProcessingAction, ProcessingPurpose


class ProcessingLogEntry(AppendOnlyModel):
    """One read (or export) of personal data by an office user: who, when, what (the kind of object and the ids
    read in that request: a list is one row with every id on the page), and for which task. Append-only (the
    model, its queryset and a database trigger refuse changes). Written only by
    ``applications.processing.log_processing``."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user"))
    at = models.DateTimeField(_("at"), auto_now_add=True)
    action = models.CharField(_("action"), max_length=10, choices=ProcessingAction.choices)
    purpose = models.CharField(_("purpose"), max_length=20, choices=ProcessingPurpose.choices)
    object_type = models.CharField(_("kind of object"), max_length=100, help_text=_("For example applications.registration."))
    object_ids = models.JSONField(_("object ids"), default=list)
    employer = models.ForeignKey(
        "applications.Employer", on_delete=models.PROTECT, related_name="+", verbose_name=_("employer")
    )
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("application"),
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("processing log entry")
        verbose_name_plural = _("processing log")
        indexes = [models.Index(fields=["employer", "-at"], name="processinglog_employer_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.object_type} {self.object_ids}"
