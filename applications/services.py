"""Writes on employers, applications and their plan lines (R1, R5-R15, R39); registrations are written by
``applications.registrations``.

Every function is keyword-only, runs in one transaction, locks what it changes, validates, and
writes the history row in the same transaction. Side effects start on commit.
"""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from budgets.models import EmployerOrganisation, Period, Region
from sectorplan.api.errors import DomainError, StateConflict
from sectorplan.locking import lock_one
from sectorplan.money import ZERO

from . import receipts, rules, terms
from .constants import TRANSITIONS, ApplicationStatus
from .models import (
    Application,
    ApplicationTransition,
    Employer,
    Membership,
    OfficeScope,
    OfficeScopeChange,
    PlanLine,
)
from .validators import normalise_iban

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
    return lock_one(Application.objects.select_related("period", "employer"), pk=application.pk)


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
def application_create(*, employer: Employer, region: Region, period: Period, by, small: bool = False) -> Application:
    """Draft a new application (R5), small or not as the employer chooses (R14). The reference is numbered per
    period under the period's row lock."""
    period = Period.objects.select_for_update(of=("self",)).get(pk=period.pk)
    if small and period.small_application_limit is None:
        raise DomainError(field="small", code="no_small_regime", message=_("This period has no small applications."))
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
                small=bool(small),
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


# --- Plan lines (R8, R9, R12-R14) ---------------------------------------------------------------


def _recompute_requested(application: Application) -> None:
    """R12: the sum of the plan lines, capped at the period's cap per application."""
    total = application.plan_lines.aggregate(t=Sum("requested_amount"))["t"] or ZERO
    application.requested_amount = rules.capped(total, application.period.application_cap)
    application.save(update_fields=["requested_amount"])


def _plan_errors(application: Application, plan_rules: rules.PlanRules, *, at_submission: bool) -> list[dict]:
    lines = list(application.plan_lines.values("focus", "requested_amount"))
    return rules.plan_errors(lines=lines, rules=plan_rules, small=application.small, at_submission=at_submission)


def _check_plan_rows(
    application: Application, rows: list[dict], line_numbers: list[int] | None, *, existing: set[tuple],
    index_fields: bool | None = None,
) -> tuple[list[dict], list[PlanLine]]:
    """Validate plan-line ``rows`` in memory (R8, R9, R12); return ``(errors, unsaved lines)``."""
    plan_rules = rules.PlanRules.from_period(application.period)
    errors: list[dict] = []
    objects: list[PlanLine] = []
    seen: set[tuple] = set()
    many = len(rows) > 1 if index_fields is None else index_fields
    for index, row in enumerate(rows):
        row_errors, derived = rules.validate_plan_line(row, plan_rules)
        key = rules.plan_key(row)
        if not row_errors and (key in existing or key in seen):
            row_errors.append({"field": "focus", "code": "duplicate_line",
                               "message": _("The plan already has a line for this activity type and focus.")})
        seen.add(key)
        for err in row_errors:
            if line_numbers is not None:
                err["line"] = line_numbers[index]
            elif many:
                err["field"] = f"[{index}].{err['field']}"
        errors.extend(row_errors)
        if not row_errors:
            values = {f: row.get(f) for f in rules.PLAN_LINE_FIELDS}
            objects.append(PlanLine(application=application, **values, **derived))
    return errors, objects


def plan_lines_validate(*, application: Application, rows: list[dict], line_numbers: list[int] | None = None) -> list[dict]:
    """The errors :func:`plan_lines_add` would raise for ``rows``, without writing anything."""
    existing = {rules.plan_key(v) for v in application.plan_lines.values("activity_type", "focus")}
    errors, _objects = _check_plan_rows(application, rows, line_numbers, existing=existing)
    return errors


def _save_plan(application: Application, objects: list[PlanLine]) -> list[PlanLine]:
    created = PlanLine.objects.bulk_create(objects)
    _recompute_requested(application)
    errors = _plan_errors(application, rules.PlanRules.from_period(application.period), at_submission=False)
    if errors:
        raise DomainError(errors)  # the transaction rolls the lines back
    return created


