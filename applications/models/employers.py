from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.utils.translation import gettext_lazy as _

from budgets.constants import Earmark
from sectorplan.records import AppendOnlyModel

from ..constants import MembershipRole
from ..validators import validate_iban, validate_kvk_number


class Employer(models.Model):
    """An applicant: a care or welfare employer (R1)."""

    name = models.CharField(_("name"), max_length=200)
    kvk_number = models.CharField(_("KvK number"), max_length=8, unique=True, validators=[validate_kvk_number])
    region = models.ForeignKey(
        "budgets.Region", on_delete=models.PROTECT, related_name="employers", verbose_name=_("region")
    )
    earmark = models.CharField(_("earmark (sector)"), max_length=20, choices=Earmark.choices)
    iban = models.CharField(_("IBAN"), max_length=34, validators=[validate_iban])
    account_holder = models.CharField(
        _("account holder"), max_length=200,
        help_text=_("The name of the IBAN's account holder, as the bank knows it (R1)."),
    )
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("employer")
        verbose_name_plural = _("employers")

    def __str__(self):
        return f"{self.name} ({self.kvk_number})"


class Membership(models.Model):
    """Links a portal account to an employer with a role (R2). Many-to-many both ways."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    employer = models.ForeignKey(
        "applications.Employer", on_delete=models.CASCADE, related_name="memberships", verbose_name=_("employer")
    )
    role = models.CharField(_("role"), max_length=30, choices=MembershipRole.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        db_table = "accounting_membership"  # the table predates the move from accounting
        ordering = ["employer__name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "employer"], name="membership_unique_user_employer"),
        ]

    def __str__(self):
        return f"{self.user} @ {self.employer} ({self.get_role_display()})"


class OfficeScope(models.Model):
    """R4: an office user scoped to a regional employer organisation sees and acts only on the employers whose
    region belongs to it (one row per organisation; no rows: all regions). It lives here, beside
    :class:`Membership`, because who may see which employer is decided in ``applications``
    (``applications.selectors``); ``budgets`` keeps the organisations and knows nothing of users."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="office_scopes")
    employer_organisation = models.ForeignKey(
        "budgets.EmployerOrganisation", on_delete=models.PROTECT, related_name="office_scopes",
        verbose_name=_("regional employer organisation"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["user__username", "employer_organisation__name"]
        verbose_name = _("office scope")
        verbose_name_plural = _("office scopes")
        constraints = [
            models.UniqueConstraint(fields=["user", "employer_organisation"], name="office_scope_unique"),
        ]

    def __str__(self):
        return f"{self.user} → {self.employer_organisation}"


class OfficeScopeChange(AppendOnlyModel):
    """Audit of R4 scoping: who changed which office user's organisations, from what to what (append-only)."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("actor"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("office user"))
    at = models.DateTimeField(_("at"), auto_now_add=True)
    before = models.JSONField(_("before"), default=list)
    after = models.JSONField(_("after"), default=list)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("office scope change")
        verbose_name_plural = _("office scope changes")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor}: {self.user} {self.before} → {self.after}"


class OfficeUser(User):
    """A proxy of the user for the admin page where staff scope office users to regions (R4)."""

    class Meta:
        proxy = True
        verbose_name = _("office user")
        verbose_name_plural = _("office users")
