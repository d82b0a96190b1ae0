"""Writes on reference data (domain.md §3): regions, employer organisations, periods with their budget
lines and activity rates. The API, the admin and the demo seed all edit through these functions.

Every edit writes a :class:`~budgets.models.ReferenceDataChange` row (actor, time, object, each changed
field old -> new) in the same transaction. The rules live here once, each in one function that the
services call under the period's row lock and the admin calls while validating its forms:

- :func:`budget_lines_check`: the shape of a period's budget lines (400);
- :func:`budget_lines_change_check`: R25, a ceiling never below what is committed on its line, and no
  layout change (pooled or split over earmarks) once money was committed in the period (409);
- :func:`period_fields_check` and :func:`activity_rates_check`: R25, a decided period's rates and
  shares are frozen (409); so are its cap per application and allocation method (R18);
- :func:`deadlines_check`: the shape of a period's deadline calendar (R53, 400).

The calendar's accountability row mirrors ``Period.accountability_deadline`` (which existing code reads):
every period create and update here writes the row from the field, and an accountability date given in
``deadlines`` sets the field.

A period is *decided* (:func:`period_is_decided`) once it has a confirmed allocation or any ledger entry.
The initial load (``seed_reference``, ``budgets.services.reference_data_seed``) is not an edit and is not
audited.
"""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from sectorplan.api.errors import DomainError, StateConflict
from sectorplan.locking import lock_one
from sectorplan.money import ZERO

from . import reference, selectors
from .constants import POOLED, DeadlineKind, ReferenceChangeAction
from .models import (
    DEADLINE_MAX_YEARS,
    ActivityRate,
    Allocation,
    AllocationStatus,
    BudgetLine,
    Deadline,
    DeadlineExtension,
    EmployerOrganisation,
    LedgerEntry,
    Period,
    ReferenceDataChange,
    Region,
    deadline_plausibility_error,
)

#: R25: the rates and shares of a decided period. ``pooled`` is the line layout (see budget_lines_change_check).
FROZEN_PERIOD_FIELDS = (
    "holdback_applies",
    "holdback_percent",
    "advance_percent",
    "retention_allowed",
    "retention_max_percent",
    "small_application_limit",
    "oversubscription_floor",
    "application_cap",
    "allocation_method",
)
#: R25: what of an activity rate is frozen in a decided period (its description is not a rate).
FROZEN_RATE_FIELDS = ("method", "amount", "reduced_amount", "min_contract_hours")
RATE_FIELDS = ("activity_type", *FROZEN_RATE_FIELDS, "description", "required_documents")


# --- The rules ----------------------------------------------------------------------------------


def budget_lines_check(lines: list[dict]) -> None:
    """A period has at least one budget line, each earmark once, and a pooled line only on its own.

    ``lines`` are dicts with ``earmark`` and ``ceiling``. Raises ``ValidationError`` on ``budget_lines``.
    """
    earmarks = [line["earmark"] for line in lines]
    if not lines:
        message = _("A period needs at least one budget line.")
    elif len(set(earmarks)) != len(earmarks):
        message = _("Each earmark may appear only once.")
    elif POOLED in earmarks and len(earmarks) > 1:
        message = _("A pooled period has exactly one line, with earmark 'pooled'.")
    else:
        return
    raise ValidationError({"budget_lines": message}, code="invalid")


def deadlines_check(deadlines: list[dict], *, accountability_deadline=None) -> None:
    """R53: each kind of deadline at most once; an accountability date given both in the calendar and as
    ``accountability_deadline`` must be the same date. Raises ``ValidationError`` on ``deadlines``."""
    kinds = [d["kind"] for d in deadlines]
    given = {d["kind"]: d["date"] for d in deadlines}
    if len(set(kinds)) != len(kinds):
        message = _("Each kind of deadline may appear only once.")
    elif any(kind not in DeadlineKind.values for kind in kinds):
        message = _("Unknown kind of deadline.")
    elif (
        accountability_deadline is not None
        and DeadlineKind.ACCOUNTABILITY in given
        and given[DeadlineKind.ACCOUNTABILITY] != accountability_deadline
    ):
        message = _("The accountability date in the calendar differs from the accountability deadline.")
    else:
        return
    raise ValidationError({"deadlines": message}, code="invalid")


