"""Development: runs on a fresh machine with nothing configured.

Without DATABASE_URL it uses SQLite; without CELERY_BROKER_URL tasks run in-process (eager).
"""

from .base import *  # noqa: F403
from .base import BASE_DIR, CELERY_BROKER_URL, DATABASES, SECRET_KEY

DEBUG = True
ENVIRONMENT = "development"
SECRET_KEY = SECRET_KEY or "dev-only-insecure-secret-key-not-for-production"  # noqa: S105

if not DATABASES:
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "var" / "dev.sqlite3",
            "OPTIONS": {"timeout": 20},
        }
    }

if not CELERY_BROKER_URL:
    # No broker configured: run every task in-process, after the transaction that asked for it commits.
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
