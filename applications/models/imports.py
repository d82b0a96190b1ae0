from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    PLAN_LINES = "plan_lines", _("Plan lines")
    REGISTRATIONS = "registrations", _("Registrations")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """A file import that runs in the background (api.md: ``202 {"import": {"id", "status"}}``): the file was
    checked against the limits in the request (``sectorplan.tabular``); a Celery task imports it all or nothing
    (``applications.importing.import_job_run``). The content is kept until the job has finished."""

    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="imports", verbose_name=_("application")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    content = models.BinaryField(_("content"), blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created_count = models.PositiveIntegerField(_("created"), null=True, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"import {self.pk} ({self.kind}, {self.status})"