def lines_are_pooled(lines: list[dict]) -> bool:
    return any(line["earmark"] == POOLED for line in lines)


def period_is_decided(period: Period) -> bool:
    """R25: decided once the period has a confirmed allocation or any money on its ledger."""
    if period.pk is None:
        return False
    return (
        Allocation.objects.filter(period_id=period.pk, status=AllocationStatus.CONFIRMED).exists()
        or LedgerEntry.objects.filter(period_id=period.pk).exists()
    )


def _frozen_message(period: Period, label) -> str:
    return _(
        "Period %(number)s has been decided (it has a confirmed allocation or money on its ledger), so its "
        "rates and shares are frozen: %(field)s cannot change (R25)."
    ) % {"number": period.number, "field": label}


def period_fields_check(*, period: Period, changed: Iterable[str]) -> None:
    """R25: refuse (409 ``period_decided``) a change of a frozen field of a decided period."""
    frozen = sorted(set(changed) & set(FROZEN_PERIOD_FIELDS), key=FROZEN_PERIOD_FIELDS.index)
    if frozen and period_is_decided(period):
        raise StateConflict(
            [
                {
                    "field": name,
                    "code": "period_decided",
                    "message": _frozen_message(period, Period._meta.get_field(name).verbose_name),
                }
                for name in frozen
            ]
        )


def budget_lines_change_check(*, period: Period, lines: list[dict]) -> None:
    """R25: once money was committed in the period its line layout is fixed (409 ``layout_frozen``), and
    no ceiling goes below what is committed on its line, unconditional + held + released (409
    ``below_committed``). Errors name ``budget_lines[i].ceiling``. Call it holding the period lock."""
    if period.pk is None:
        return
    current = set(BudgetLine.objects.filter(period_id=period.pk).values_list("earmark", flat=True))
    if {line["earmark"] for line in lines} != current and LedgerEntry.objects.filter(period_id=period.pk).exists():
        raise StateConflict(
            field="budget_lines",
            code="layout_frozen",
            message=_(
                "Money has been committed in period %(number)s, so its budget lines can no longer change "
                "between pooled and split over earmarks, nor gain or lose a line (R25)."
            )
            % {"number": period.number},
        )
    balances = selectors.line_balances(period=period)
    errors = []
    for index, line in enumerate(lines):
        committed = balances.get(line["earmark"], {}).get("committed", ZERO)
        if Decimal(line["ceiling"]) < committed:
            errors.append(
                {
                    "field": f"budget_lines[{index}].ceiling",
                    "code": "below_committed",
                    "message": _(
                        "The ceiling of budget line %(line)s cannot go below the %(committed)s already committed "
                        "on it (R25)."
                    )
                    % {"line": BudgetLine(earmark=line["earmark"]).get_earmark_display(), "committed": committed},
                }
            )
    if errors:
        raise StateConflict(errors)


def activity_rates_check(*, period: Period, rates: list[dict]) -> None:
    """R25: the activity rates of a decided period are frozen (409 ``period_decided``): none added, removed
    or changed but for its description. Errors name ``activity_rates[i].<field>``."""
    if not period_is_decided(period):
        return
    current = {rate.activity_type: rate for rate in ActivityRate.objects.filter(period_id=period.pk)}
    errors = []
    for index, rate in enumerate(rates):
        old = current.get(rate["activity_type"])
        for name in FROZEN_RATE_FIELDS if old is not None else ("activity_type",):
            if old is None or getattr(old, name) != rate.get(name):
                label = ActivityRate._meta.get_field(name).verbose_name
                errors.append(
                    {"field": f"activity_rates[{index}].{name}", "code": "period_decided",
                     "message": _frozen_message(period, label)}
                )
    if set(current) - {rate["activity_type"] for rate in rates}:
        errors.append(
            {"field": "activity_rates", "code": "period_decided",
             "message": _frozen_message(period, _("the list of activity rates"))}
        )
    if errors:
        raise StateConflict(errors)


