"""Writes on employers, applications and participants (R1, R5-R15, R39).

Every function is keyword-only, runs in one transaction, locks what it changes, validates, and
writes the history row in the same transaction. Side effects start on commit.
"""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from budgets.models import EmployerOrganisation, Period, Region
from sectorplan.api.errors import DomainError, StateConflict
from sectorplan.locking import lock_one
from sectorplan.money import ZERO

from . import receipts, rules, terms
from .constants import TRANSITIONS, ApplicationStatus, Focus
from .models import (
    Application,
    ApplicationTransition,
    Employer,
    Membership,
    OfficeScope,
    OfficeScopeChange,
    Participant,
)
from .validators import normalise_iban

PARTICIPANT_FIELDS = rules.PARTICIPANT_FIELDS  # re-exported; defined once in rules.py


# --- Status changes ---------------------------------------------------------------------------


def _check_transition(*, current: str, to: str) -> None:
    """The one check of the status map (R39): 409 ``invalid_transition`` when ``current`` may not become ``to``."""
    if to not in TRANSITIONS[current]:
        raise StateConflict(
            field="status",
            code="invalid_transition",
            message=_("An application with status %(from)s cannot become %(to)s.")
            % {"from": ApplicationStatus(current).label, "to": ApplicationStatus(to).label},
        )


def transition(*, application: Application, to: str, by, reason: str = "") -> ApplicationTransition:
    """Move ``application`` to ``to`` if the map allows it, and record the change (R39).

    The caller holds the row lock (``select_for_update``) and the transaction.
    """
    current = application.status
    _check_transition(current=current, to=to)
    application.status = to
    application.save(update_fields=["status"])
    return ApplicationTransition.objects.create(
        application=application, from_status=current, to_status=to, actor=by, reason=reason
    )


def transition_many(*, applications: list[Application], to: str, by, reason: str = "") -> list[ApplicationTransition]:
    """Bulk form of :func:`transition` for many applications at once (allocation, R18).

    Every application is checked against the same map as :func:`transition` first (all or nothing: one
    refused transition raises 409 and changes nothing); then one UPDATE and one history INSERT, so the
    number of queries does not depend on the number of applications. The caller holds the row locks and
    the transaction. The in-memory objects get the new status.
    """
    applications = list(applications)
    if not applications:
        return []
    for application in applications:
        _check_transition(current=application.status, to=to)
    Application.objects.filter(pk__in=[a.pk for a in applications]).update(status=to)
    history = ApplicationTransition.objects.bulk_create(
        [
            ApplicationTransition(application=a, from_status=a.status, to_status=to, actor=by, reason=reason)
            for a in applications
        ],
        batch_size=2000,
    )
    for application in applications:
        application.status = to
    return history


def _locked(application: Application) -> Application:
    return Application.objects.select_for_update(of=("self",)).select_related("period", "employer").get(pk=application.pk)


# --- Employers ---------------------------------------------------------------------------------


@transaction.atomic
def employer_create(*, by, **fields) -> Employer:
    """R1: create an employer after full validation (KvK, IBAN mod-97, unique KvK)."""
    fields["iban"] = normalise_iban(fields.get("iban", ""))
    employer = Employer(**fields)
    employer.full_clean()
    employer.save()
    return employer


@transaction.atomic
def membership_add(*, employer: Employer, user, role: str, by):
    """R2: link ``user`` to ``employer``. Adding an existing member again changes nothing (409)."""
    if Membership.objects.filter(employer=employer, user=user).exists():
        raise StateConflict(field="username", code="already_member", message=_("This account is already a member."))
    return Membership.objects.create(employer=employer, user=user, role=role, created_by=by)


# --- Applications ------------------------------------------------------------------------------


@transaction.atomic
def application_create(*, employer: Employer, region: Region, period: Period, by) -> Application:
    """Draft a new application (R5). The reference is numbered per period under the period's row lock."""
    period = Period.objects.select_for_update(of=("self",)).get(pk=period.pk)
    if Application.objects.filter(employer=employer, region=region, period=period).exists():
        raise StateConflict(
            field="period",
            code="duplicate_application",
            message=_("This employer already has an application for this region and period."),
        )
    number = (Application.objects.filter(period=period).aggregate(m=Max("number"))["m"] or 0) + 1
    try:
        with transaction.atomic():
            application = Application.objects.create(
                employer=employer,
                region=region,
                period=period,
                number=number,
                reference=Application.make_reference(period.number, number),
                created_by=by,
            )
    except IntegrityError as exc:
        raise StateConflict(
            field="period",
            code="duplicate_application",
            message=_("This employer already has an application for this region and period."),
        ) from exc
    ApplicationTransition.objects.create(
        application=application, from_status="", to_status=ApplicationStatus.DRAFT, actor=by, reason=_("Created")
    )
    return application


