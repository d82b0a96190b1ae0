"""Celery tasks for letters. Tasks take primary keys, load, and call a service (:mod:`.rendering`).

The task names keep the ``applications.tasks`` prefix that the beat schedule and queued messages use;
``applications/tasks.py`` imports this module so that Celery's autodiscovery registers them.
"""

import logging

from celery import Task, shared_task
from django.conf import settings
from django.utils import timezone

from ..constants import LetterStatus
from ..models import Letter
from .messages import messages_notify_pending
from .rendering import letter_generate, letter_mark_failed, letters_reset_stuck

logger = logging.getLogger(__name__)


class LetterTask(Task):
    """After the last retry the letter is marked failed, so the office sees it (R28)."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        letter_id = kwargs.get("letter_id", args[0] if args else None)
        if letter_id is not None:
            letter_mark_failed(letter_id=letter_id, error=type(exc).__name__)


@shared_task(
    name="applications.tasks.generate_letter",
    bind=True,
    base=LetterTask,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=settings.LETTER_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.LETTER_TASK_TIME_LIMIT,
)
def generate_letter(self, letter_id: int) -> bool:
    """Render and store the PDF of one letter (R26-R28). Idempotent: a done letter is a no-op."""
    return letter_generate(letter_id=letter_id, task_id=self.request.id or "")


def enqueue_letter(*, letter_id: int) -> bool:
    """Send the task; True when sent. A broker failure is logged, not raised: the decision has
    committed and the sweeper will pick the pending letter up."""
    try:
        result = generate_letter.apply_async(
            args=[letter_id],
            retry=True,
            retry_policy={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5, "interval_max": 1},
        )
    except Exception:  # noqa: BLE001 - any broker error; the sweeper retries
        logger.exception("could not enqueue letter %s; the sweeper will retry", letter_id)
        return False
    Letter.objects.filter(pk=letter_id).exclude(status=LetterStatus.DONE).update(
        task_id=result.id or "", updated_at=timezone.now()
    )
    return True


def _queue_waiting() -> int | None:
    """Messages waiting in the letters' queue, or None when the broker cannot tell (then the sweeper waits the
    long grace for pending letters)."""
    try:
        with generate_letter.app.connection_for_write() as connection:
            queue = generate_letter.app.conf.task_default_queue
            return connection.default_channel.queue_declare(queue=queue, passive=True).message_count
    except Exception:  # noqa: BLE001 - any broker error: unknown
        return None


@shared_task(name="applications.tasks.sweep_letters", acks_late=True, soft_time_limit=60, time_limit=90)
def sweep_letters() -> int:
    """Beat task: re-enqueue letters stuck in pending or generating (nothing is lost), and mail again the
    members of delivered letters whose notification failed (R26)."""
    stuck = letters_reset_stuck(queue_waiting=_queue_waiting())
    for letter_id in stuck:
        if not enqueue_letter(letter_id=letter_id):
            break  # the broker is down: the next sweep tries again
    messages_notify_pending()
    return len(stuck)
