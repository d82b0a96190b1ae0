"""R54: the processing log (*Logboek dataverwerkingen*, the Dutch government's standard): the one place that writes it.

Every read of personal data by an office user (``sectorplan.roles.is_office``: both office roles and staff) appends
a :class:`~applications.models.ProcessingLogEntry`: who, when, what (object type and ids) and for which task. A
list is one row per request with the ids read, not one per object. Members of an employer reading their own
employer's data are not logged: they act for the employer, whose data it is; the log records what the office, as
processor for the Minister, reads. An office user who is also a member is logged all the same (the roles cannot
tell on whose behalf they read).

Where it is called: the registrations list of the API, letter PDFs (API and portal) and receipt PDFs (API and
portal). ``accounting`` may call it too (purpose ``settlement`` or ``objection``).
"""

from collections.abc import Iterable

from django.db import models

from sectorplan.roles import is_office

from .constants import ApplicationStatus, ProcessingAction, ProcessingPurpose
from .models import Application, ProcessingLogEntry


def purpose_for(application: Application) -> str:
    """The office's task on ``application`` as its status tells: assessment until decided, review while granted
    (registrations, progress, accountability), settlement once settled."""
    if application.status == ApplicationStatus.SETTLED:
        return ProcessingPurpose.SETTLEMENT
    if application.status == ApplicationStatus.GRANTED:
        return ProcessingPurpose.REVIEW
    return ProcessingPurpose.ASSESSMENT


def log_processing(
    *, user, action: str, objects: Iterable[models.Model], purpose: str, application: Application
) -> ProcessingLogEntry | None:
    """Append one row for ``objects`` (of one model, belonging to ``application``'s employer) read by ``user``
    for ``purpose``; nothing when ``user`` is not office (a member) or nothing was read. Not atomic on its own:
    a read has no transaction to join, and a row is written before the answer goes out."""
    if not is_office(user):
        return None
    objects = list(objects)
    if not objects:
        return None
    if action not in ProcessingAction.values or purpose not in ProcessingPurpose.values:
        raise ValueError(f"unknown processing action {action!r} or purpose {purpose!r}")
    return ProcessingLogEntry.objects.create(
        user=user,
        action=action,
        purpose=purpose,
        object_type=objects[0]._meta.label_lower,
        object_ids=[obj.pk for obj in objects],
        employer_id=application.employer_id,
        application=application,
    )