# --- The audit ----------------------------------------------------------------------------------


def _snapshot(obj: models.Model) -> dict:
    """Field name -> value of every concrete field but the key (foreign keys as ids)."""
    return {f.name: f.value_from_object(obj) for f in obj._meta.concrete_fields if not f.primary_key}


def _diff(old: dict, new: dict) -> dict:
    """``{field: {"old": .., "new": ..}}`` for every field whose value differs ({} stands for no row)."""
    names = [*old, *(name for name in new if name not in old)]
    return {name: {"old": old.get(name), "new": new.get(name)} for name in names if old.get(name) != new.get(name)}


def _audit(*, obj: models.Model, action: str, changes: dict, by) -> ReferenceDataChange | None:
    """Write the audit row of one change (nothing for an edit that changed nothing)."""
    if action == ReferenceChangeAction.UPDATE and not changes:
        return None
    return ReferenceDataChange.objects.create(
        actor=by, action=action, model=obj._meta.label_lower, object_id=obj.pk, object_repr=str(obj)[:200],
        changes=changes,
    )


def _save_audited(*, obj: models.Model, old: dict | None, by) -> None:
    """``full_clean``, save and audit ``obj``; ``old`` is its snapshot before the edit (None: a new row)."""
    obj.full_clean()
    obj.save()
    if old is None:
        _audit(obj=obj, action=ReferenceChangeAction.CREATE, changes=_diff({}, _snapshot(obj)), by=by)
    else:
        _audit(obj=obj, action=ReferenceChangeAction.UPDATE, changes=_diff(old, _snapshot(obj)), by=by)


def _delete_audited(*, obj: models.Model, by) -> None:
    _audit(obj=obj, action=ReferenceChangeAction.DELETE, changes=_diff(_snapshot(obj), {}), by=by)
    obj.delete()


# --- Services -----------------------------------------------------------------------------------


@transaction.atomic
def reference_save(*, obj: Region | EmployerOrganisation, by) -> Region | EmployerOrganisation:
    """Create or edit a region or a regional employer organisation (the admin's path), audited."""
    if not isinstance(obj, Region | EmployerOrganisation):
        raise TypeError("Periods, budget lines and rates are edited with period_create and period_update.")
    old = _snapshot(lock_one(type(obj).objects, pk=obj.pk)) if obj.pk else None
    _save_audited(obj=obj, old=old, by=by)
    return obj


@transaction.atomic
def reference_delete(*, obj: Region | EmployerOrganisation | Period, by) -> None:
    """Delete unused reference data, audited. Whatever refers to it protects it (a ProtectedError)."""
    if isinstance(obj, Period):
        obj = lock_one(Period.objects, pk=obj.pk)
        for child in [*obj.budget_lines.all(), *obj.activity_rates.all(), *obj.deadlines.all()]:
            _delete_audited(obj=child, by=by)
    elif not isinstance(obj, Region | EmployerOrganisation):
        raise TypeError("Only regions, employer organisations and periods are deleted here.")
    _delete_audited(obj=obj, by=by)


def _replace_lines(*, period: Period, lines: list[dict], by) -> None:
    existing = {line.earmark: line for line in period.budget_lines.all()}
    wanted = {line["earmark"]: line for line in lines}
    for earmark, line in existing.items():
        if earmark not in wanted:
            _delete_audited(obj=line, by=by)
    for earmark, values in wanted.items():
        line = existing.get(earmark)
        old = _snapshot(line) if line else None
        line = line or BudgetLine(period=period, earmark=earmark)
        line.ceiling = values["ceiling"]
        _save_audited(obj=line, old=old, by=by)


def _replace_rates(*, period: Period, rates: list[dict], by) -> None:
    existing = {rate.activity_type: rate for rate in period.activity_rates.all()}
    wanted = {rate["activity_type"]: rate for rate in rates}
    for activity_type, rate in existing.items():
        if activity_type not in wanted:
            _delete_audited(obj=rate, by=by)
    for activity_type, values in wanted.items():
        rate = existing.get(activity_type)
        old = _snapshot(rate) if rate else None
        rate = rate or ActivityRate(period=period, activity_type=activity_type)
        for name in RATE_FIELDS:
            setattr(rate, name, values.get(name, getattr(rate, name)))
        _save_audited(obj=rate, old=old, by=by)


