"""Celery tasks of the applications app. Tasks take primary keys, load, and call a service."""

from celery import Task, shared_task


class LetterTask(Task):
    """After the last retry the letter is marked failed, so the office sees it (R28)."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        from .letter_service import letter_mark_failed  # noqa: PLC0415

        letter_id = kwargs.get("letter_id", args[0] if args else None)
        if letter_id is not None:
            letter_mark_failed(letter_id=letter_id, error=type(exc).__name__)


@shared_task(
    bind=True,
    base=LetterTask,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=120,
    time_limit=180,
)
def generate_letter(self, letter_id: int) -> bool:
    """Render and store the PDF of one letter (R26-R28). Idempotent: a done letter is a no-op."""
    from .letter_service import letter_generate  # noqa: PLC0415

    return letter_generate(letter_id=letter_id, task_id=self.request.id or "")


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def sweep_letters() -> int:
    """Beat task: re-enqueue letters stuck in pending or generating (nothing is lost)."""
    from .letter_service import letters_sweep  # noqa: PLC0415

    return len(letters_sweep())
