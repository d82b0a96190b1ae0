"""Celery tasks of the applications app. Tasks take primary keys, load, and call a service."""

from celery import shared_task


@shared_task(bind=True, acks_late=True, max_retries=5)
def generate_letter(self, letter_id: int) -> None:
    """Render and store the PDF of one letter. Implemented by the letters issue (R26-R28)."""
    from .letter_service import letter_generate  # noqa: PLC0415

    letter_generate(letter_id=letter_id)
