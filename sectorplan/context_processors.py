from django.conf import settings
from django.utils.translation import gettext_lazy as _

#: The names of the environments as the banner shows them (issue 15: "Testomgeving: ontwikkeling", not "development").
ENVIRONMENT_LABELS = {
    "development": _("development"),
    "test": _("test"),
    "acceptance": _("acceptance"),
    "staging": _("acceptance"),
}


def environment(request):
    """``ENVIRONMENT_LABEL`` is empty in production, so the banner is never shown there."""
    name = settings.ENVIRONMENT
    label = "" if name == "production" else ENVIRONMENT_LABELS.get(name, name)
    return {"ENVIRONMENT": name, "IS_PRODUCTION": name == "production", "ENVIRONMENT_LABEL": label}
