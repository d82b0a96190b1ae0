"""Registrations (R47, R49, R50, R29): the only writer of a registration's status, fields and evidence.

One real trajectory per registration, entered by members of either role on a granted application (one by one,
as a list, or imported from a file), with its evidence documents. The lifecycle (``REGISTRATION_TRANSITIONS``):

    draft -> submitted -> approved | rejected (reason) | repair_requested (what to repair) -> submitted -> ...

- **Submit** (members): only once the project agreement is approved (R46), with every required document
  (R50: the period's ``required_documents`` of the activity rate; a small application needs a completion
  statement instead of the cost evidence); a first submission until the registration deadline, a resubmission
  after a repair until the repair deadline (R53: ``deadline_for``, extensions count). The agreement lives in
  ``accounting`` (a layer up): its review records the approval on the application
  (:func:`agreement_approval_record`), which this layer reads.
- **Review** (``office_reviewer``, no four-eyes): approve, reject with a reason, or ask for a repair naming
  what to repair. After the repair deadline, :func:`repairs_expire` (Celery beat, daily) rejects what still
  awaits repair.
- **Duplicates** (R47): the same person twice in one application is an error; the same person (name, date of
  birth, activity type, start date) in another employer's application is flagged: ``duplicate_of`` points at
  the earliest such registration, for the reviewer.
- **Progress** (R29): members report on approved registrations until the accountability deadline.

Every change is a :class:`~applications.models.RegistrationTransition` (who, when, from, to, why); field edits
and uploads are rows with the same from and to. Locks (``sectorplan.locking``): the application, then its
registrations; no money moves, so the period is not locked.
"""

from datetime import date

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from budgets.constants import DeadlineKind, RateMethod
from budgets.models import Period, required_evidence
from budgets.selectors import deadline_for, deadline_passed, deadlines_for_employers
from sectorplan.api.errors import DomainError, StateConflict
from sectorplan.locking import lock_many, lock_one
from sectorplan.uploads import check_document, scanner

from . import rules
from .constants import (
    REGISTRATION_EDITABLE,
    REGISTRATION_TRANSITIONS,
    ApplicationStatus,
    DocumentKind,
    Outcome,
    RegistrationStatus,
)
from .models import Application, Registration, RegistrationDocument, RegistrationTransition
from .selectors import membership_role

REGISTRATION_FIELDS = rules.REGISTRATION_FIELDS
#: From this many rows on, registrations are inserted with PostgreSQL COPY instead of an ORM bulk insert.
COPY_THRESHOLD = 500
#: R49: the reviewer's outcomes.
REVIEW_OUTCOMES = (RegistrationStatus.APPROVED, RegistrationStatus.REJECTED, RegistrationStatus.REPAIR_REQUESTED)


# --- checks ----------------------------------------------------------------------------------------------


def _locked_application(application: Application) -> Application:
    return lock_one(Application.objects.select_related("period", "employer"), pk=application.pk)


def _locked_registration(registration: Registration) -> tuple[Application, Registration]:
    """The application, then the registration (the documented lock order)."""
    application = _locked_application(registration.application)
    return application, lock_one(Registration.objects, pk=registration.pk, application=application)


def is_member(user, employer) -> bool:
    """R47: members of either role (contact or accountability officer) register."""
    return membership_role(user, employer) is not None


def _require_member(user, application: Application) -> None:
    if not is_member(user, application.employer):
        raise StateConflict(field="application", code="not_member",
                            message=_("Only the employer's members register trajectories."))


def require_granted(application: Application) -> None:
    """Registrations are registered on a granted application only; anything else is a 409."""
    if application.status != ApplicationStatus.GRANTED:
        raise StateConflict(
            field="status", code="not_granted",
            message=_("Registrations are registered once the application has been granted."),
        )


def _require_editable(registration: Registration) -> None:
    if registration.status not in REGISTRATION_EDITABLE:
        raise StateConflict(
            field="status", code="not_editable",
            message=_("A registration can only be changed while it is a draft or a repair has been requested."),
        )


def _check_transition(current: str, to: str) -> None:
    if to not in REGISTRATION_TRANSITIONS[current]:
        raise StateConflict(
            field="status", code="invalid_transition",
            message=_("A registration with status %(from)s cannot become %(to)s.")
            % {"from": RegistrationStatus(current).label, "to": RegistrationStatus(to).label},
        )


