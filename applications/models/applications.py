from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from budgets.constants import ActivityType
from sectorplan.money import MoneyField
from sectorplan.records import AppendOnlyModel, refuse

from ..constants import AgeBand, ApplicationStatus, DocumentKind, Focus, Outcome, RegistrationStatus
from .decisions import private_storage


class ApplicationQuerySet(models.QuerySet):
    def delete(self):
        if self.exclude(status=ApplicationStatus.DRAFT).exists():
            refuse(self.model, "deleted once submitted")
        return super().delete()


class Application(models.Model):
    """An employer's application for one region in one period (R5).

    Services change its status; once it has left ``draft`` it is never deleted (R39), and its
    registrations with it (see :class:`Registration`).
    """

    employer = models.ForeignKey(
        "applications.Employer", on_delete=models.PROTECT, related_name="applications", verbose_name=_("employer")
    )
    region = models.ForeignKey(
        "budgets.Region", on_delete=models.PROTECT, related_name="applications", verbose_name=_("region")
    )
    period = models.ForeignKey(
        "budgets.Period", on_delete=models.PROTECT, related_name="applications", verbose_name=_("period")
    )
    number = models.PositiveIntegerField(_("number within the period"))
    reference = models.CharField(_("reference"), max_length=30, unique=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    #: R14: chosen when applying; a small application asks at most the period's small-application limit.
    small = models.BooleanField(_("small application"), default=False)
    # Derived totals, kept by the services in the same transaction as the plan lines they sum (R12).
    requested_amount = MoneyField(_("requested amount"), default=0)
    eligible_amount = MoneyField(_("eligible amount"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("assessed by"),
    )
    assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True)
    # R44: the period's decision term from the window's close, extended by completion requests (R43); kept by
    # the services that change it (submission, completion request, completion): ``applications.terms``.
    decision_due = models.DateField(_("decision due"), null=True, blank=True)
    # R46: when the grant's project agreement was approved. The agreement lives in ``accounting`` (a layer up);
    # its review records the approval here (``registrations.agreement_approval_record``) so that the submission
    # of registrations, in this layer, can check it without an upward import.
    agreement_approved_at = models.DateTimeField(_("project agreement approved at"), null=True, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["period__number", "number"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(
                fields=["employer", "region", "period"],
                name="application_one_per_employer_region_period",
                violation_error_message=_("This employer already has an application for this region and period."),
            ),
            models.UniqueConstraint(fields=["period", "number"], name="application_unique_number_in_period"),
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=False) | Q(status__in=["draft", "withdrawn"]),
                name="application_submitted_has_time",
            ),
            models.CheckConstraint(
                condition=Q(eligible_amount__isnull=False)
                | Q(status__in=["draft", "submitted", "withdrawn", "not_considered"]),
                name="application_assessed_has_eligible_amount",
            ),
            models.CheckConstraint(condition=Q(requested_amount__gte=0), name="application_requested_nonnegative"),
        ]
        indexes = [models.Index(fields=["period", "status"]), models.Index(fields=["decision_due"])]

    def __str__(self):
        return self.reference

    def delete(self, *args, **kwargs):
        if Application.objects.filter(pk=self.pk).exclude(status=ApplicationStatus.DRAFT).exists():
            refuse(self, "deleted once submitted")
        return super().delete(*args, **kwargs)

    @property
    def is_small(self) -> bool:
        """R14: the employer's choice when applying (checked against the period's limit at submission)."""
        return self.small

    @staticmethod
    def make_reference(period_number: int, number: int) -> str:
        return f"SPP-T{period_number}-{number:06d}"


