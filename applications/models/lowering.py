"""Lowering of reservations after the registration deadline (R51): a proposal by one office user, confirmed by a
decider other than the proposer (four-eyes, R4; issue 13). Undeletable (R39): the proposal's status moves
(proposed -> confirmed or discarded), its lines are written once."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sectorplan.money import MoneyField
from sectorplan.records import AppendOnlyModel, UndeletableModel


class AmendmentRunStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CONFIRMED = "confirmed", _("Confirmed")
    DISCARDED = "discarded", _("Discarded")


class LoweringProposal(UndeletableModel):
    """R51: which reservations of a period are lowered, and to what. A newer proposal discards older ones."""

    period = models.ForeignKey("budgets.Period", on_delete=models.PROTECT, related_name="lowering_proposals")
    status = models.CharField(
        _("status"), max_length=20, choices=AmendmentRunStatus.choices, default=AmendmentRunStatus.PROPOSED
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lowering proposal")
        verbose_name_plural = _("lowering proposals")
        constraints = [
            models.UniqueConstraint(
                fields=["period"], condition=Q(status="proposed"), name="lowering_one_open_proposal_per_period"
            ),
        ]

    def __str__(self):
        return f"{self.period} / {self.get_status_display()} {self.pk}"


class LoweringLine(AppendOnlyModel):
    """One reservation to lower (R51): what it is now, the approved registrations' subsidy and the factor's
    outcome (the target), and the new parts."""

    proposal = models.ForeignKey(LoweringProposal, on_delete=models.PROTECT, related_name="lines")
    application = models.ForeignKey("applications.Application", on_delete=models.PROTECT, related_name="+")
    earmark = models.CharField(_("budget line"), max_length=20)
    approved_amount = MoneyField(_("approved registrations' subsidy"))
    target = MoneyField(_("approved subsidy × allocation factor"))
    previous_reserved = MoneyField(_("reservation now"))
    previous_held = MoneyField(_("held back now"))
    previous_released = MoneyField(_("released now"))
    new_reserved = MoneyField(_("new reservation"))
    new_held = MoneyField(_("new held-back part"))
    new_released = MoneyField(_("new released part"))

    class Meta:
        ordering = ["proposal", "application_id"]
        verbose_name = _("lowering line")
        verbose_name_plural = _("lowering lines")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "application"], name="lowering_line_unique_application"),
            models.CheckConstraint(condition=Q(new_reserved__lt=models.F("previous_reserved")),
                                   name="lowering_line_never_raises"),
        ]

    @property
    def freed(self):
        return self.previous_reserved - self.new_reserved
