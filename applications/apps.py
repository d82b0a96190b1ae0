from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _

# settings only, no models: safe before the registry is ready
from .system_checks import check_letter_sender, check_payment_debtor


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("Employers and applications")

    def ready(self):
        checks.register(check_letter_sender)
        checks.register(check_payment_debtor)