def require_draft(application: Application) -> None:
    """R7: only a draft can be changed; anything else is a 409."""
    _require_draft(application)


def _require_draft(application: Application) -> None:
    if application.status != ApplicationStatus.DRAFT:
        raise StateConflict(
            field="status",
            code="not_draft",
            message=_("A submitted application is final and can no longer be changed."),
        )


def _recompute_requested(application: Application) -> None:
    total = application.participants.aggregate(t=Sum("requested_amount"))["t"] or ZERO
    application.requested_amount = total
    application.save(update_fields=["requested_amount"])


def _check_retention_share(application: Application) -> None:
    """R9: in periods that allow retention, its share of the application is capped."""
    period = application.period
    if not period.retention_allowed:
        return
    totals = application.participants.aggregate(all=Sum("requested_amount"))
    retention = (
        application.participants.filter(focus=Focus.RETENTION).aggregate(t=Sum("requested_amount"))["t"] or ZERO
    )
    if retention and not rules.retention_within_share(
        retention_total=retention, application_total=totals["all"] or ZERO, max_percent=period.retention_max_percent
    ):
        raise DomainError(
            field="focus",
            code="retention_share_exceeded",
            message=_("Retention participants may receive at most %(pct)s%% of the application's subsidy.")
            % {"pct": f"{period.retention_max_percent.normalize():f}"},
        )


def _duplicate_error() -> dict:
    """R13: the same person (name, date of birth, activity type, start date) twice in one application."""
    return {
        "field": "surname",
        "code": "duplicate_participant",
        "message": _("This person is already in the application with this activity and start date."),
    }


def _check_rows(
    application: Application, rows: list[dict], line_numbers: list[int] | None
) -> tuple[list[dict], list[Participant]]:
    """Validate ``rows`` in memory against R8-R13; return ``(errors, unsaved participants)``."""
    period_rules = rules.PeriodRules.from_period(application.period)
    existing = {
        rules.person_key(p)
        for p in application.participants.values("initials", "surname", "date_of_birth", "activity_type", "start_date")
    }
    errors: list[dict] = []
    objects: list[Participant] = []
    seen: set[tuple] = set()
    many = len(rows) > 1
    for index, row in enumerate(rows):
        line = line_numbers[index] if line_numbers else None
        row_errors, derived = rules.validate_participant(row, period_rules)
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
            values = {f: row.get(f) for f in PARTICIPANT_FIELDS}
            objects.append(Participant(application=application, **values, **derived))
    return errors, objects


#: From this many rows on, participants are inserted with PostgreSQL COPY instead of an ORM bulk insert.
COPY_THRESHOLD = 500