def plan_lines_add(
    *, application: Application, rows: list[dict], by, line_numbers: list[int] | None = None
) -> list[PlanLine]:
    """Add plan lines (R8, R9, R12), all or nothing, only to a draft.

    ``rows`` hold typed values (``activity_type``, ``focus``, ``count``, ``planned_cost``). Every bad row is
    reported: each error has ``field``, ``code``, ``message``, and ``line`` with ``line_numbers`` (a file);
    with several rows and no line numbers the field is prefixed with the row index (``[2].count``).
    """
    with transaction.atomic():
        application = _locked(application)
        _require_draft(application)
        existing = {rules.plan_key(v) for v in application.plan_lines.values("activity_type", "focus")}
        errors, objects = _check_plan_rows(application, rows, line_numbers, existing=existing)
        if errors:
            raise DomainError(errors)
        return _save_plan(application, objects)


def plan_save(*, application: Application, rows: list[dict], by) -> list[PlanLine]:
    """Replace the whole plan with ``rows`` (the portal's matrix), all or nothing, only while draft.

    Errors are reported per row as ``[index].field`` in the order of ``rows``.
    """
    with transaction.atomic():
        application = _locked(application)
        _require_draft(application)
        errors, objects = _check_plan_rows(application, rows, None, existing=set(), index_fields=True)
        if errors:
            raise DomainError(errors)
        application.plan_lines.all().delete()
        return _save_plan(application, objects)


def plan_line_delete(*, line: PlanLine, by) -> None:
    """Remove one plan line from a draft (R7). The retention share is checked again at submission."""
    with transaction.atomic():
        application = _locked(line.application)
        _require_draft(application)
        PlanLine.objects.filter(pk=line.pk, application=application).delete()
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
    if not application.plan_lines.exists():
        raise DomainError(
            field="plan_lines", code="no_plan_lines", message=_("Add at least one plan line before submitting.")
        )
    plan_errors = _plan_errors(application, rules.PlanRules.from_period(period), at_submission=True)  # R9, R14
    if plan_errors:
        raise DomainError(plan_errors)
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
    """R15: assess every plan line: how many of its trajectories are eligible (0..count), with a reason when
    fewer than planned. The eligible amount is the sum of eligible count x amount per trajectory, capped at the
    period's cap per application (R12). The reasons stay on the lines for the decision letter (R27).

    ``verdicts`` is a list of ``{"id", "eligible_count", "reason"}`` and must cover every line.
    """
    application = _locked(application)
    if application.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.ASSESSED):
        raise StateConflict(
            field="status", code="not_submitted", message=_("Only a submitted application can be assessed.")
        )
    lines = {line.pk: line for line in application.plan_lines.all()}
    errors = []
    seen = set()
    for index, verdict in enumerate(verdicts):
        line_id = verdict.get("id")
        prefix = f"lines[{index}]"
        if line_id not in lines:
            errors.append({"field": f"{prefix}.id", "code": "unknown_line",
                           "message": _("This plan line is not part of the application.")})
            continue
        if line_id in seen:
            errors.append({"field": f"{prefix}.id", "code": "duplicate",
                           "message": _("This plan line is assessed twice.")})
        seen.add(line_id)
        errors.extend(rules.verdict_errors(verdict=verdict, count=lines[line_id].count, prefix=prefix))
    missing = set(lines) - seen
    if missing:
        errors.append({"field": "lines", "code": "incomplete",
                       "message": _("Every plan line must be assessed (%(n)s missing).") % {"n": len(missing)}})
    if errors:
        raise DomainError(errors)
    total = Decimal("0.00")
    for verdict in verdicts:
        line = lines[verdict["id"]]
        line.eligible_count = verdict["eligible_count"]
        line.reason = (verdict.get("reason") or "").strip()
        total += line.eligible_count * line.amount_per_trajectory
    PlanLine.objects.bulk_update(list(lines.values()), ["eligible_count", "reason"])
    application.eligible_amount = rules.capped(total, application.period.application_cap)
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
