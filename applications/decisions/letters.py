"""The one interface through which a decision asks for its letter (R26), and who may read letters (R28).

Services that create a decision call :func:`letter_request` inside their transaction; the letter row
is created at once (status ``pending``) and the Celery task is enqueued only after the transaction
commits. Should the broker be down at that moment, the letter stays pending and the sweeper
(``applications.decisions.tasks.sweep_letters``) enqueues it later: nothing is lost.
"""

from django.db import transaction
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from sectorplan.api.errors import DomainError
from sectorplan.locking import lock_one
from sectorplan.roles import is_office

from ..constants import LetterStatus
from ..models import Application, Decision, Letter, Message
from ..selectors import scope_filter
from .messages import message_subject
from .rendering import subject_for
from .tasks import enqueue_letter


def _message(letter: Letter, decision: Decision, *, reference: str, period_number: int, employer_id: int) -> Message:
    """The letter's message in its employer's box (R26), unsaved: shown as pending until the letter is done."""
    subject = subject_for(decision.kind, period_number=period_number)
    return Message(letter=letter, employer_id=employer_id,
                   subject=message_subject(letter=letter, subject=subject, reference=reference))


def _messages(pairs: list[tuple[Letter, Decision]]) -> list[Message]:
    """The messages of freshly requested letters, with one query for their applications' facts."""
    facts = {
        row["pk"]: row
        for row in Application.objects.filter(pk__in={d.application_id for _letter, d in pairs}).values(
            "pk", "employer_id", "period__number", "number"
        )
    }
    out = []
    for letter, decision in pairs:
        row = facts[decision.application_id]
        out.append(_message(
            letter, decision, reference=Application.make_reference(row["period__number"], row["number"]),
            period_number=row["period__number"], employer_id=row["employer_id"],
        ))
    return out


@transaction.atomic
def letter_request(*, decision: Decision, by=None, new_version: bool = False, reason: str = "") -> Letter:
    """Create (or, with ``new_version``, add) the letter of ``decision`` and enqueue it on commit.

    Idempotent: without ``new_version`` an existing letter is returned and nothing is enqueued.
    A corrected letter is a new version; earlier versions and their files are kept (R28).
    """
    # Lock the decision so that two requests for the same decision cannot both create version 1.
    lock_one(Decision.objects, pk=decision.pk)
    existing = Letter.objects.filter(decision=decision).order_by("-version").first()
    if existing and not new_version:
        return existing
    version = (Letter.objects.filter(decision=decision).aggregate(v=Max("version"))["v"] or 0) + 1
    letter = Letter.objects.create(
        decision=decision, version=version, status=LetterStatus.PENDING, requested_by=by, reason=reason
    )
    _messages([(letter, decision)])[0].save()
    transaction.on_commit(lambda: enqueue_letter(letter_id=letter.pk))
    return letter


def letters_request_many(*, decisions: list[Decision], by=None) -> list[Letter]:
    """Bulk form of :func:`letter_request` for decisions created in the same transaction (allocation,
    releases, forfeits).

    Such decisions have no letter yet, so each gets version 1: one INSERT for all letters, and after commit
    each is enqueued through :func:`enqueue_letter` exactly as :func:`letter_request` does (the sweeper
    picks up any the broker missed). Call it only for fresh decisions; for one decision, or to ask again
    idempotently, use :func:`letter_request`.
    """
    decisions = list(decisions)
    if not decisions:
        return []
    letters = Letter.objects.bulk_create(
        [Letter(decision=d, version=1, status=LetterStatus.PENDING, requested_by=by) for d in decisions],
        batch_size=2000,
    )
    Message.objects.bulk_create(
        _messages(list(zip(letters, decisions, strict=True))), batch_size=2000
    )
    ids = [letter.pk for letter in letters]

    def enqueue_all():
        for letter_id in ids:
            if not enqueue_letter(letter_id=letter_id):
                # The broker is down: do not retry thousands of letters one by one inside the
                # request; they stay pending and the sweeper enqueues them when it is back.
                break

    transaction.on_commit(enqueue_all)
    return letters


def letters_visible_to(user) -> QuerySet[Letter]:
    """R28: the employer's members and the office (and admin staff); nobody else."""
    qs = Letter.objects.select_related("decision__application__employer", "decision__application__period")
    if not user or not user.is_authenticated:
        return qs.none()
    if is_office(user):
        return scope_filter(qs, user, employer_path="decision__application__employer")  # R4
    return qs.filter(decision__application__employer__memberships__user=user).distinct()


def letter_regenerate(*, letter: Letter, by, reason: str) -> Letter:
    """The office asks for a corrected letter: a new version with the reason, stored on it; the old version, its
    file and its message stay, and the employer sees every version (R28)."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(field="reason", code="required", message=_("Give the reason for the new version."))
    return letter_request(decision=letter.decision, by=by, new_version=True, reason=reason)


def period_letters_overview(*, period_number: int, user=None) -> dict:
    """The latest version of each decision's letter in a period, with progress (pending, generating, done, failed
    of total, and ``busy`` while any is pending or generating); for a scoped
    office ``user`` only its regions' employers (R4)."""
    latest = Letter.objects.filter(decision=OuterRef("decision")).order_by("-version").values("pk")[:1]
    base = letters_visible_to(user) if user is not None else Letter.objects.all()
    letters = (
        base.filter(decision__application__period__number=period_number, pk=Subquery(latest))
        .select_related("decision__application__employer")
        .order_by("decision__application__number", "decision_id")
    )
    counts = letters.aggregate(
        total=Count("id"),
        done=Count("id", filter=Q(status=LetterStatus.DONE)),
        failed=Count("id", filter=Q(status=LetterStatus.FAILED)),
        pending=Count("id", filter=Q(status=LetterStatus.PENDING)),
        generating=Count("id", filter=Q(status=LetterStatus.GENERATING)),
    )
    # Issue 15: the page refreshes itself while any letter is still waiting or being made.
    return {"letters": letters, "busy": bool(counts["pending"] or counts["generating"]), **counts}
