"""Portal accounts' memberships of employers (R2), invitations (R3); accountability and objections follow."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from applications.constants import MembershipRole


class Membership(models.Model):
    """Links a portal account to an employer with a role (R2). Many-to-many both ways."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    employer = models.ForeignKey("applications.Employer", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=30, choices=MembershipRole.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["employer__name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "employer"], name="membership_unique_user_employer"),
        ]

    def __str__(self):
        return f"{self.user} @ {self.employer} ({self.get_role_display()})"