class ApplicationTransition(AppendOnlyModel):
    """Append-only history of status changes (R39): who, when, from, to, why."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("application")
    )
    from_status = models.CharField(_("from"), max_length=20, choices=ApplicationStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=ApplicationStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("actor")
    )
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self):
        return f"{self.application} · {self.get_from_status_display() or '—'} → {self.get_to_status_display()}"


class RegistrationQuerySet(models.QuerySet):
    def delete(self):
        if self.exclude(status=RegistrationStatus.DRAFT).exists():
            refuse(self.model, "deleted once submitted for review")
        return super().delete()


class Registration(models.Model):
    """One real trajectory of one person on a granted application (R47). Services change it along the lifecycle
    of R49 (every change on its timeline, :class:`RegistrationTransition`); it is deleted only while a draft."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("application")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=RegistrationStatus.choices, default=RegistrationStatus.DRAFT
    )
    initials = models.CharField(_("initials"), max_length=20)
    surname = models.CharField(_("surname"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"))
    focus = models.CharField(_("training focus"), max_length=30, choices=Focus.choices)
    activity_type = models.CharField(_("activity type"), max_length=1, choices=ActivityType.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    contract_hours = models.DecimalField(_("contract hours per week"), max_digits=4, decimal_places=1)
    employed_since = models.DateField(_("employed since"))
    cost = MoneyField(_("cost"), null=True, blank=True)
    # Derived by the service from the fields above (R10, R12).
    age_band = models.CharField(_("age band"), max_length=5, choices=AgeBand.choices)
    amount = MoneyField(_("subsidy amount"))
    # Review (R49): the reviewer's reason for a rejection, or what to repair.
    review_reason = models.TextField(_("reason"), blank=True)
    # R47: the same person in another employer's application for the same activity and start date.
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("possible duplicate of")
    )
    # Progress (R29), reported by members on approved registrations.
    started = models.BooleanField(_("started"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    actual_cost = MoneyField(_("actual cost"), null=True, blank=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "initials", "surname", "date_of_birth", "activity_type", "start_date"],
                name="registration_unique_person_in_application",
                violation_error_message=_("This person is already in the application with this activity and start."),
            ),
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="registration_end_after_start"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="registration_amount_nonnegative"),
            models.CheckConstraint(condition=Q(cost__isnull=True) | Q(cost__gte=0), name="registration_cost_nonnegative"),
            models.CheckConstraint(
                condition=Q(actual_cost__isnull=True) | Q(actual_cost__gte=0), name="registration_actual_cost_nonnegative"
            ),
            models.CheckConstraint(
                condition=Q(contract_hours__gte=0, contract_hours__lte=80), name="registration_hours_plausible"
            ),
            models.CheckConstraint(
                condition=Q(started=False, outcome="") | Q(started__isnull=True, outcome="") | Q(started=True),
                name="registration_not_started_has_no_outcome",
            ),
        ]
        indexes = [
            models.Index(fields=["application", "status"]),
            models.Index(fields=["status", "focus", "age_band"]),
            models.Index(fields=["initials", "surname", "date_of_birth", "activity_type", "start_date"]),
        ]

    def __str__(self):
        return f"{self.initials} {self.surname}"

    def delete(self, *args, **kwargs):
        if Registration.objects.filter(pk=self.pk).exclude(status=RegistrationStatus.DRAFT).exists():
            refuse(self, "deleted once submitted for review")
        return super().delete(*args, **kwargs)


class RegistrationTransition(AppendOnlyModel):
    """Append-only timeline of a registration (R49, R39): who, when, from, to, why."""

    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="transitions", verbose_name=_("registration")
    )
    from_status = models.CharField(_("from"), max_length=20, choices=RegistrationStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=RegistrationStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("actor")
    )
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("registration change")
        verbose_name_plural = _("registration changes")

    def __str__(self):
        return f"{self.registration} · {self.get_from_status_display() or '—'} → {self.get_to_status_display()}"


def evidence_upload_to(instance, filename):
    registration = instance.registration
    return f"evidence/{registration.application_id}/{registration.pk}/{filename}"


