from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _

from .system_checks import check_letter_sender  # settings only, no models: safe before the registry is ready


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("Employers and applications")

    def ready(self):
        checks.register(check_letter_sender)
