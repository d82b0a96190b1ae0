from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from sectorplan.api.fields import use_utc_date_times


class BudgetsConfig(AppConfig):
    name = "budgets"
    verbose_name = _("Budgets and reference data")

    def ready(self):
        use_utc_date_times()  # api.md v2: date-times in UTC with Z
