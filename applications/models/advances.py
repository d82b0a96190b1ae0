"""Advance runs (R48): a proposal per period, its lines per application, and the payment batch of its confirmation.

Written only by :mod:`applications.decisions.advances`. A run is never deleted (R39): a newer proposal discards an
older one; a confirmed run keeps its lines, each linked to the ``advance`` decision it became, and its payment batch
with the SEPA credit-transfer file (pain.001) stored privately with its SHA-256.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sectorplan.money import MoneyField
from sectorplan.records import AppendOnlyModel, UndeletableModel

from .decisions import private_storage


class AdvanceRunStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CONFIRMED = "confirmed", _("Confirmed")
    DISCARDED = "discarded", _("Replaced by a newer proposal")


class AdvanceRun(UndeletableModel):
    """One advance run of a period (R48): proposed by one office user, confirmed by a decider who is not the
    proposer. ``ledger_count``/``ledger_last`` fingerprint the period's ledger at the proposal: a confirmation
    after any other money movement of the period is refused as stale."""

    period = models.ForeignKey("budgets.Period", on_delete=models.PROTECT, related_name="advance_runs")
    status = models.CharField(
        _("status"), max_length=20, choices=AdvanceRunStatus.choices, default=AdvanceRunStatus.PROPOSED
    )
    advance_percent = models.DecimalField(_("advance share (%)"), max_digits=5, decimal_places=2)
    total = MoneyField(_("total to pay"), default=0)
    count = models.PositiveIntegerField(_("payments"), default=0)
    blocked_total = MoneyField(_("total blocked"), default=0)
    blocked_count = models.PositiveIntegerField(_("blocked"), default=0)
    ledger_count = models.PositiveIntegerField(_("ledger entries of the period at the proposal"))
    ledger_last = models.BigIntegerField(_("last ledger entry of the period at the proposal"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("advance run")
        verbose_name_plural = _("advance runs")
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0, blocked_total__gte=0), name="advancerun_totals_nonnegative"),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_by__isnull=False, confirmed_at__isnull=False),
                name="advancerun_confirmed_has_decider",
            ),
        ]
        indexes = [models.Index(fields=["period", "status"])]

    def __str__(self):
        return f"{self.period} advance run #{self.pk} ({self.get_status_display()})"


class AdvanceRunLine(UndeletableModel):
    """One application's advance in a run, with the inputs of R48 as they were at the proposal. A blocked line
    (its IBAN does not validate) is listed but not paid. ``decision`` is set when the run is confirmed."""

    run = models.ForeignKey(AdvanceRun, on_delete=models.PROTECT, related_name="lines")
    application = models.ForeignKey("applications.Application", on_delete=models.PROTECT, related_name="+")
    employer = models.ForeignKey("applications.Employer", on_delete=models.PROTECT, related_name="+")
    earmark = models.CharField(_("budget line"), max_length=20)
    approved_amount = MoneyField(_("approved registrations' subsidy"))
    granted_amount = MoneyField(_("reservation at grant"))
    eligible_amount = MoneyField(_("eligible amount"))
    cap = MoneyField(_("unconditional reservation in force"))
    entitled = MoneyField(_("advance share of the basis"))
    already_paid = MoneyField(_("advances already paid"))
    advance = MoneyField(_("advance"))
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    account_holder = models.CharField(_("account holder"), max_length=200)
    blocked = models.BooleanField(_("blocked"), default=False)
    blocked_reason = models.CharField(_("why blocked"), max_length=200, blank=True)
    decision = models.OneToOneField(
        "applications.Decision", on_delete=models.PROTECT, null=True, blank=True, related_name="advance_line"
    )

    class Meta:
        ordering = ["run_id", "id"]
        verbose_name = _("advance run line")
        verbose_name_plural = _("advance run lines")
        constraints = [
            models.UniqueConstraint(fields=["run", "application"], name="advancerunline_one_per_application"),
            models.CheckConstraint(condition=Q(advance__gt=0), name="advancerunline_advance_positive"),
            models.CheckConstraint(
                condition=Q(advance__lte=models.F("entitled")), name="advancerunline_within_entitled"
            ),
            models.CheckConstraint(
                condition=Q(blocked=False) | Q(decision__isnull=True), name="advancerunline_blocked_not_paid"
            ),
        ]


def payment_file_upload_to(instance, filename):
    return f"payments/{instance.run.period.number}/{filename}"


class PaymentBatch(AppendOnlyModel):
    """The payments of a confirmed run (R48): a SEPA credit-transfer file (pain.001) to the employers' IBANs from
    the configured debtor account. ``total`` (the file's control sum) equals the run's ``advance`` ledger entries;
    ``manage.py check_ledger`` checks it against the ledger and the stored file."""

    run = models.OneToOneField(AdvanceRun, on_delete=models.PROTECT, related_name="payment_batch")
    period = models.ForeignKey("budgets.Period", on_delete=models.PROTECT, related_name="payment_batches")
    total = MoneyField(_("total"))
    count = models.PositiveIntegerField(_("payments"))
    message_id = models.CharField(_("SEPA message id"), max_length=35, unique=True)
    execution_date = models.DateField(_("requested execution date"))
    file = models.FileField(_("SEPA file"), storage=private_storage, upload_to=payment_file_upload_to)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("payment batch")
        verbose_name_plural = _("payment batches")
        constraints = [models.CheckConstraint(condition=Q(total__gt=0, count__gt=0), name="paymentbatch_not_empty")]

    def __str__(self):
        return f"{self.period} payment batch #{self.pk}"
