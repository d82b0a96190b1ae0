"""Invitations (R3), accountability reports, reminders and objections. Memberships live with employers in
``applications`` (who may see an application is decided by membership)."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from applications.constants import MembershipRole
from applications.models.decisions import private_storage
from budgets.constants import DeadlineKind
from sectorplan.records import AppendOnlyModel, UndeletableModel

from .deadlines import next_working_day_from

#: Awb 7:10 lid 1: six weeks (no advisory committee); lid 3: adjourned by at most six weeks.
RULING_TERM_WEEKS = 6


class Invitation(models.Model):
    """A contact invites an e-mail address to become a member of its employer (R3).

    Single use and valid for :data:`INVITATION_VALID_DAYS` days. Only a SHA-256 of the token is stored;
    the token itself exists only in the e-mail.
    """

    employer = models.ForeignKey(
        "applications.Employer", on_delete=models.CASCADE, related_name="invitations", verbose_name=_("employer")
    )
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=30, choices=MembershipRole.choices)
    token_hash = models.CharField(max_length=64, unique=True, verbose_name=_("token hash"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("accepted by"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True, accepted_by__isnull=True)
                | Q(accepted_at__isnull=False, accepted_by__isnull=False),
                name="invitation_accepted_has_user",
            ),
        ]

    def __str__(self):
        return f"{self.employer} ({self.get_role_display()})"


class AccountabilityReport(models.Model):
    """The employer's accountability report on one granted application (R29, R31).

    The per-registration values live on :class:`applications.Registration`; this row records who
    submitted when, the completion statement of a small application, and the office's reopening (R32).
    """

    application = models.OneToOneField(
        "applications.Application", on_delete=models.PROTECT, related_name="accountability_report",
        verbose_name=_("application"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("submitted by"),
    )
    completion_statement = models.BooleanField(
        _("completion statement"), default=False,
        help_text=_("Small applications (R31): the employer states completion per registration, without costs."),
    )
    reopened_until = models.DateField(_("reopened until"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("reopened by"),
    )
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)

    class Meta:
        verbose_name = _("accountability report")
        verbose_name_plural = _("accountability reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True) | Q(submitted_by__isnull=False),
                name="accountabilityreport_submitted_has_user",
            ),
        ]

    def __str__(self):
        return f"{self.application}"


class ReminderKind(models.TextChoices):
    DAYS_30 = "30", _("30 days before the deadline")
    DAYS_7 = "7", _("7 days before the deadline")


class ReminderSent(models.Model):
    """R32: a reminder of one kind (30 or 7 days before) goes out once per application, deadline kind and
    deadline date; this row is the guard. The date is part of the key, so an extension (R53) that moves the
    employer's deadline gives new reminders before the new date."""

    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="+", verbose_name=_("application")
    )
    kind = models.CharField(_("kind"), max_length=5, choices=ReminderKind.choices)
    deadline_kind = models.CharField(
        _("deadline"), max_length=20, choices=DeadlineKind.choices, default=DeadlineKind.ACCOUNTABILITY
    )
    deadline = models.DateField(_("deadline date"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    recipients = models.PositiveIntegerField(_("number of recipients"), default=0)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "deadline_kind", "deadline", "kind"], name="remindersent_once_per_deadline"
            ),
        ]

    def __str__(self):
        return f"{self.application} · {self.get_deadline_kind_display()} {self.deadline} ({self.get_kind_display()})"


class ObjectionStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    UPHELD = "upheld", _("Upheld")
    REJECTED = "rejected", _("Rejected")


class Objection(models.Model):
    """An employer's objection (bezwaar) to a decision and the office's ruling (R33)."""

    decision = models.ForeignKey(
        "applications.Decision", on_delete=models.PROTECT, related_name="objections", verbose_name=_("decision")
    )
    received_on = models.DateField(_("received on"))
    deadline = models.DateField(_("objection deadline"))
    grounds = models.TextField(_("grounds"))
    status = models.CharField(
        _("status"), max_length=20, choices=ObjectionStatus.choices, default=ObjectionStatus.RECEIVED
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    ruling = models.TextField(_("ruling"), blank=True)
    ruled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("ruled by"),
    )
    ruled_at = models.DateTimeField(_("ruled at"), null=True, blank=True)
    ruling_decision = models.OneToOneField(
        "applications.Decision", on_delete=models.PROTECT, null=True, blank=True, related_name="objection_ruled",
        verbose_name=_("ruling decision"),
    )
    # Awb 7:2: the hearing, or why none was held (waived by the objector, or Awb 7:3).
    hearing_on = models.DateField(_("hearing held on"), null=True, blank=True)
    hearing_attendees = models.TextField(_("who attended the hearing"), blank=True)
    hearing_summary = models.TextField(_("summary of the hearing"), blank=True)
    hearing_waived = models.BooleanField(_("hearing waived"), default=False)
    hearing_waived_reason = models.TextField(_("why no hearing was held"), blank=True)
    hearing_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("hearing recorded by"),
    )
    hearing_recorded_at = models.DateTimeField(_("hearing recorded at"), null=True, blank=True)
    # Awb 7:10 lid 3: the ruling may be adjourned once by at most six weeks.
    adjourned_at = models.DateTimeField(_("adjourned at"), null=True, blank=True)
    adjournment_reason = models.TextField(_("reason for adjournment"), blank=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="received", ruled_at__isnull=True)
                | (~Q(status="received") & Q(ruled_at__isnull=False, ruled_by__isnull=False)),
                name="objection_ruled_has_ruler",
            ),
            models.CheckConstraint(condition=Q(received_on__lte=models.F("deadline")), name="objection_within_term"),
            models.CheckConstraint(
                condition=Q(hearing_on__isnull=True) | Q(hearing_waived=False), name="objection_hearing_or_waived"
            ),
        ]

    def __str__(self):
        return f"{self.decision} ({self.get_status_display()})"

    @property
    def hearing_recorded(self) -> bool:
        return self.hearing_on is not None or self.hearing_waived

    @property
    def ruling_due(self):
        """Awb 7:10: the ruling is due six weeks after the objection term ended, six more when adjourned
        (Algemene termijnenwet applies)."""
        return ruling_due(deadline=self.deadline, adjourned=self.adjourned_at is not None)