def _move(registration: Registration, *, to: str, by, reason: str, fields: tuple[str, ...] = ()) -> None:
    """Change the status along the map and write the timeline row (R49, R39); the caller holds the locks."""
    current = registration.status
    _check_transition(current, to)
    registration.status = to
    registration.save(update_fields=["status", "updated_at", *fields])
    RegistrationTransition.objects.create(
        registration=registration, from_status=current, to_status=to, actor=by, reason=reason
    )


def _note(registration: Registration, *, by, reason: str) -> None:
    """A change that is no status change (fields edited, a document uploaded, progress) on the timeline."""
    RegistrationTransition.objects.create(
        registration=registration, from_status=registration.status, to_status=registration.status, actor=by,
        reason=reason,
    )


# --- agreement approval (R46) ----------------------------------------------------------------------------


def agreement_approval_record(*, application: Application, at) -> None:
    """R46: record that the grant's project agreement was approved (called by ``accounting.agreements`` inside
    its review's transaction, under the application's row lock)."""
    Application.objects.filter(pk=application.pk).update(agreement_approved_at=at)


# --- duplicates (R47) -------------------------------------------------------------------------------------


def _duplicate_error() -> dict:
    """R47: the same person (name, date of birth, activity type, start date) twice in one application."""
    return {
        "field": "surname",
        "code": "duplicate_registration",
        "message": _("This person is already in the application with this activity and start date."),
    }


def _flag_duplicates(application: Application, objects: list[Registration]) -> None:
    """R47: point ``duplicate_of`` at the earliest registration of the same person, activity type and start date
    in another employer's application. One query for the whole batch."""
    if not objects:
        return
    births = {o.date_of_birth for o in objects}
    starts = {o.start_date for o in objects}
    candidates = (
        Registration.objects.filter(date_of_birth__in=births, start_date__in=starts)
        .exclude(application__employer_id=application.employer_id)
        .order_by("id")
        .values("id", "initials", "surname", "date_of_birth", "activity_type", "start_date")
    )
    first: dict[tuple, int] = {}
    for row in candidates:
        first.setdefault(rules.person_key(row), row["id"])
    for obj in objects:
        obj.duplicate_of_id = first.get(rules.person_key(obj.__dict__))


# --- create, import, update (R47, R10-R13) ----------------------------------------------------------------


def _check_rows(
    application: Application, rows: list[dict], line_numbers: list[int] | None
) -> tuple[list[dict], list[Registration]]:
    """Validate ``rows`` in memory against R10-R13 and R47; return ``(errors, unsaved registrations)``."""
    period_rules = rules.PeriodRules.from_period(application.period)
    existing = {
        rules.person_key(p)
        for p in application.registrations.values("initials", "surname", "date_of_birth", "activity_type", "start_date")
    }
    errors: list[dict] = []
    objects: list[Registration] = []
    seen: set[tuple] = set()
    many = len(rows) > 1
    for index, row in enumerate(rows):
        line = line_numbers[index] if line_numbers else None
        row_errors, derived = rules.validate_registration(row, period_rules)
        key = rules.person_key(row)
        if key in existing or key in seen:
            row_errors.append(_duplicate_error())
        seen.add(key)
        for err in row_errors:
            if line is not None:
                err["line"] = line
            elif many:
                err["field"] = f"[{index}].{err['field']}"
        errors.extend(row_errors)
        if not row_errors:
            values = {f: row.get(f) for f in REGISTRATION_FIELDS}
            objects.append(Registration(application=application, **values, **derived))
    return errors, objects


