from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _

from sectorplan.token_revocation import revoke_on_password_change  # no models: safe before the registry is ready

from .system_checks import check_letter_sender  # settings only, no models: safe before the registry is ready


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("Employers and applications")

    def ready(self):
        checks.register(check_letter_sender)
        # R41: a password change revokes the account's API tokens.
        post_save.connect(revoke_on_password_change, sender=settings.AUTH_USER_MODEL, dispatch_uid="revoke_tokens")
