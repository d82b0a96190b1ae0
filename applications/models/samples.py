"""R31: the office's documented, reproducible random sample of small applications, and its checks.

A draw records everything needed to draw it again: the seed, the share, the population (the ids of the small
applications it was drawn from, sorted) and the ids drawn (see :func:`applications.samples.draw`). A check
records a reviewer's outcome of the evidence check of one drawn application; a settlement of a drawn
application waits for it (R31).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sectorplan.records import AppendOnlyModel


class SampleDraw(AppendOnlyModel):
    period = models.ForeignKey("budgets.Period", on_delete=models.PROTECT, related_name="sample_draws")
    seed = models.CharField(_("seed"), max_length=64)
    percent = models.DecimalField(_("share drawn (%)"), max_digits=5, decimal_places=2)
    population = models.JSONField(_("population (application ids)"), default=list)
    drawn = models.JSONField(_("drawn (application ids)"), default=list)
    method = models.CharField(_("method"), max_length=200)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField(_("drawn at"), auto_now_add=True)

    class Meta:
        ordering = ["-drawn_at", "-id"]
        verbose_name = _("sample draw")
        verbose_name_plural = _("sample draws")
        constraints = [
            models.CheckConstraint(condition=models.Q(percent__gt=0, percent__lte=100), name="sampledraw_percent_range"),
        ]

    def __str__(self):
        return f"{self.period} {self.drawn_at:%Y-%m-%d} ({len(self.drawn)}/{len(self.population)})"


class SampleOutcome(models.TextChoices):
    SOUND = "sound", _("Evidence sound")
    DEFICIENT = "deficient", _("Evidence deficient")


class SampleCheck(AppendOnlyModel):
    """A reviewer's check of the evidence of one drawn application (R31). Registrations whose evidence does
    not support them (``unsupported``) realise nothing at settlement."""

    draw = models.ForeignKey(SampleDraw, on_delete=models.PROTECT, related_name="checks")
    application = models.ForeignKey("applications.Application", on_delete=models.PROTECT, related_name="sample_checks")
    outcome = models.CharField(_("outcome"), max_length=20, choices=SampleOutcome.choices)
    notes = models.TextField(_("notes"))
    unsupported = models.ManyToManyField(
        "applications.Registration", blank=True, related_name="+", verbose_name=_("registrations not supported")
    )
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField(_("checked at"), auto_now_add=True)

    class Meta:
        ordering = ["checked_at", "id"]
        verbose_name = _("sample check")
        verbose_name_plural = _("sample checks")
        constraints = [
            models.UniqueConstraint(fields=["draw", "application"], name="samplecheck_once_per_draw"),
        ]
