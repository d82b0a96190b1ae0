"""Celery tasks of the accounting app."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def send_accountability_reminders() -> int:
    """R32 (beat, daily): mail members 30 and 7 days before each deadline that concerns them (agreement,
    registration, repair, accountability; extensions included), each reminder once per deadline date."""
    return services.reminders_send()
