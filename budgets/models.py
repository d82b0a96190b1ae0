"""Reference data of domain.md §3: regions, employer organisations, periods and their rates.

Allocation, the Commission's advice, holdbacks and the ledger live in this app too (budgets issue).
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sectorplan.money import MoneyField
from sectorplan.records import AppendOnlyModel, UndeletableModel

from .constants import (
    COST_EVIDENCE,
    SMALL_APPLICATION_EVIDENCE,
    ActivityType,
    AdviceOutcome,
    AllocationMethod,
    BudgetLineEarmark,
    DeadlineKind,
    EvidenceKind,
    LedgerKind,
    RateMethod,
    ReferenceChangeAction,
)

PERCENT_VALIDATORS = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


def period_window_errors(*, application_opens, application_closes, training_start_from, training_start_until) -> dict:
    """The order of a period's windows, by field: the one definition for ``Period.clean`` and the API
    serializer (the database holds the same as the check constraints ``period_window_order`` and
    ``period_training_window_order``). Missing values are not checked here."""
    errors = {}
    if application_opens and application_closes and application_closes <= application_opens:
        errors["application_closes"] = _("The application window must close after it opens.")
    if training_start_from and training_start_until and training_start_until < training_start_from:
        errors["training_start_until"] = _("The training-start window must end on or after its start.")
    return errors


#: How far after the end of a period's training-start window a deadline (or an extension) may lie at most.
DEADLINE_MAX_YEARS = 5


def years_later(day: date, years: int) -> date:
    """``day`` moved ``years`` years on (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def deadline_plausible_range(*, application_opens, training_start_until) -> tuple[date, date] | None:
    """The dates a deadline of a period may take (issue 16, item 5): not before the application window opens (its
    local date), at most five years after the training-start window ends. None while the windows are not known."""
    if not application_opens or not training_start_until:
        return None
    opens = application_opens
    if hasattr(opens, "tzinfo") and opens.tzinfo is not None:
        opens = opens.astimezone(timezone.get_current_timezone())
    opens = opens.date() if hasattr(opens, "date") else opens
    return opens, years_later(training_start_until, DEADLINE_MAX_YEARS)


def deadline_plausibility_error(day, *, application_opens, training_start_until):
    """The message for an implausible deadline ``day`` of a period, or None when it is plausible (or unknown)."""
    bounds = deadline_plausible_range(application_opens=application_opens, training_start_until=training_start_until)
    if day is None or bounds is None or bounds[0] <= day <= bounds[1]:
        return None
    return _(
        "The date must lie between %(start)s (the application window opens) and %(end)s (five years after "
        "the training-start window ends)."
    ) % {"start": bounds[0].strftime("%d-%m-%Y"), "end": bounds[1].strftime("%d-%m-%Y")}


class EmployerOrganisation(models.Model):
    """One of the 14 regional employer organisations (regionale werkgeversorganisaties)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name = _("regional employer organisation")
        verbose_name_plural = _("regional employer organisations")

    def __str__(self):
        return self.name


class Region(models.Model):
    """One of the 28 RAAT labour-market regions."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200, unique=True)
    employer_organisation = models.ForeignKey(
        EmployerOrganisation,
        on_delete=models.PROTECT,
        related_name="regions",
        verbose_name=_("regional employer organisation"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.name


class Period(models.Model):
    """A time period (tijdvak) with its windows, budget and settings. Tranche n is period n."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True, validators=[MinValueValidator(1)])
    application_opens = models.DateTimeField(_("application window opens"))
    application_closes = models.DateTimeField(
        _("application window closes"),
        help_text=_("Submissions must arrive before this moment (Europe/Amsterdam)."),
    )
    training_start_from = models.DateField(_("training starts from"))
    training_start_until = models.DateField(_("training starts until"))
    accountability_deadline = models.DateField(
        _("accountability deadline"),
        help_text=_("Also the accountability date of the deadline calendar, which mirrors this field (R53)."),
    )
    pooled = models.BooleanField(
        _("pooled ceiling"), default=False, help_text=_("One ceiling for all earmarks instead of one per earmark.")
    )
    holdback_applies = models.BooleanField(_("holdback applies"), default=False)
    holdback_percent = models.DecimalField(
        _("holdback percentage"), max_digits=5, decimal_places=2, default=Decimal("25.00"),
        validators=PERCENT_VALIDATORS,
    )
    advance_percent = models.DecimalField(
        _("advance percentage"), max_digits=5, decimal_places=2, default=Decimal("75.00"),
        validators=PERCENT_VALIDATORS,
    )
    retention_allowed = models.BooleanField(_("retention focus allowed"), default=False)
    retention_max_percent = models.DecimalField(
        _("retention maximum share"), max_digits=5, decimal_places=2, default=Decimal("50.00"),
        validators=PERCENT_VALIDATORS,
    )
    small_application_limit = MoneyField(
        _("small-application limit"), null=True, blank=True, validators=[MinValueValidator(Decimal(0))],
        help_text=_("Applications up to this amount account lightly (R14, R31). Empty: no such regime."),
    )
    oversubscription_floor = MoneyField(
        _("oversubscription floor"), default=Decimal("0.00"), validators=[MinValueValidator(Decimal(0))],
    )
    application_cap = MoneyField(
        _("cap per application"), null=True, blank=True, validators=[MinValueValidator(Decimal(0))],
        help_text=_("No application is granted more than this (R12, R16). Empty: no cap."),
    )
    allocation_method = models.CharField(
        _("allocation method"), max_length=20, choices=AllocationMethod.choices, default=AllocationMethod.PRO_RATA,
        help_text=_("How the budget is divided when the eligible amounts do not all fit (R16)."),
    )
    decision_term_weeks = models.PositiveSmallIntegerField(
        _("decision term (weeks)"), default=13, validators=[MinValueValidator(1), MaxValueValidator(104)],
        help_text=_("Weeks after the application window closes within which the office decides (R44)."),
    )

    class Meta:
        ordering = ["number"]
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        constraints = [
            models.CheckConstraint(
                condition=Q(application_closes__gt=models.F("application_opens")),
                name="period_window_order",
                violation_error_message=_("The application window must close after it opens."),
            ),
            models.CheckConstraint(
                condition=Q(training_start_until__gte=models.F("training_start_from")),
                name="period_training_window_order",
                violation_error_message=_("The training-start window must end on or after its start."),
            ),
            models.CheckConstraint(
                condition=Q(holdback_percent__gte=0, holdback_percent__lte=100)
                & Q(advance_percent__gte=0, advance_percent__lte=100)
                & Q(retention_max_percent__gte=0, retention_max_percent__lte=100),
                name="period_percentages_0_100",
            ),
            models.CheckConstraint(
                condition=Q(application_cap__isnull=True) | Q(application_cap__gte=0),
                name="period_application_cap_nonnegative",
            ),
        ]

    def __str__(self):
        return _("Period %(number)s") % {"number": self.number}

    def clean(self):
        errors = period_window_errors(
            application_opens=self.application_opens,
            application_closes=self.application_closes,
            training_start_from=self.training_start_from,
            training_start_until=self.training_start_until,
        )
        implausible = deadline_plausibility_error(
            self.accountability_deadline,
            application_opens=self.application_opens,
            training_start_until=self.training_start_until,
        )
        if implausible:
            errors.setdefault("accountability_deadline", implausible)
        if errors:
            raise ValidationError(errors)

    @property
    def tranche(self) -> int:
        return self.number

    def is_small_amount(self, amount) -> bool:
        """R14: an application asking at most the small-application limit is small; without a limit, none is."""
        return self.small_application_limit is not None and amount <= self.small_application_limit

    def deadline_calendar(self) -> list[tuple[str, date]]:
        """R53: ``[(kind, date), ...]`` in the order of :class:`DeadlineKind`. The accountability date is
        this period's ``accountability_deadline`` (the calendar row mirrors it), so it is always there."""
        dates = {d.kind: d.date for d in self.deadlines.all()}
        dates[DeadlineKind.ACCOUNTABILITY] = self.accountability_deadline
        return [(kind, dates[kind]) for kind in DeadlineKind.values if dates.get(kind) is not None]


class Deadline(models.Model):
    """One date of a period's deadline calendar (R53): agreement, registration, repair, accountability.

    Reference data, edited through ``budgets.reference_services`` (audited). The accountability row mirrors
    ``Period.accountability_deadline``, which existing code reads; the services keep the two equal.
    Extensions for the whole period or one employer come with the registrations."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="deadlines", verbose_name=_("period"))
    kind = models.CharField(_("kind"), max_length=20, choices=DeadlineKind.choices)
    date = models.DateField(_("date"))

    class Meta:
        ordering = ["period__number", "date", "kind"]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        constraints = [
            models.UniqueConstraint(fields=["period", "kind"], name="deadline_unique_period_kind"),
        ]

    def __str__(self):
        return f"{self.period} / {self.get_kind_display()}: {self.date:%d-%m-%Y}"


class DeadlineExtension(AppendOnlyModel):
    """R53: the office moves one deadline of a period later, for the whole period or for one employer, with a
    reason. Append-only (the model, its queryset and a database trigger refuse changes); the latest wins
    (``budgets.selectors.deadline_for``). Written only by ``budgets.reference_services.deadline_extend``,
    which also writes the reference-data audit row. The employer is named by a string foreign key:
    ``budgets`` never imports ``applications``."""

    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="deadline_extensions", verbose_name=_("period")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DeadlineKind.choices)
    date = models.DateField(_("new date"))
    reason = models.TextField(_("reason"))
    employer = models.ForeignKey(
        "applications.Employer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("employer"),
        help_text=_("Empty: the extension applies to the whole period."),
    )
    created_by = models.ForeignKey(
        "auth.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["period__number", "kind", "created_at", "id"]
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")
        indexes = [models.Index(fields=["period", "kind", "employer"], name="deadlineext_lookup")]

    def __str__(self):
        return f"{self.period} / {self.get_kind_display()}: {self.date:%d-%m-%Y}"


class BudgetLine(models.Model):
    """A period's ceiling for one earmark, or the single pooled line."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="budget_lines", verbose_name=_("period"))
    earmark = models.CharField(_("earmark"), max_length=20, choices=BudgetLineEarmark.choices)
    ceiling = MoneyField(_("ceiling"), validators=[MinValueValidator(Decimal(0))])

    class Meta:
        ordering = ["period__number", "earmark"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.UniqueConstraint(fields=["period", "earmark"], name="budgetline_unique_period_earmark"),
            models.CheckConstraint(condition=Q(ceiling__gte=0), name="budgetline_ceiling_nonnegative"),
        ]

    def __str__(self):
        return f"{self.period} / {self.get_earmark_display()}"


def validate_evidence_kinds(value) -> None:
    """R50: a list of distinct evidence kinds (``EvidenceKind``)."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(_("A list of document kinds."), code="invalid")
    unknown = [v for v in value if v not in EvidenceKind.values]
    if unknown:
        raise ValidationError(
            _("Unknown document kind(s): %(kinds)s; use: %(known)s."),
            code="invalid_choice", params={"kinds": ", ".join(unknown), "known": ", ".join(EvidenceKind.values)},
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("Each document kind once."), code="duplicate")


def required_evidence(required_documents, *, small: bool) -> list[str]:
    """R50, R31: the evidence a registration needs: its rate's documents, for a small application with the cost
    evidence replaced by a completion statement."""
    kinds = list(required_documents or [])
    if small:
        kinds = [k for k in kinds if k not in COST_EVIDENCE]
        if SMALL_APPLICATION_EVIDENCE not in kinds:
            kinds.append(SMALL_APPLICATION_EVIDENCE)
    return kinds


class ActivityRate(models.Model):
    """The subsidy per registration of one activity type in one period (domain.md §3, R12)."""

    period = models.ForeignKey(
        Period, on_delete=models.CASCADE, related_name="activity_rates", verbose_name=_("period")
    )
    activity_type = models.CharField(_("activity type"), max_length=1, choices=ActivityType.choices)
    method = models.CharField(_("method"), max_length=20, choices=RateMethod.choices)
    amount = MoneyField(
        _("amount"), validators=[MinValueValidator(Decimal(0))],
        help_text=_("The fixed amount, or the cap for actual-cost types."),
    )
    reduced_amount = MoneyField(
        _("amount for short contracts"), null=True, blank=True, validators=[MinValueValidator(Decimal(0))],
        help_text=_("Fixed types: the amount when the contract is shorter than the minimum hours."),
    )
    min_contract_hours = models.DecimalField(
        _("minimum contract hours per week"), max_digits=4, decimal_places=1, null=True, blank=True,
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    #: R50, domain.md §3: the evidence a registration of this type needs (period data). A small application's
    #: registrations need a completion statement instead of the cost evidence (R31; ``required_evidence``).
    required_documents = models.JSONField(
        _("required documents"), default=list, blank=True, validators=[validate_evidence_kinds],
        help_text=_("The kinds of evidence a registration of this activity type needs, e.g. "
                    '["invoice", "proof_of_payment", "attendance_list"].'),
    )

    class Meta:
        ordering = ["period__number", "activity_type"]
        verbose_name = _("activity rate")
        verbose_name_plural = _("activity rates")
        constraints = [
            models.UniqueConstraint(fields=["period", "activity_type"], name="activityrate_unique_period_type"),
        ]

    def __str__(self):
        return f"{self.period} / {self.activity_type}"


class AllocationStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CONFIRMED = "confirmed", _("Confirmed")
    DISCARDED = "discarded", _("Discarded")


class Allocation(UndeletableModel):
    """The allocation of a period's budget (R16-R18): first a proposal, then confirmed by a decider.

    Its status moves (proposed -> confirmed or discarded); the row, its lines and items are never deleted."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("period"))
    status = models.CharField(
        _("status"), max_length=20, choices=AllocationStatus.choices, default=AllocationStatus.PROPOSED
    )
    created_by = models.ForeignKey(
        "auth.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        "auth.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("confirmed by")
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    floor = MoneyField(
        _("oversubscription floor"), default=Decimal("0.00"),
        help_text=_("The period's floor when the proposal was made; a changed floor makes the proposal stale (R18)."),
    )
    method = models.CharField(
        _("allocation method"), max_length=20, choices=AllocationMethod.choices, default=AllocationMethod.PRO_RATA,
        help_text=_("The period's method when the proposal was made; a changed method makes it stale (R18)."),
    )
    application_cap = MoneyField(
        _("cap per application"), null=True, blank=True,
        help_text=_("The period's cap when the proposal was made; a changed cap makes it stale (R18)."),
    )

    class Meta:
        ordering = ["period__number", "-created_at"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.UniqueConstraint(
                fields=["period"], condition=Q(status="confirmed"), name="allocation_one_confirmed_per_period"
            ),
        ]

    def __str__(self):
        return f"{self.period} #{self.pk} ({self.get_status_display()})"


class AllocationLine(AppendOnlyModel):
    """Per earmark (or pooled): ceiling, eligible requested total, factor and granted total."""

    allocation = models.ForeignKey(
        Allocation, on_delete=models.CASCADE, related_name="lines", verbose_name=_("allocation")
    )
    earmark = models.CharField(_("earmark"), max_length=20, choices=BudgetLineEarmark.choices)
    ceiling = MoneyField(_("ceiling"))
    requested = MoneyField(_("eligible requested"))
    factor = models.DecimalField(_("factor"), max_digits=13, decimal_places=10)
    granted = MoneyField(_("granted"))

    class Meta:
        ordering = ["earmark"]
        verbose_name = _("allocation line")
        verbose_name_plural = _("allocation lines")
        constraints = [
            models.UniqueConstraint(fields=["allocation", "earmark"], name="allocationline_unique_earmark"),
            models.CheckConstraint(condition=Q(granted__lte=models.F("ceiling")), name="allocationline_within_ceiling"),
        ]

    def __str__(self):
        return f"{self.allocation} · {self.get_earmark_display()}"


class AllocationItem(AppendOnlyModel):
    """One application's share in an allocation."""

    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="items")
    application = models.ForeignKey("applications.Application", on_delete=models.PROTECT, related_name="+")
    earmark = models.CharField(_("earmark"), max_length=20, choices=BudgetLineEarmark.choices)
    eligible_amount = MoneyField(_("eligible amount"))
    granted_amount = MoneyField(_("granted amount"))

    class Meta:
        ordering = ["application_id"]
        constraints = [
            models.UniqueConstraint(fields=["allocation", "application"], name="allocationitem_unique_application"),
            models.CheckConstraint(
                condition=Q(granted_amount__lte=models.F("eligible_amount")), name="allocationitem_within_eligible"
            ),
        ]


class CommissionAdvice(AppendOnlyModel):
    """The Commission's advice on a region's progress for one period (R21). History is kept; the latest
    (by date, then by the time it was recorded) counts. Append-only: a new advice supersedes, never an edit."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="advices", verbose_name=_("region"))
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="advices", verbose_name=_("period"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=AdviceOutcome.choices)
    date = models.DateField(_("date of the advice"))
    reference = models.CharField(_("report reference"), max_length=200)
    recorded_by = models.ForeignKey(
        "auth.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["period__number", "region__name", "-date", "-recorded_at", "-id"]
        verbose_name = _("Commission advice")
        verbose_name_plural = _("Commission advice")
        indexes = [models.Index(fields=["period", "region", "-date", "-recorded_at"])]

    def __str__(self):
        return f"{self.region} / {self.period}: {self.get_outcome_display()} ({self.date})"


class LedgerEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Ledger entries are append-only (R25).")

    def delete(self):
        raise TypeError("Ledger entries are append-only (R25).")


class LedgerEntry(models.Model):
    """One money movement (R25). Append-only: balances are sums of entries, never edited."""

    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="ledger_entries", verbose_name=_("period")
    )
    earmark = models.CharField(
        _("budget line"), max_length=20, choices=BudgetLineEarmark.choices,
        help_text=_("The earmark of the budget line the money belongs to ('pooled' in pooled periods)."),
    )
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries",
        verbose_name=_("application"),
    )
    decision = models.ForeignKey(
        "applications.Decision", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries",
        verbose_name=_("decision"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=LedgerKind.choices)
    amount = MoneyField(_("amount"))
    actor = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("actor"))
    at = models.DateTimeField(_("at"), auto_now_add=True)
    memo = models.CharField(_("memo"), max_length=200, blank=True)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="ledgerentry_amount_nonnegative"),
        ]
        indexes = [
            models.Index(fields=["period", "earmark", "kind"]),
            models.Index(fields=["application", "kind"]),
        ]

    def __str__(self):
        return f"{self.period} {self.earmark} {self.kind} {self.amount}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise TypeError("Ledger entries are append-only (R25).")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Ledger entries are append-only (R25).")


class ReferenceDataChange(AppendOnlyModel):
    """One edit of reference data (regions, employer organisations, periods, budget lines, activity
    rates): who changed which object when, and every changed field as ``{"field": {"old": .., "new": ..}}``.

    Written by ``budgets.reference_services`` in the same transaction as the change; append-only.
    The object is named, not linked, so the row outlives a deleted region or period.
    """

    actor = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("actor"))
    at = models.DateTimeField(_("at"), auto_now_add=True)
    action = models.CharField(_("action"), max_length=10, choices=ReferenceChangeAction.choices)
    model = models.CharField(_("kind of object"), max_length=100, help_text=_("For example budgets.period."))
    object_id = models.PositiveBigIntegerField(_("object id"))
    object_repr = models.CharField(_("object"), max_length=200)
    changes = models.JSONField(_("changed fields"), encoder=DjangoJSONEncoder, default=dict)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("reference-data change")
        verbose_name_plural = _("reference-data changes")
        indexes = [models.Index(fields=["model", "object_id", "-at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.get_action_display()} {self.object_repr}"