def deadlines_plausibility_check(*, period: Period, deadlines: list[dict] | None) -> None:
    """Issue 16, item 5: every date of the calendar (``deadlines`` as given, and the accountability deadline) lies
    between the opening of the period's application window and five years after its training-start window ends.
    Raises ``ValidationError`` naming ``deadlines`` or ``accountability_deadline``."""
    errors = {}
    bounds = {"application_opens": period.application_opens, "training_start_until": period.training_start_until}
    for deadline in deadlines or []:
        message = deadline_plausibility_error(deadline["date"], **bounds)
        if message:
            errors["deadlines"] = message
            break
    message = deadline_plausibility_error(period.accountability_deadline, **bounds)
    if message and "deadlines" not in errors:
        errors["accountability_deadline"] = message
    if errors:
        raise ValidationError(errors, code="implausible")


def _replace_deadlines(*, period: Period, deadlines: list[dict] | None, by) -> None:
    """Write the calendar (R53): ``deadlines``, when given, replace the rows of the other kinds; the
    accountability row always mirrors ``period.accountability_deadline``."""
    existing = {d.kind: d for d in period.deadlines.all()}
    wanted = {} if deadlines is None else {d["kind"]: d["date"] for d in deadlines}
    if deadlines is not None:
        for kind, row in existing.items():
            # The redistribution round's window (R52) is written by the round, not by the calendar's editors.
            if kind not in wanted and kind not in (DeadlineKind.ACCOUNTABILITY, DeadlineKind.REVISION_ROUND):
                _delete_audited(obj=row, by=by)
    wanted[DeadlineKind.ACCOUNTABILITY] = period.accountability_deadline
    for kind in DeadlineKind.values:
        if kind not in wanted:
            continue
        row = existing.get(kind)
        if row is not None and row.date == wanted[kind]:
            continue
        old = _snapshot(row) if row else None
        row = row or Deadline(period=period, kind=kind)
        row.date = wanted[kind]
        _save_audited(obj=row, old=old, by=by)


def revision_round_deadline_set(*, period: Period, closes: date, by) -> Deadline:
    """R52, R53: the calendar's ``revision_round`` date is the closing day of the period's latest redistribution
    round (written when a round opens; audited). Extensions go through :func:`deadline_extend` as for every
    kind. The caller holds the period lock."""
    row = Deadline.objects.filter(period=period, kind=DeadlineKind.REVISION_ROUND).first()
    old = _snapshot(row) if row else None
    row = row or Deadline(period=period, kind=DeadlineKind.REVISION_ROUND)
    row.date = closes
    _save_audited(obj=row, old=old, by=by)
    return row


def _take_deadlines(data: dict) -> list[dict] | None:
    """Pop ``deadlines`` from ``data``; an accountability date in it sets ``accountability_deadline``."""
    deadlines = data.pop("deadlines", None)
    if deadlines is None:
        return None
    deadlines_check(deadlines, accountability_deadline=data.get("accountability_deadline"))
    for deadline in deadlines:
        if deadline["kind"] == DeadlineKind.ACCOUNTABILITY:
            data["accountability_deadline"] = deadline["date"]
    return deadlines


@transaction.atomic
def period_create(*, data: dict, by) -> Period:
    """Create a period with its budget lines (``budget_lines``), activity rates (``activity_rates``,
    the §3 defaults when none are given) and deadline calendar (``deadlines``, R53); ``pooled`` follows
    from the lines. Audited."""
    data = dict(data)
    lines = data.pop("budget_lines", [])
    rates = data.pop("activity_rates", None) or reference.ACTIVITY_RATES
    deadlines = _take_deadlines(data)
    data.pop("pooled", None)
    budget_lines_check(lines)
    period = Period(**data)
    period.pooled = lines_are_pooled(lines)
    deadlines_plausibility_check(period=period, deadlines=deadlines)
    _save_audited(obj=period, old=None, by=by)
    _replace_lines(period=period, lines=lines, by=by)
    _replace_rates(period=period, rates=rates, by=by)
    _replace_deadlines(period=period, deadlines=deadlines, by=by)
    return period


