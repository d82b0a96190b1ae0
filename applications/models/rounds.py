"""Redistribution rounds (R52): a window in which employers with a reservation request an increase or announce a
decrease; after it, a proposal (decreases first, then the available money over the increases) confirmed by a
decider other than the proposer. Undeletable (R39)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sectorplan.money import MoneyField
from sectorplan.records import AppendOnlyModel, UndeletableModel

from .lowering import AmendmentRunStatus


class RevisionRoundStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PROPOSED = "proposed", _("Proposal made")
    CONFIRMED = "confirmed", _("Confirmed")


class RevisionChange(models.TextChoices):
    INCREASE = "increase", _("Increase")
    DECREASE = "decrease", _("Decrease")


class RevisionRound(UndeletableModel):
    """A redistribution round of a period: requests from ``opens`` to ``closes`` (days, Europe/Amsterdam,
    inclusive; the closing day is the calendar's ``revision_round`` deadline, R53, extendable per employer)."""

    period = models.ForeignKey("budgets.Period", on_delete=models.PROTECT, related_name="revision_rounds")
    opens = models.DateField(_("opens"))
    closes = models.DateField(_("closes"))
    status = models.CharField(
        _("status"), max_length=20, choices=RevisionRoundStatus.choices, default=RevisionRoundStatus.OPEN
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["period", "-opens", "-id"]
        verbose_name = _("redistribution round")
        verbose_name_plural = _("redistribution rounds")
        constraints = [
            models.CheckConstraint(condition=Q(closes__gte=models.F("opens")), name="revision_round_closes_after_opens"),
        ]

    def __str__(self):
        return f"{self.period} / {self.opens:%d-%m-%Y} – {self.closes:%d-%m-%Y}"


class RevisionRequest(AppendOnlyModel):
    """A contact's request in a round (R52): an increase (amount and reason) or a decrease (amount). A later
    request for the same application in the same round replaces the earlier one (the latest counts)."""

    round = models.ForeignKey(RevisionRound, on_delete=models.PROTECT, related_name="requests")
    application = models.ForeignKey("applications.Application", on_delete=models.PROTECT, related_name="+")
    change = models.CharField(_("change"), max_length=10, choices=RevisionChange.choices)
    amount = MoneyField(_("amount"))
    reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["round", "application_id", "-created_at", "-id"]
        verbose_name = _("revision request")
        verbose_name_plural = _("revision requests")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="revision_request_amount_positive"),
        ]


class RevisionProposal(UndeletableModel):
    """The proposal of a closed round (R52); a newer one discards older ones."""

    round = models.ForeignKey(RevisionRound, on_delete=models.PROTECT, related_name="proposals")
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
        verbose_name = _("redistribution proposal")
        verbose_name_plural = _("redistribution proposals")
        constraints = [
            models.UniqueConstraint(fields=["round"], condition=Q(status="proposed"), name="revision_one_open_proposal"),
        ]


class RevisionLine(AppendOnlyModel):
    """One application's outcome in a proposal: requested (positive: increase, negative: decrease) and granted
    (the change the confirmation makes), with the parts before and after."""

    proposal = models.ForeignKey(RevisionProposal, on_delete=models.PROTECT, related_name="lines")
    application = models.ForeignKey("applications.Application", on_delete=models.PROTECT, related_name="+")
    earmark = models.CharField(_("budget line"), max_length=20)
    change = models.CharField(_("change"), max_length=10, choices=RevisionChange.choices)
    requested = MoneyField(_("requested"))
    granted = MoneyField(_("granted change"))
    previous_reserved = MoneyField(_("reservation now"))
    previous_held = MoneyField(_("held back now"))
    previous_released = MoneyField(_("released now"))
    new_reserved = MoneyField(_("new reservation"))
    new_held = MoneyField(_("new held-back part"))
    new_released = MoneyField(_("new released part"))

    class Meta:
        ordering = ["proposal", "application_id"]
        verbose_name = _("redistribution line")
        verbose_name_plural = _("redistribution lines")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "application"], name="revision_line_unique_application"),
        ]
