"""Celery's autodiscovery looks for ``<app>.tasks``: the letter tasks live with the decisions; the registrations'
repair deadline task and the background imports (``importing.import_job_run``) are here."""

from celery import shared_task

from . import importing, registrations
from .decisions import tasks as decision_tasks  # noqa: F401 - registers the tasks

__all__ = ["decision_tasks", "expire_repairs", "run_import", "sweep_imports"]


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def expire_repairs() -> int:
    """R49 (beat, daily): reject the registrations still awaiting repair after their repair deadline.
    Idempotent: a rerun finds nothing left to reject."""
    return registrations.repairs_expire()


@shared_task(
    name="applications.tasks.run_import", acks_late=True, reject_on_worker_lost=True, soft_time_limit=100,
    time_limit=120,
)
def run_import(job_id: int) -> None:
    """Run one background import (idempotent: a finished job is left alone)."""
    importing.import_job_run(job_id=job_id)


@shared_task(name="applications.tasks.sweep_imports", acks_late=True, soft_time_limit=30, time_limit=60)
def sweep_imports() -> int:
    """Beat task: start again imports whose message was lost (broker down) or whose worker died."""
    return len(importing.imports_requeue_stuck())
