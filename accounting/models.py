"""Invitations (R3), accountability reports, reminders and objections. Memberships live with employers in
``applications`` (who may see an application is decided by membership)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from applications.constants import MembershipRole
from budgets.constants import DeadlineKind


class Invitation(models.Model):
    """A contact invites an e-mail address to become a member of its employer (R3).

    Single use and valid for :data:`INVITATION_VALID_DAYS` days. Only a SHA-256 of the token is stored;
    the token itself exists only in the e-mail.
    """

    employer = models.ForeignKey("applications.Employer", on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=30, choices=MembershipRole.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
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

    The per-participant values live on :class:`applications.Participant`; this row records who
    submitted when, the completion statement of a small application, and the office's reopening (R32).
    """

    application = models.OneToOneField(
        "applications.Application", on_delete=models.PROTECT, related_name="accountability_report"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completion_statement = models.BooleanField(
        _("completion statement"), default=False,
        help_text=_("Small applications (R31): the employer states completion per participant, without costs."),
    )
    reopened_until = models.DateField(_("reopened until"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
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

    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE, related_name="+")
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


class ObjectionStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    UPHELD = "upheld", _("Upheld")
    REJECTED = "rejected", _("Rejected")


class Objection(models.Model):
    """An employer's objection (bezwaar) to a decision and the office's ruling (R33)."""

    decision = models.ForeignKey("applications.Decision", on_delete=models.PROTECT, related_name="objections")
    received_on = models.DateField(_("received on"))
    deadline = models.DateField(_("objection deadline"))
    grounds = models.TextField(_("grounds"))
    status = models.CharField(
        _("status"), max_length=20, choices=ObjectionStatus.choices, default=ObjectionStatus.RECEIVED
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    ruling = models.TextField(_("ruling"), blank=True)
    ruled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ruled_at = models.DateTimeField(_("ruled at"), null=True, blank=True)
    ruling_decision = models.OneToOneField(
        "applications.Decision", on_delete=models.PROTECT, null=True, blank=True, related_name="objection_ruled"
    )

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
        ]

    def __str__(self):
        return f"{self.decision} ({self.get_status_display()})"