def ruling_due(*, deadline, adjourned: bool):
    weeks = RULING_TERM_WEEKS * (2 if adjourned else 1)
    return next_working_day_from(deadline + timedelta(weeks=weeks))


# --- Project agreement (R45, R46) ---------------------------------------------------------------------


class AgreementStatus(models.TextChoices):
    OPEN = "open", _("Open")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class AgreementDocumentKind(models.TextChoices):
    SIGNED_AGREEMENT = "signed_agreement", _("Signed project agreement")
    KVK_EXTRACT = "kvk_extract", _("KvK extract")


class ProjectAgreement(UndeletableModel):
    """R45: the project agreement of one granted application. Written by ``accounting.agreements`` on the first
    upload (until then the agreement is ``open`` without a row); its status changes (upload, review) are on its
    own append-only timeline (:class:`AgreementEvent`). Never deleted (R39).

    The due date is not stored: it is the period's ``agreement`` deadline (R53), read when needed
    (:attr:`due_date`), so an edited calendar applies to every agreement at once."""

    application = models.OneToOneField(
        "applications.Application", on_delete=models.PROTECT, related_name="agreement", verbose_name=_("application")
    )
    status = models.CharField(_("status"), max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.OPEN)
    reason = models.TextField(_("reason"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("project agreement")
        verbose_name_plural = _("project agreements")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "rejected"]) | Q(reviewed_by__isnull=False, reviewed_at__isnull=False),
                name="agreement_reviewed_has_reviewer",
            ),
            models.CheckConstraint(condition=~Q(status="rejected") | ~Q(reason=""), name="agreement_rejected_has_reason"),
        ]

    def __str__(self):
        return f"{self.application} ({self.get_status_display()})"

    @property
    def due_date(self):
        return agreement_due_date(self.application.period)


def agreement_due_date(period):
    """R45, R53: the period's project agreement deadline, or None."""
    return dict(period.deadline_calendar()).get(DeadlineKind.AGREEMENT)


def agreement_upload_to(instance, filename):
    return f"agreements/{instance.agreement.application.period.number}/{instance.agreement.application_id}/{filename}"


class AgreementDocument(AppendOnlyModel):
    """A document of a project agreement (R45, R50): the signed agreement or the KvK extract (with its issue
    date). Stored privately with its SHA-256; a new upload is a new version, never an overwrite (R39)."""

    agreement = models.ForeignKey(
        ProjectAgreement, on_delete=models.PROTECT, related_name="documents", verbose_name=_("agreement")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AgreementDocumentKind.choices)
    version = models.PositiveSmallIntegerField(_("version"))
    file = models.FileField(_("file"), storage=private_storage, upload_to=agreement_upload_to)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size in bytes"))
    filename = models.CharField(_("file name as uploaded"), max_length=255, blank=True)
    issue_date = models.DateField(_("issue date"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["agreement_id", "kind", "version"]
        verbose_name = _("agreement document")
        verbose_name_plural = _("agreement documents")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "kind", "version"], name="agreementdocument_unique_version"),
            models.CheckConstraint(condition=~Q(sha256="") & ~Q(file=""), name="agreementdocument_has_file"),
            models.CheckConstraint(
                condition=~Q(kind="kvk_extract") | Q(issue_date__isnull=False), name="agreementdocument_kvk_has_date"
            ),
        ]

    def __str__(self):
        return f"{self.agreement} {self.get_kind_display()} v{self.version}"


class AgreementEvent(AppendOnlyModel):
    """The project agreement's timeline (R39): every upload and review, who, when, from, to, why."""

    agreement = models.ForeignKey(
        ProjectAgreement, on_delete=models.PROTECT, related_name="events", verbose_name=_("agreement")
    )
    from_status = models.CharField(_("from"), max_length=20, choices=AgreementStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=AgreementStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("actor")
    )
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("agreement event")
        verbose_name_plural = _("agreement events")

    def __str__(self):
        return f"{self.agreement} · {self.get_from_status_display()} → {self.get_to_status_display()}"