@transaction.atomic
def period_update(*, period: Period, data: dict, by) -> Period:
    """Edit a period. ``budget_lines``, ``activity_rates`` and ``deadlines``, when given, replace the
    existing ones (matched by earmark, activity type and kind; the accountability deadline stays, see
    :func:`_replace_deadlines`). Refused with 409 where R25 freezes what would change.

    Holds the period's row lock, the lock every commitment of the period takes (R19), so a ceiling is
    never lowered past a commitment being written at the same time.
    """
    period = Period.objects.select_for_update(of=("self",)).get(pk=period.pk)
    data = dict(data)
    lines = data.pop("budget_lines", None)
    rates = data.pop("activity_rates", None)
    deadlines = _take_deadlines(data)
    data.pop("pooled", None)
    old = _snapshot(period)
    for field, value in data.items():
        setattr(period, field, value)
    period_fields_check(period=period, changed=_diff(old, _snapshot(period)))
    deadlines_plausibility_check(period=period, deadlines=deadlines)
    if lines is not None:
        budget_lines_check(lines)
        budget_lines_change_check(period=period, lines=lines)
        period.pooled = lines_are_pooled(lines)
    if rates is not None:
        activity_rates_check(period=period, rates=rates)
    _save_audited(obj=period, old=old, by=by)
    if lines is not None:
        _replace_lines(period=period, lines=lines, by=by)
    if rates is not None:
        _replace_rates(period=period, rates=rates, by=by)
    _replace_deadlines(period=period, deadlines=deadlines, by=by)
    return period


# --- Deadline extensions (R53) ------------------------------------------------------------------

#: How far after the end of a period's training-start window an extension may go at most.
EXTENSION_MAX_YEARS = DEADLINE_MAX_YEARS


@transaction.atomic
def deadline_extend(*, period: Period, kind: str, date: date, reason: str, employer=None, by) -> DeadlineExtension:
    """R53: extend the ``kind`` deadline of ``period`` to ``date``, for the whole period or for ``employer``
    (an ``applications.Employer``; the caller checks the office user may see it). Append-only and audited.

    Refused (400): application windows (not a deadline kind: they are never extended), an empty reason, a
    kind the period's calendar has no date for, a date that is not later than the deadline now in force for
    that employer (or the period), and an implausible date: before the application window opens or more than
    five years after the training-start window ends. Locks the period row (the first lock of the order)."""
    period = Period.objects.select_for_update(of=("self",)).get(pk=period.pk)
    reason = (reason or "").strip()
    errors = []
    if kind not in DeadlineKind.values:
        errors.append({"field": "kind", "code": "not_extendable",
                       "message": _("Only the agreement, registration, repair and accountability deadlines can be "
                                    "extended; application windows are never extended.")})
    if not reason:
        errors.append({"field": "reason", "code": "required", "message": _("Give the reason for the extension.")})
    if errors:
        raise DomainError(errors)
    current = selectors.deadline_for(period=period, kind=kind, employer=employer)
    if current is None:
        raise DomainError(field="kind", code="no_deadline",
                          message=_("This period has no %(kind)s deadline to extend.") % {"kind": DeadlineKind(kind).label})
    implausible = deadline_plausibility_error(
        date, application_opens=period.application_opens, training_start_until=period.training_start_until
    )
    if implausible:
        raise DomainError(field="date", code="implausible", message=implausible)
    if date <= current:
        raise DomainError(field="date", code="not_later", message=_(
            "An extension moves a deadline later: the deadline now in force is %(date)s.") % {
            "date": current.strftime("%d-%m-%Y")})
    extension = DeadlineExtension(period=period, kind=kind, date=date, reason=reason, employer=employer, created_by=by)
    extension.full_clean()
    extension.save()
    _audit(obj=extension, action=ReferenceChangeAction.CREATE, changes=_diff({}, _snapshot(extension)), by=by)
    return extension