def _insert(objects: list[Registration]) -> list[Registration]:
    """Insert validated registrations; large batches with COPY (about 5x faster than ``bulk_create``).

    The caller holds the application's row lock, so the ids COPY draws from the sequence are the only new ids
    of this application and come back in row order.
    """
    if len(objects) < COPY_THRESHOLD or connection.vendor != "postgresql":
        return Registration.objects.bulk_create(objects, batch_size=2000)
    now = timezone.now()
    fields = [f for f in Registration._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(Registration._meta.db_table)
    attnames = [f.attname for f in fields]
    application_id = objects[0].application_id
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COALESCE(MAX(id), 0) FROM {table} WHERE application_id = %s",  # noqa: S608 - model names
            [application_id],
        )
        before = cursor.fetchone()[0]
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # psycopg 3
            for obj in objects:
                obj.created_at = obj.updated_at = now
                copy.write_row([getattr(obj, name) for name in attnames])
        cursor.execute(
            f"SELECT id FROM {table} WHERE application_id = %s AND id > %s ORDER BY id",  # noqa: S608
            [application_id, before],
        )
        ids = [row[0] for row in cursor.fetchall()]
    if len(ids) != len(objects):  # pragma: no cover - would mean a concurrent insert despite the lock
        raise RuntimeError("Registration ids could not be matched after COPY.")
    for obj, pk in zip(objects, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = "default"
    return objects


def registrations_validate(
    *, application: Application, rows: list[dict], line_numbers: list[int] | None = None
) -> list[dict]:
    """The errors :func:`registrations_add` would raise for ``rows``, without writing anything."""
    errors, _objects = _check_rows(application, rows, line_numbers)
    return errors


def registrations_add(
    *, application: Application, rows: list[dict], by, line_numbers: list[int] | None = None
) -> list[Registration]:
    """R47: add draft registrations to a granted application, all or nothing; members of either role.

    ``rows`` hold typed values (dates, Decimals). Every invalid row is reported: each error carries ``field``,
    ``code`` and ``message``, and ``line`` when ``line_numbers`` is given (a file); without line numbers and with
    several rows the field is prefixed with the row index (``[2].focus``). Each new registration starts its
    timeline; one of another employer's person, activity and start is flagged (``duplicate_of``).
    """
    with transaction.atomic():
        application = _locked_application(application)
        _require_member(by, application)
        require_granted(application)
        errors, objects = _check_rows(application, rows, line_numbers)
        if errors:
            raise DomainError(errors)
        _flag_duplicates(application, objects)
        created = _insert(objects)
        reason = _("Imported from a file") if line_numbers else _("Registered")
        _start_timelines(created, by=by, reason=reason)
        return created


def _start_timelines(created: list[Registration], *, by, reason: str) -> None:
    """The first timeline row of each new registration; large batches with COPY, like the registrations."""
    if len(created) < COPY_THRESHOLD or connection.vendor != "postgresql":
        RegistrationTransition.objects.bulk_create(
            [RegistrationTransition(registration=r, from_status="", to_status=RegistrationStatus.DRAFT, actor=by,
                                    reason=reason) for r in created],
            batch_size=2000,
        )
        return
    table = connection.ops.quote_name(RegistrationTransition._meta.db_table)
    now = timezone.now()
    actor_id = getattr(by, "pk", None)
    with connection.cursor() as cursor:
        columns = "registration_id, from_status, to_status, actor_id, reason, at"
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # psycopg 3
            for registration in created:
                copy.write_row([registration.pk, "", RegistrationStatus.DRAFT, actor_id, reason, now])


@transaction.atomic
def registration_update(*, registration: Registration, values: dict, by) -> Registration:
    """R47: change a registration's fields while it is a draft or a repair is requested (the same checks as
    creating it; the duplicate flag is recomputed). On the timeline with the changed fields."""
    application, registration = _locked_registration(registration)
    _require_member(by, application)
    require_granted(application)
    _require_editable(registration)
    merged = {f: values.get(f, getattr(registration, f)) for f in REGISTRATION_FIELDS}
    errors, derived = rules.validate_registration(merged, rules.PeriodRules.from_period(application.period))
    key = rules.person_key(merged)
    others = application.registrations.exclude(pk=registration.pk).values(
        "initials", "surname", "date_of_birth", "activity_type", "start_date"
    )
    if any(rules.person_key(o) == key for o in others):
        errors.append(_duplicate_error())
    if errors:
        raise DomainError(errors)
    changed = [f for f in REGISTRATION_FIELDS if merged[f] != getattr(registration, f)]
    for field, value in {**merged, **derived}.items():
        setattr(registration, field, value)
    _flag_duplicates(application, [registration])
    registration.save()
    if changed:
        _note(registration, by=by, reason=_("Changed: %(fields)s") % {
            "fields": ", ".join(str(rules.REGISTRATION_INPUT[f].label) for f in changed)})
    return registration


@transaction.atomic
def registration_delete(*, registration: Registration, by) -> None:
    """A draft application's registrations may go with it; a registration once registered on a granted
    application is kept (R39; the model refuses it too)."""
    application = _locked_application(registration.application)
    if application.status != ApplicationStatus.DRAFT:
        raise StateConflict(field="status", code="not_draft",
                            message=_("A submitted application is final and can no longer be changed."))
    registration.delete()


# --- evidence (R50) --------------------------------------------------------------------------------------


def required_documents(registration: Registration, *, application: Application | None = None) -> list[str]:
    """R50: the kinds of evidence ``registration`` needs (period data per activity type; small applications
    a completion statement instead of cost evidence, R31)."""
    application = application or registration.application
    rate = application.period.activity_rates.filter(activity_type=registration.activity_type).first()
    return required_evidence(rate.required_documents if rate else [], small=application.is_small)


def missing_documents(registration: Registration, *, application: Application | None = None) -> list[str]:
    present = set(registration.documents.values_list("kind", flat=True))
    return [k for k in required_documents(registration, application=application) if k not in present]


def document_upload(*, registration: Registration, kind: str, upload, by) -> RegistrationDocument:
    """R50: a member uploads evidence while the registration is a draft or awaits repair: PDF, JPEG or PNG by
    content, at most 10 MB (413), virus-scanned when a scanner is configured (before anything is stored). A new
    upload of a kind is its next version; nothing is overwritten."""
    if kind not in DocumentKind.values:
        raise DomainError(field="kind", code="invalid_choice",
                          message=_("Unknown document kind; use one of: %(kinds)s.")
                          % {"kinds": ", ".join(DocumentKind.values)})
    checked = check_document(upload, field="file")  # outside the transaction: no lock while scanning
    scanned = scanner() is not None
    with transaction.atomic():
        application, registration = _locked_registration(registration)
        _require_member(by, application)
        require_granted(application)
        _require_editable(registration)
        version = registration.documents.filter(kind=kind).count() + 1
        document = RegistrationDocument(
            registration=registration, kind=kind, version=version, sha256=checked.sha256, size=checked.size,
            media_type=checked.media_type, filename=(getattr(upload, "name", "") or "")[:255], scanned=scanned,
            uploaded_by=by,
        )
        document.file.save(f"{kind}-v{version}.{checked.kind}", ContentFile(checked.content), save=False)
        document.save(force_insert=True)
        _note(registration, by=by, reason=_("Document uploaded: %(kind)s, version %(version)s")
              % {"kind": DocumentKind(kind).label, "version": version})
        return document


# --- submit and review (R46, R49) -------------------------------------------------------------------------


@transaction.atomic
def registration_submit(*, registration: Registration, by, today: date | None = None) -> Registration:
    """R46, R49, R50: a member submits a draft (until the registration deadline) or a repaired registration
    (until the repair deadline) for review, once the project agreement is approved and with every required
    document (400 naming the missing ones)."""
    today = today or timezone.localdate()
    application, registration = _locked_registration(registration)
    _require_member(by, application)
    require_granted(application)
    if application.agreement_approved_at is None:
        raise StateConflict(
            field="application", code="agreement_not_approved",
            message=_("Registrations can be submitted once the project agreement has been approved."),
        )
    if registration.status not in REGISTRATION_EDITABLE:
        raise StateConflict(field="status", code="already_submitted",
                            message=_("This registration has already been submitted."))
    repair = registration.status == RegistrationStatus.REPAIR_REQUESTED
    kind = DeadlineKind.REPAIR if repair else DeadlineKind.REGISTRATION
    deadline = deadline_for(period=application.period, kind=kind, employer=application.employer_id)
    if deadline_passed(deadline, today):
        raise StateConflict(
            field="status", code="repair_deadline_passed" if repair else "registration_deadline_passed",
            message=_("The deadline (%(date)s) has passed.") % {"date": deadline.strftime("%d-%m-%Y")},
        )
    missing = missing_documents(registration, application=application)
    if missing:
        raise DomainError([
            {"field": "documents", "code": "missing_document",
             "message": _("Missing document: %(label)s (%(kind)s).") % {"label": DocumentKind(k).label, "kind": k}}
            for k in missing
        ])
    registration.review_reason = ""
    _move(registration, to=RegistrationStatus.SUBMITTED, by=by,
          reason=_("Resubmitted after repair") if repair else _("Submitted for review"), fields=("review_reason",))
    return registration


@transaction.atomic
def registration_review(*, registration: Registration, outcome: str, reason: str, by) -> Registration:
    """R49: the office reviewer approves a submitted registration, rejects it with a reason, or asks for a repair
    naming what to repair. Not a decision: no four-eyes."""
    reason = (reason or "").strip()
    if outcome not in REVIEW_OUTCOMES:
        raise DomainError(field="outcome", code="invalid_choice",
                          message=_("Choose approved, rejected or repair_requested."))
    if outcome != RegistrationStatus.APPROVED and not reason:
        raise DomainError(
            field="reason", code="required",
            message=_("State what to repair.") if outcome == RegistrationStatus.REPAIR_REQUESTED
            else _("State the reason for rejecting the registration."),
        )
    application, registration = _locked_registration(registration)
    require_granted(application)
    if registration.status != RegistrationStatus.SUBMITTED:
        raise StateConflict(field="status", code="not_submitted",
                            message=_("Only a registration submitted for review can be reviewed."))
    registration.review_reason = reason
    _move(registration, to=outcome, by=by, reason=reason or _("Approved"), fields=("review_reason",))
    return registration


def repairs_expire(*, today: date | None = None) -> int:
    """R49 (Celery beat, daily): reject every registration still awaiting repair after the repair deadline in
    force for its employer (extensions count). Per application under its lock; returns how many were rejected.
    A rerun finds nothing more to do."""
    today = today or timezone.localdate()
    waiting = (
        Registration.objects.filter(status=RegistrationStatus.REPAIR_REQUESTED)
        .values_list("application__period_id", "application__employer_id", "application_id")
        .distinct()
    )
    by_period: dict[int, list[tuple[int, int]]] = {}
    for period_id, employer_id, application_id in waiting:
        by_period.setdefault(period_id, []).append((employer_id, application_id))
    rejected = 0
    for period_id, pairs in by_period.items():
        period = Period.objects.get(pk=period_id)
        period_date, per_employer = deadlines_for_employers(period=period, kind=DeadlineKind.REPAIR)
        for employer_id, application_id in sorted(pairs, key=lambda p: p[1]):
            if deadline_passed(per_employer.get(employer_id, period_date), today):
                rejected += _expire_application(application_id=application_id)
    return rejected


@transaction.atomic
def _expire_application(*, application_id: int) -> int:
    lock_one(Application.objects, pk=application_id)
    registrations = lock_many(Registration.objects.filter(
        application_id=application_id, status=RegistrationStatus.REPAIR_REQUESTED))
    for registration in registrations:
        _move(registration, to=RegistrationStatus.REJECTED, by=None,
              reason=_("Not repaired before the repair deadline"))
    return len(registrations)


# --- progress (R29) ---------------------------------------------------------------------------------------


@transaction.atomic
def progress_report(
    *, registration: Registration, started: bool, outcome: str | None, actual_cost, by, today: date | None = None,
    reopened_until: date | None = None,
) -> Registration:
    """R29: a member reports an approved registration's progress until the accountability deadline in force
    for the employer (extensions count; 409 after), or until the office reopened reporting (``reopened_until``,
    passed by the accountability upload that knows it). A registration that did not start has no outcome; a
    started one has one; actual-cost types state the actual cost once started (small applications: no costs,
    R31). The one rule for progress: the per-registration API, the portal form and the bulk upload all come here."""
    today = today or timezone.localdate()
    application, registration = _locked_registration(registration)
    _require_member(by, application)
    require_granted(application)
    if registration.status != RegistrationStatus.APPROVED:
        raise StateConflict(field="status", code="not_approved",
                            message=_("Progress is reported on approved registrations."))
    deadline = deadline_for(period=application.period, kind=DeadlineKind.ACCOUNTABILITY,
                            employer=application.employer_id)
    if deadline is not None and reopened_until is not None:
        deadline = max(deadline, reopened_until)
    if deadline_passed(deadline, today):
        raise StateConflict(field="status", code="deadline_passed",
                            message=_("The accountability deadline (%(date)s) has passed.")
                            % {"date": deadline.strftime("%d-%m-%Y")})
    errors = []
    outcome = outcome or ""
    if not started and outcome:
        errors.append({"field": "outcome", "code": "not_started",
                       "message": _("A registration that did not start has no outcome.")})
    elif started and outcome not in Outcome.values:
        errors.append({"field": "outcome", "code": "required",
                       "message": _("Choose completed, dropped out or still running.")})
    rate = application.period.activity_rates.filter(activity_type=registration.activity_type).first()
    if application.is_small and actual_cost is not None:
        errors.append({"field": "actual_cost", "code": "not_for_small",
                       "message": _("Small applications report completion only, without costs.")})
    elif actual_cost is not None and actual_cost < 0:
        errors.append({"field": "actual_cost", "code": "negative",
                       "message": _("The actual cost may not be negative.")})
    elif (started and not application.is_small and actual_cost is None and rate is not None
          and rate.method == RateMethod.ACTUAL_COST):
        errors.append({"field": "actual_cost", "code": "required",
                       "message": _("The actual cost is required for this activity type.")})
    if errors:
        raise DomainError(errors)
    registration.started = started
    registration.outcome = outcome if started else ""
    registration.actual_cost = actual_cost
    registration.reported_at = timezone.now()
    registration.save(update_fields=["started", "outcome", "actual_cost", "reported_at", "updated_at"])
    _note(registration, by=by, reason=_("Progress: %(progress)s") % {
        "progress": Outcome(outcome).label if started else _("not started")})
    return registration

