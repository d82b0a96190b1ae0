"""Tests: PostgreSQL and Redis, as in production. Celery is not eager (see conventions)."""

from .base import *  # noqa: F403
from .base import CELERY_BROKER_URL, DATABASES

DEBUG = False
ENVIRONMENT = "test"
SECRET_KEY = "test-only-secret-key"  # noqa: S105
ALLOWED_HOSTS = ["*"]

if not DATABASES:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "sectorplan",
            "USER": "postgres",
            "HOST": "127.0.0.1",
            "PORT": "5432",
        }
    }
for _db in DATABASES.values():
    _db["CONN_MAX_AGE"] = 0

CELERY_BROKER_URL = CELERY_BROKER_URL or "redis://127.0.0.1:6379/15"
CELERY_TASK_ALWAYS_EAGER = False

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise expects the directory
