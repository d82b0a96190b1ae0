"""Operational endpoints of the project itself.

``/healthz`` answers ``ok``/``error`` per dependency and nothing more: no exception class or message, which would
tell an outsider about the internals (issue 16, item 7); the cause goes to the log.
"""

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger("sectorplan.health")


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "ok"
    except Exception:  # noqa: BLE001 - a health check reports, it does not raise
        logger.warning("health check: the database does not answer", exc_info=True)
        return "error"


def _check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process"
    from kombu import Connection

    try:
        # A fresh connection to the configured broker, not one from the app's pool: the check must
        # see the broker as it is now.
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception:  # noqa: BLE001
        logger.warning("health check: the broker does not answer", exc_info=True)
        return "error"


@never_cache
@require_GET
def healthz(request):
    checks = {"database": _check_database(), "broker": _check_broker()}
    healthy = all(value in ("ok", "in-process") for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)