def _insert_participants(objects: list[Participant]) -> list[Participant]:
    """Insert validated participants; large batches with COPY (about 5x faster than ``bulk_create``).

    The caller holds the application's row lock, so the ids COPY draws from the sequence are the
    only new ids of this application and come back in row order.
    """
    if len(objects) < COPY_THRESHOLD or connection.vendor != "postgresql":
        return Participant.objects.bulk_create(objects, batch_size=2000)
    now = timezone.now()
    fields = [f for f in Participant._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(Participant._meta.db_table)
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
                obj.created_at = now
                copy.write_row([getattr(obj, name) for name in attnames])
        cursor.execute(
            f"SELECT id FROM {table} WHERE application_id = %s AND id > %s ORDER BY id",  # noqa: S608
            [application_id, before],
        )
        ids = [row[0] for row in cursor.fetchall()]
    if len(ids) != len(objects):  # pragma: no cover - would mean a concurrent insert despite the lock
        raise RuntimeError("Participant ids could not be matched after COPY.")
    for obj, pk in zip(objects, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = "default"
    return objects


def participants_validate(
    *, application: Application, rows: list[dict], line_numbers: list[int] | None = None
) -> list[dict]:
    """The errors :func:`participants_add` would raise for ``rows``, without writing anything."""
    errors, _objects = _check_rows(application, rows, line_numbers)
    return errors


def participants_add(
    *, application: Application, rows: list[dict], by, line_numbers: list[int] | None = None
) -> list[Participant]:
    """Add participants (R8-R13), all or nothing.

    ``rows`` hold typed values (dates, Decimals). Every invalid row is reported: each error carries
    ``field``, ``code`` and ``message``, and ``line`` when ``line_numbers`` is given (bulk import);
    without line numbers and with several rows the field is prefixed with the row index (``[2].focus``).
    """
    with transaction.atomic():
        application = _locked(application)
        _require_draft(application)
        errors, objects = _check_rows(application, rows, line_numbers)
        if errors:
            raise DomainError(errors)
        created = _insert_participants(objects)
        _recompute_requested(application)
        _check_retention_share(application)
        return created


@transaction.atomic
def participant_update(*, participant: Participant, values: dict, by) -> Participant:
    application = _locked(participant.application)
    _require_draft(application)
    participant = Participant.objects.select_for_update(of=("self",)).get(pk=participant.pk)
    merged = {f: values.get(f, getattr(participant, f)) for f in PARTICIPANT_FIELDS}
    errors, derived = rules.validate_participant(merged, rules.PeriodRules.from_period(application.period))
    key = rules.person_key(merged)
    others = application.participants.exclude(pk=participant.pk).values(
        "initials", "surname", "date_of_birth", "activity_type", "start_date"
    )
    if any(rules.person_key(o) == key for o in others):
        errors.append(_duplicate_error())
    if errors:
        raise DomainError(errors)
    for field, value in {**merged, **derived}.items():
        setattr(participant, field, value)
    participant.save()
    _recompute_requested(application)
    _check_retention_share(application)
    return participant


@transaction.atomic
def participant_delete(*, participant: Participant, by) -> None:
    application = _locked(participant.application)
    _require_draft(application)
    participant.delete()
    _recompute_requested(application)


def _window_text(period: Period) -> str:
    opens = timezone.localtime(period.application_opens)
    closes = timezone.localtime(period.application_closes)
    return _("The application window of period %(number)s runs from %(opens)s to %(closes)s (Amsterdam time).") % {
        "number": period.number,
        "opens": date_format(opens, "j F Y H:i"),
        "closes": date_format(closes, "j F Y H:i"),
    }


@transaction.atomic
def application_submit(*, application: Application, by, now=None) -> Application:
    """R6/R7: submit within the window; afterwards the application is final."""
    application = _locked(application)
    now = now or timezone.now()
    if application.status != ApplicationStatus.DRAFT:
        raise StateConflict(
            field="status", code="already_submitted", message=_("This application has already been submitted.")
        )
    period = application.period
    if now < period.application_opens:
        raise DomainError(
            field="period", code="window_not_open", message=_("The application window is not open yet. ") + _window_text(period)
        )
    if now >= period.application_closes:
        raise DomainError(
            field="period", code="window_closed", message=_("The application window has closed. ") + _window_text(period)
        )
    if not application.participants.exists():
        raise DomainError(
            field="participants", code="no_participants", message=_("Add at least one participant before submitting.")
        )
    application.submitted_at = now
    application.save(update_fields=["submitted_at"])
    transition(application=application, to=ApplicationStatus.SUBMITTED, by=by, reason=_("Submitted by the employer"))
    terms.decision_due_update(application=application)  # R44
    receipts.receipt_create(application=application, by=by)  # R42, in this transaction
    return application


@transaction.atomic
def application_withdraw(*, application: Application, by, reason: str = "") -> Application:
    """R7: the employer may withdraw until the application is decided."""
    application = _locked(application)
    if not rules.can_withdraw(application.status):
        raise StateConflict(
            field="status",
            code="cannot_withdraw",
            message=_("An application can only be withdrawn until it has been decided."),
        )
    transition(
        application=application, to=ApplicationStatus.WITHDRAWN, by=by, reason=reason or _("Withdrawn by the employer")
    )
    return application


@transaction.atomic
def application_assess(*, application: Application, verdicts: list[dict], by) -> Application:
    """R15: mark each participant eligible or not, with a reason; the result is the eligible amount.

    ``verdicts`` is a list of ``{"id", "eligible", "reason"}`` and must cover every participant.
    A reason is required when a participant is not eligible.
    """
    application = _locked(application)
    if application.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.ASSESSED):
        raise StateConflict(
            field="status", code="not_submitted", message=_("Only a submitted application can be assessed.")
        )
    participants = {p.pk: p for p in application.participants.select_for_update(of=("self",))}
    errors = []
    seen = set()
    for index, verdict in enumerate(verdicts):
        pid = verdict.get("id")
        if pid not in participants:
            errors.append({"field": f"participants[{index}].id", "code": "unknown_participant",
                           "message": _("This participant is not part of the application.")})
            continue
        if pid in seen:
            errors.append({"field": f"participants[{index}].id", "code": "duplicate",
                           "message": _("This participant is assessed twice.")})
        seen.add(pid)
        if not verdict.get("eligible") and not (verdict.get("reason") or "").strip():
            errors.append({"field": f"participants[{index}].reason", "code": "required",
                           "message": _("Give a reason when a participant is not eligible.")})
    missing = set(participants) - seen
    if missing:
        errors.append({"field": "participants", "code": "incomplete",
                       "message": _("Every participant must be assessed (%(n)s missing).") % {"n": len(missing)}})
    if errors:
        raise DomainError(errors)
    eligible_total = Decimal("0.00")
    changed = []
    for verdict in verdicts:
        p = participants[verdict["id"]]
        p.eligible = bool(verdict["eligible"])
        p.eligibility_reason = (verdict.get("reason") or "").strip()
        changed.append(p)
        if p.eligible:
            eligible_total += p.requested_amount
    Participant.objects.bulk_update(changed, ["eligible", "eligibility_reason"], batch_size=2000)
    application.eligible_amount = eligible_total
    application.assessed_by = by
    application.assessed_at = timezone.now()
    application.save(update_fields=["eligible_amount", "assessed_by", "assessed_at"])
    if application.status == ApplicationStatus.SUBMITTED:
        transition(application=application, to=ApplicationStatus.ASSESSED, by=by, reason=_("Assessed by the office"))
    else:
        ApplicationTransition.objects.create(
            application=application, from_status=application.status, to_status=application.status, actor=by,
            reason=_("Assessment revised"),
        )
    return application


# --- Regional scoping of office users (R4) ------------------------------------------------------------


@transaction.atomic
def office_scope_set(*, user, codes: list[str], by) -> list[str]:
    """R4: scope the office user ``user`` to the regional employer organisations with ``codes`` (empty: all
    regions). Unknown codes are a 400 naming them; nothing changes. A change is audited
    (:class:`~applications.models.OfficeScopeChange`) in the same transaction; setting the same scope again
    writes nothing. Returns the codes now in force, sorted."""
    lock_one(get_user_model().objects, pk=user.pk)  # two edits of one user's scope never interleave
    wanted = sorted(set(codes))
    organisations = {o.code: o for o in EmployerOrganisation.objects.filter(code__in=wanted)}
    unknown = [code for code in wanted if code not in organisations]
    if unknown:
        raise DomainError(
            field="employer_organisations", code="not_found",
            message=_("Unknown regional employer organisation(s): %(codes)s") % {"codes": ", ".join(unknown)},
        )
    before = sorted(OfficeScope.objects.filter(user=user).values_list("employer_organisation__code", flat=True))
    if before == wanted:
        return wanted
    OfficeScope.objects.filter(user=user).exclude(employer_organisation__code__in=wanted).delete()
    OfficeScope.objects.bulk_create(
        [OfficeScope(user=user, employer_organisation=organisations[code]) for code in wanted if code not in before]
    )
    OfficeScopeChange.objects.create(actor=by, user=user, before=before, after=wanted)
    return wanted


def validation_error_to_domain(exc: ValidationError) -> DomainError:
    """Convert Django's ``full_clean`` errors to the API's error list."""
    if hasattr(exc, "error_dict"):
        errors = [
            {"field": field, "code": e.code or "invalid", "message": " ".join(e.messages)}
            for field, errs in exc.error_dict.items()
            for e in errs
        ]
    else:
        errors = [{"field": "non_field_errors", "code": "invalid", "message": m} for m in exc.messages]
    return DomainError(errors)
