"""The message box (R26): each letter in the box of its employer's members, read per user, and the notification
e-mail when a letter is ready.

Message rows are created by :mod:`.letters` together with their letter (the box shows a requested letter as
pending). :func:`message_delivered` is called by :mod:`.rendering` in the transaction that stores the PDF: that
moment is the delivery date (Awb 3:41). :func:`message_notify` runs on commit of that transaction; it mails the
members the reference and a link to the box only (no personal data, R40), and records ``notified_at`` only after
the mail was handed over. A failing mail is logged and never fails the letter task.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sectorplan.locking import lock_one

from ..mail import mail_members, member_emails
from ..models import Letter, Membership, Message, MessageRead

logger = logging.getLogger(__name__)


def message_subject(*, letter: Letter, subject: str, reference: str) -> str:
    """The subject in the box: the letter's subject and reference, and the version of a correction."""
    text = f"{subject} ({reference})"
    if letter.version > 1:
        text += f" – versie {letter.version}"  # the subject is the letter's own (Dutch) text
    return text[:300]


def messages_for(user) -> QuerySet[Message]:
    """The acting user's box: the messages of every employer the user is a member of, newest first, each with
    ``read_at`` (this user's first opening, or None). Anything else does not exist for the user (404)."""
    if not user or not user.is_authenticated:
        return Message.objects.none()
    reads = MessageRead.objects.filter(message=OuterRef("pk"), user=user)
    return (
        Message.objects.filter(employer__in=Membership.objects.filter(user=user).values("employer"))
        .select_related("letter__decision__application", "employer")
        .annotate(read_at=Subquery(reads.values("read_at")[:1]))
        .order_by("-created_at", "-id")
    )


def unread_count(user) -> int:
    reads = MessageRead.objects.filter(message=OuterRef("pk"), user=user)
    return messages_for(user).filter(~Exists(reads)).count()


@transaction.atomic
def message_mark_read(*, message: Message, user) -> MessageRead:
    """This user opened the message. Idempotent: the first opening is the one kept."""
    read, _created = MessageRead.objects.get_or_create(
        message=message, user=user, defaults={"read_at": timezone.now()}
    )
    return read


def message_delivered(*, letter_id: int, at) -> None:
    """The letter is available in the box from ``at`` (Awb 3:41). Called inside the transaction that stores the
    PDF, under the letter's row lock; the notification is mailed once that transaction commits."""
    Message.objects.filter(letter_id=letter_id, delivered_at__isnull=True).update(delivered_at=at)
    transaction.on_commit(lambda: message_notify(letter_id=letter_id))


def message_notify(*, letter_id: int) -> int:
    """Mail the employer's members that a letter waits in their box; the count of recipients.

    Nothing personal in it: the reference and a link to the box. ``notified_at`` is written only after the mail
    was handed over, so a failed mail leaves the message unnotified (logged) and the letter untouched."""
    message = (
        Message.objects.select_related("letter__decision__application", "employer").filter(letter_id=letter_id).first()
    )
    if message is None or message.notified_at is not None:
        return 0
    if not member_emails(message.employer):
        return 0
    application = message.letter.decision.application
    link = settings.SITE_URL.rstrip("/") + reverse("inbox:list")
    with translation.override("nl"):
        subject = _("A new letter about %(reference)s in your message box") % {"reference": application.reference}
        body = render_to_string("messages/email.txt", {"reference": application.reference, "link": link})
    try:
        sent = mail_members(employer=message.employer, subject=subject, body=body)
    except Exception as exc:  # noqa: BLE001 - any mail error: the letter is in the box whatever happens to the mail
        logger.error("letter %s: notification mail failed (%s)", letter_id, type(exc).__name__)
        return 0
    with transaction.atomic():
        locked = lock_one(Message.objects, pk=message.pk)
        if locked.notified_at is None:
            Message.objects.filter(pk=message.pk).update(notified_at=timezone.now())
    logger.info("letter %s: notification mailed to %s members", letter_id, sent)
    return sent


#: How long the sweeper keeps trying a notification that failed (after that the letter is simply in the box).
NOTIFY_RETRY_WINDOW = timedelta(days=7)
#: A delivered message younger than this is still being notified by its own on-commit callback.
NOTIFY_GRACE = timedelta(minutes=5)


def messages_notify_pending(*, now=None) -> int:
    """The sweeper's second job: mail again what was delivered but whose mail failed (``notified_at`` empty), for
    a week after delivery. Returns the number of messages whose mail was handed over now."""
    now = now or timezone.now()
    pending = Message.objects.filter(
        notified_at__isnull=True,
        delivered_at__lt=now - NOTIFY_GRACE,
        delivered_at__gte=now - NOTIFY_RETRY_WINDOW,
    ).values_list("letter_id", flat=True)[:500]
    return sum(1 for letter_id in list(pending) if message_notify(letter_id=letter_id))
