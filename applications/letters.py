"""The one interface through which a decision asks for its letter (R26).

Services that create a decision call :func:`letter_request` inside their transaction; the letter row
is created at once (status ``pending``) and the Celery task is enqueued only after the transaction
commits. The letters issue fills in rendering; this interface stays.
"""

from django.db import transaction
from django.db.models import Max

from .constants import LetterStatus
from .models import Decision, Letter


def letter_request(*, decision: Decision, by=None, new_version: bool = False) -> Letter:
    """Create (or, with ``new_version``, add) the letter of ``decision`` and enqueue it on commit.

    Idempotent: without ``new_version`` an existing letter is returned and nothing is enqueued.
    """
    existing = Letter.objects.filter(decision=decision).order_by("-version").first()
    if existing and not new_version:
        return existing
    version = (Letter.objects.filter(decision=decision).aggregate(v=Max("version"))["v"] or 0) + 1
    letter = Letter.objects.create(decision=decision, version=version, status=LetterStatus.PENDING, requested_by=by)
    transaction.on_commit(lambda: enqueue_letter(letter_id=letter.pk))
    return letter


def enqueue_letter(*, letter_id: int) -> None:
    from .tasks import generate_letter

    result = generate_letter.apply_async(args=[letter_id])
    Letter.objects.filter(pk=letter_id, task_id="").update(task_id=result.id or "")
