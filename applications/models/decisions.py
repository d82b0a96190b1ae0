from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sectorplan.money import MoneyField
from sectorplan.records import AppendOnlyModel, UndeletableModel

from ..constants import DecisionKind, LetterStatus


class Decision(AppendOnlyModel):
    """A legal decision on an application (verlening, vaststelling, ...). Each gets a letter (R26).

    Append-only (R39): a decision is never changed or deleted; an objection ruling supersedes it."""

    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="decisions", verbose_name=_("application"))
    kind = models.CharField(_("kind"), max_length=30, choices=DecisionKind.choices)
    date = models.DateField(_("date"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)
    granted_amount = MoneyField(_("granted amount"), default=0)
    held_amount = MoneyField(_("held-back amount"), default=0)
    released_amount = MoneyField(_("released amount"), default=0)
    forfeited_amount = MoneyField(_("forfeited amount"), default=0)
    advance_amount = MoneyField(_("advance"), default=0)
    settled_amount = MoneyField(_("settled amount"), null=True, blank=True)
    payment_amount = MoneyField(
        _("payment"), null=True, blank=True, help_text=_("Settlement minus advances paid; negative is a reclaim.")
    )
    #: R30, Awb 4:57: the day by which a reclaim (negative payment) is to be paid.
    payment_due = models.DateField(_("payment due"), null=True, blank=True)
    #: R48, on ``advance`` decisions (the letter states them): the approved registrations' subsidy the advance
    #: rests on, and the advances paid before this one (net of reclaims).
    approved_amount = MoneyField(_("approved registrations' subsidy"), null=True, blank=True)
    previous_advances = MoneyField(_("advances paid before"), null=True, blank=True)
    reasons = models.TextField(_("reasons"), blank=True)
    #: An amendment (R51, R52): the reservation and its held and released parts before it; ``granted_amount``,
    #: ``held_amount`` and ``released_amount`` are the new ones.
    previous_reserved = MoneyField(_("previous reservation"), null=True, blank=True)
    previous_held = MoneyField(_("previous held-back part"), null=True, blank=True)
    previous_released = MoneyField(_("previous released part"), null=True, blank=True)
    # Optional links: the allocation that produced a grant; the decision an objection ruling revisits.
    allocation = models.ForeignKey(
        "budgets.Allocation", on_delete=models.PROTECT, null=True, blank=True, related_name="decisions",
        verbose_name=_("allocation"),
    )
    supersedes = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by",
        verbose_name=_("supersedes"),
    )

    class Meta:
        ordering = ["decided_at", "id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(granted_amount__gte=0, held_amount__gte=0, advance_amount__gte=0),
                name="decision_amounts_nonnegative",
            ),
            models.CheckConstraint(
                condition=Q(held_amount__lte=models.F("granted_amount")) | ~Q(kind="grant"),
                name="decision_held_within_granted",
            ),
            # One grant or rejection per application from an allocation (R18, R19: nothing twice).
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(kind__in=["grant", "rejection"], supersedes__isnull=True),
                name="decision_one_initial_per_application",
            ),
        ]

    def __str__(self):
        return f"{self.application.reference} {self.get_kind_display()} {self.date}"


class _PrivateStorage(Storage):
    """Delegates every call to ``storages["private"]`` at call time, so that a changed setting (tests,
    ``PRIVATE_STORAGE_ROOT``) takes effect without re-importing the model."""

    def __getattribute__(self, name):
        if name.startswith("__"):
            return object.__getattribute__(self, name)
        return getattr(storages["private"], name)


def private_storage():
    """Letters are stored outside any public URL and served only through permission-checked views."""
    return _PrivateStorage()


def letter_upload_to(instance, filename):
    return f"letters/{instance.decision.application.period.number}/{filename}"


class Letter(UndeletableModel):
    """The PDF letter of a decision. A corrected letter is a new version, never an overwrite (R28).

    The letter services update its rendering state (status, file, attempts); nothing deletes it (R39)."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="letters", verbose_name=_("decision"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=20, choices=LetterStatus.choices, default=LetterStatus.PENDING)
    file = models.FileField(_("file"), storage=private_storage, upload_to=letter_upload_to, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    task_id = models.CharField(_("task id"), max_length=255, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    generated_at = models.DateTimeField(_("generated at"), null=True, blank=True)
    #: When a worker last claimed it (``generating``): the sweeper reads a claim older than the task's hard time
    #: limit as a lost worker (``rendering.letters_reset_stuck``).
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("requested by"),
    )
    #: Why this version was made (R28): required for every correction (version > 1), empty for version 1.
    reason = models.TextField(_("reason for the new version"), blank=True)

    class Meta:
        ordering = ["decision_id", "version"]
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        constraints = [
            models.UniqueConstraint(fields=["decision", "version"], name="letter_unique_version"),
            models.CheckConstraint(
                condition=~Q(status="done") | (~Q(sha256="") & ~Q(file="")), name="letter_done_has_file"
            ),
        ]
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self):
        return f"{self.decision} v{self.version}"


class Message(UndeletableModel):
    """A letter in the message box of its employer's members (R26): one per letter (so one per version), created
    when the letter is requested and shown as pending until it is done.

    ``delivered_at`` is the moment the letter became available in the box (Awb 3:41: *bekendmaking* by
    electronic means), set in the same transaction that stores the PDF; ``notified_at`` is set only after the
    notification e-mail was handed over. Never deleted (R39)."""

    letter = models.OneToOneField(Letter, on_delete=models.PROTECT, related_name="message", verbose_name=_("letter"))
    employer = models.ForeignKey(
        "applications.Employer", on_delete=models.PROTECT, related_name="messages", verbose_name=_("employer")
    )
    subject = models.CharField(_("subject"), max_length=300)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    notified_at = models.DateTimeField(_("members notified at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["employer", "-created_at"])]

    def __str__(self):
        return self.subject


class MessageRead(models.Model):
    """When one member first opened a message: read and unread are per user, as in any mailbox."""

    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="message_reads")
    read_at = models.DateTimeField(_("read at"))

    class Meta:
        verbose_name = _("message read")
        verbose_name_plural = _("message reads")
        constraints = [models.UniqueConstraint(fields=["message", "user"], name="message_read_once_per_user")]
