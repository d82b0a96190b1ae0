"""Four-eyes (R4) as one rule over an application's whole history: whoever assessed any of its lines (any
assessment or re-assessment, read from the application's timeline, not only the latest assessor) may take no
decision on it: not the allocation's confirmation that decides it, nor a holdback release or forfeit, a lapse, a
settlement, an objection ruling or a not-considered decision. Staff are held to it like everyone else. Every
decision service of :mod:`.services` calls :func:`four_eyes_check` after taking its locks.

Reviewing a registration of the application counts as assessing it (R4, R49): whoever approved, rejected or asked
for a repair of any of its registrations (a :class:`~applications.models.RegistrationTransition` from
``submitted`` to one of those outcomes with them as actor) is an assessor, so the advance run, a lowering, the
settlement and every other decision on it needs another decider. The scheduled rejection of unrepaired
registrations has no actor and makes nobody an assessor; members' own timeline rows (submissions, progress
notes) never start from ``submitted`` to an outcome.
"""

from django.utils.translation import gettext as _

from sectorplan.api.errors import StateConflict

from ..constants import ApplicationStatus, RegistrationStatus
from ..models import Application, ApplicationTransition, RegistrationTransition

#: R49: the reviewer's outcomes of a submitted registration; who gave one assessed the application.
REGISTRATION_REVIEW_OUTCOMES = (
    RegistrationStatus.APPROVED, RegistrationStatus.REJECTED, RegistrationStatus.REPAIR_REQUESTED,
)


def assessed_by(user, application_ids) -> set[int]:
    """Of ``application_ids``, those ``user`` ever assessed: a line assessment on the application's timeline, the
    latest assessor, or a review of any of its registrations (three small queries, whatever the history's
    length)."""
    ids = list(application_ids)
    if user is None or not ids:
        return set()
    from_history = set(
        ApplicationTransition.objects.filter(
            application_id__in=ids, to_status=ApplicationStatus.ASSESSED, actor_id=user.pk
        ).values_list("application_id", flat=True)
    )
    latest = set(Application.objects.filter(pk__in=ids, assessed_by_id=user.pk).values_list("pk", flat=True))
    registrations_reviewed = set(
        RegistrationTransition.objects.filter(
            registration__application_id__in=ids, actor_id=user.pk, from_status=RegistrationStatus.SUBMITTED,
            to_status__in=REGISTRATION_REVIEW_OUTCOMES,
        ).values_list("registration__application_id", flat=True).distinct()
    )
    return from_history | latest | registrations_reviewed


def four_eyes_check(*, applications, user, field: str = "application") -> None:
    """R4: refuse the whole decision (409 ``four_eyes``, naming the references) when ``user`` assessed any of
    ``applications``; another decider must take it."""
    applications = list(applications)
    own = assessed_by(user, [a.pk for a in applications])
    if not own:
        return
    refs = sorted(a.reference for a in applications if a.pk in own)
    raise StateConflict(
        field=field, code="four_eyes",
        message=_("You assessed these applications and may not decide them; another decider must confirm: %(refs)s")
        % {"refs": ", ".join(refs[:50]) + (" …" if len(refs) > 50 else "")},
    )