class RegistrationDocument(AppendOnlyModel):
    """An evidence document of a registration (R50): PDF, JPEG or PNG recognised by content, at most 10 MB,
    stored privately with its SHA-256, virus-scanned when a scanner is configured. A new upload of a kind is a
    new version; nothing is overwritten or deleted (R39)."""

    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="documents", verbose_name=_("registration")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=DocumentKind.choices)
    version = models.PositiveSmallIntegerField(_("version"))
    file = models.FileField(_("file"), storage=private_storage, upload_to=evidence_upload_to)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size in bytes"))
    media_type = models.CharField(_("media type"), max_length=50)
    filename = models.CharField(_("file name as uploaded"), max_length=255, blank=True)
    #: Whether a virus scanner checked it (only when one is configured, R50).
    scanned = models.BooleanField(_("virus-scanned"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["registration_id", "kind", "version"]
        verbose_name = _("evidence document")
        verbose_name_plural = _("evidence documents")
        constraints = [
            models.UniqueConstraint(fields=["registration", "kind", "version"], name="registrationdocument_unique_version"),
            models.CheckConstraint(condition=~Q(sha256="") & ~Q(file=""), name="registrationdocument_has_file"),
        ]

    def __str__(self):
        return f"{self.registration_id} {self.get_kind_display()} v{self.version}"


class PlanLineQuerySet(models.QuerySet):
    def delete(self):
        if self.exclude(application__status=ApplicationStatus.DRAFT).exists():
            refuse(self.model, "deleted once their application is submitted")
        return super().delete()


class PlanLine(models.Model):
    """One line of the plan (aanvraagmatrix, R8): how many trajectories of one activity type and focus, with
    the planned cost per trajectory for actual-cost types. Its amounts are derived by the service (R12); the
    office's assessment (R15) sets ``eligible_count`` and ``reason``. Deleted only while the application is a
    draft."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="plan_lines")
    activity_type = models.CharField(_("activity type"), max_length=1, choices=ActivityType.choices)
    focus = models.CharField(_("training focus"), max_length=30, choices=Focus.choices)
    count = models.PositiveIntegerField(_("number of trajectories"))
    planned_cost = MoneyField(_("planned cost per trajectory"), null=True, blank=True)
    # Derived by the service (R12): the fixed amount, or the planned cost capped per trajectory.
    amount_per_trajectory = MoneyField(_("amount per trajectory"))
    requested_amount = MoneyField(_("requested amount"))
    # Assessment (R15).
    eligible_count = models.PositiveIntegerField(_("eligible trajectories"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = PlanLineQuerySet.as_manager()

    class Meta:
        ordering = ["activity_type", "focus", "id"]
        verbose_name = _("plan line")
        verbose_name_plural = _("plan lines")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "activity_type", "focus"],
                name="planline_one_per_activity_focus",
                violation_error_message=_("The plan already has a line for this activity type and focus."),
            ),
            models.CheckConstraint(condition=Q(count__gte=1), name="planline_count_positive"),
            models.CheckConstraint(
                condition=Q(eligible_count__isnull=True) | Q(eligible_count__lte=models.F("count")),
                name="planline_eligible_within_count",
            ),
            models.CheckConstraint(
                condition=Q(planned_cost__isnull=True) | Q(planned_cost__gte=0), name="planline_cost_nonnegative"
            ),
            models.CheckConstraint(
                condition=Q(requested_amount__gte=0, amount_per_trajectory__gte=0), name="planline_amounts_nonnegative"
            ),
        ]

    def __str__(self):
        return f"{self.activity_type} / {self.focus}: {self.count}"

    @property
    def eligible_amount(self):
        """R15: the eligible trajectories at this line's amount per trajectory (None until assessed)."""
        if self.eligible_count is None:
            return None
        return self.eligible_count * self.amount_per_trajectory

    def delete(self, *args, **kwargs):
        if Application.objects.filter(pk=self.application_id).exclude(status=ApplicationStatus.DRAFT).exists():
            refuse(self, "deleted once their application is submitted")
        return super().delete(*args, **kwargs)
