import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sectorplan.settings.dev")

app = Celery("sectorplan")
# Configuration lives in Django settings under the CELERY_ namespace (acks_late, prefetch 1, limits, JSON).
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
