"""Celery's autodiscovery looks for ``<app>.tasks``: the letter tasks live with the decisions; the registrations'
repair deadline task is here."""

from celery import shared_task

from . import registrations
from .decisions import tasks as decision_tasks  # noqa: F401 - registers the tasks

__all__ = ["decision_tasks", "expire_repairs"]


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def expire_repairs() -> int:
    """R49 (beat, daily): reject the registrations still awaiting repair after their repair deadline.
    Idempotent: a rerun finds nothing left to reject."""
    return registrations.repairs_expire()
