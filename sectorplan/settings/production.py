"""Production: refuses to start without a secret key, a PostgreSQL database, a broker, a real mail server and the
real sender of the letters; HTTPS only (HSTS with subdomains and preload), no browsable API.
``manage.py check --deploy`` reports nothing under these settings (tests/test_production_settings.py)."""

from django.core.exceptions import ImproperlyConfigured

from applications.system_checks import LETTER_SETTINGS, placeholder_reason

from .base import *  # noqa: F403
from .base import CELERY_BROKER_URL, DATABASES, SECRET_KEY

#: Mail backends that deliver nothing (or only to the console or a file).
UNSENT_MAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}

DEBUG = False
ENVIRONMENT = "production"

if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in production.")
if not DATABASES or DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point to a PostgreSQL database in production.")
if not CELERY_BROKER_URL:
    raise ImproperlyConfigured("CELERY_BROKER_URL must be set in production.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 31536000
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_SSL_REDIRECT = True
# The container's own health check asks over plain HTTP inside the network (docker-compose.yml).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Issue 16, item 7: no browsable API in production, JSON only.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_RENDERER_CLASSES": ["djangorestframework_camel_case.render.CamelCaseJSONRenderer"],
}

# Mail that never leaves the server would put live invitation links in its log: refuse to start (issue 16, item 7).
if EMAIL_BACKEND in UNSENT_MAIL_BACKENDS:  # noqa: F405
    raise ImproperlyConfigured(
        f"EMAIL_URL must point to a real mail server in production (now {EMAIL_BACKEND})."  # noqa: F405
    )
# The sender of the letters (R27) must be real: the same rule as the system check applications.E001, at start.
_placeholders = [name for name in LETTER_SETTINGS if placeholder_reason(globals().get(name))]
if _placeholders:
    raise ImproperlyConfigured(
        "The letter settings are empty or development placeholders in production: " + ", ".join(_placeholders)
    )
