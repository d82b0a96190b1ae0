"""Pure rule functions for plan lines (R8, R9, R12, R14, R15), registrations (R10-R13) and applications (R7). No database access: the bulk import
validates 10,000 rows in memory with these, and the single-registration service uses the same code.

``REGISTRATION_INPUT`` is the one definition of every registration input field (type, length, digits, choices,
label): the portal form, the API serializer and the file import build their fields from it, and
:func:`validate_registration` checks the rules across fields for all three. ``PLAN_LINE_INPUT`` and
:func:`validate_plan_line` are the same for a plan line (the matrix, ``POST .../plan-lines`` and the plan-line
import).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cached_property

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from budgets.constants import ActivityType, RateMethod
from sectorplan.money import format_eur, round_half_up
from sectorplan.parsing import ParseError, parse_date, parse_decimal

from .constants import TRANSITIONS, AgeBand, ApplicationStatus, Focus
from .models import PlanLine, Registration

MIN_AGE, MAX_AGE = 15, 75
#: R8: contract hours per week are more than this and at most ``MAX_CONTRACT_HOURS``.
MIN_CONTRACT_HOURS, MAX_CONTRACT_HOURS = Decimal(0), Decimal(80)
#: R8: a plan line plans at least one and at most this many trajectories (period 4 planned 437,000 in all).
MAX_PLAN_COUNT = 100_000


class Kind(StrEnum):
    TEXT = "text"
    DATE = "date"
    CHOICE = "choice"
    DECIMAL = "decimal"
    INTEGER = "integer"


@dataclass(frozen=True)
class InputRule:
    """How one registration field is read, whatever the way in (portal form, API, file import).

    Lengths and digits are the database column's (the model is their one definition); ``invalid_code`` is the
    import's error code for a value that is not of the field's type; ``case`` folds file input to the choices'
    case (``Upskilling`` -> ``upskilling``, ``a`` -> ``A``).
    """

    name: str
    label: str
    kind: Kind
    required: bool = True
    choices: type[models.TextChoices] | None = None
    invalid_code: str = "invalid"
    case: str = ""
    model: type[models.Model] = Registration

    @cached_property
    def column(self):
        return self.model._meta.get_field(self.name)

    @cached_property
    def values(self) -> frozenset[str]:
        return frozenset(self.choices.values) if self.choices else frozenset()

    @cached_property
    def limit(self) -> Decimal:
        """The first magnitude the column cannot hold (``DecimalField(14, 2)``: 10**12)."""
        return Decimal(10) ** (self.column.max_digits - self.column.decimal_places)

    def field_kwargs(self) -> dict:
        """The limits as the keyword arguments Django form fields and DRF serializer fields share."""
        kwargs: dict = {"required": self.required}
        if self.kind == Kind.TEXT:
            kwargs["max_length"] = self.column.max_length
        elif self.kind == Kind.CHOICE:
            kwargs["choices"] = self.choices.choices
        elif self.kind == Kind.DECIMAL:
            kwargs.update(max_digits=self.column.max_digits, decimal_places=self.column.decimal_places)
        elif self.kind == Kind.INTEGER:
            kwargs.update(min_value=0, max_value=MAX_PLAN_COUNT)
        return kwargs


#: Every registration input field, in the column order of imports and exports (R8).
REGISTRATION_INPUT: dict[str, InputRule] = {
    rule.name: rule
    for rule in (
        InputRule("initials", gettext_lazy("Initials"), Kind.TEXT),
        InputRule("surname", gettext_lazy("Surname"), Kind.TEXT),
        InputRule("date_of_birth", gettext_lazy("Date of birth"), Kind.DATE, invalid_code="invalid_date"),
        InputRule("focus", gettext_lazy("Training focus"), Kind.CHOICE, choices=Focus, case="lower"),
        InputRule("activity_type", gettext_lazy("Activity type"), Kind.CHOICE, choices=ActivityType, case="upper"),
        InputRule("start_date", gettext_lazy("Planned start date"), Kind.DATE, invalid_code="invalid_date"),
        InputRule("end_date", gettext_lazy("Planned end date"), Kind.DATE, invalid_code="invalid_date"),
        InputRule("contract_hours", gettext_lazy("Contract hours per week"), Kind.DECIMAL, invalid_code="invalid_number"),
        InputRule("employed_since", gettext_lazy("Employed since"), Kind.DATE, invalid_code="invalid_date"),
        InputRule("cost", gettext_lazy("Cost (euro)"), Kind.DECIMAL, required=False, invalid_code="invalid_amount"),
    )
}
#: The field names, in order. The single definition: services, importing, serializers and benchmarks use it.
REGISTRATION_FIELDS = tuple(REGISTRATION_INPUT)
#: R47 fields every registration must have (``cost`` only for actual-cost types).
REQUIRED_FIELDS = tuple(name for name, rule in REGISTRATION_INPUT.items() if rule.required)
FOCUS_VALUES = frozenset(Focus.values)

#: Every plan-line input field (R8), in the column order of imports: ``activity_type;focus;count;planned_cost``.
PLAN_LINE_INPUT: dict[str, InputRule] = {
    rule.name: rule
    for rule in (
        InputRule("activity_type", gettext_lazy("Activity type"), Kind.CHOICE, choices=ActivityType, case="upper",
                  model=PlanLine),
        InputRule("focus", gettext_lazy("Training focus"), Kind.CHOICE, choices=Focus, case="lower", model=PlanLine),
        InputRule("count", gettext_lazy("Number of trajectories"), Kind.INTEGER, invalid_code="invalid_number",
                  model=PlanLine),
        InputRule("planned_cost", gettext_lazy("Planned cost per trajectory (euro)"), Kind.DECIMAL, required=False,
                  invalid_code="invalid_amount", model=PlanLine),
    )
}
PLAN_LINE_FIELDS = tuple(PLAN_LINE_INPUT)
#: Column headers a Dutch spreadsheet may use for the plan-line fields (lower case, as the import folds them).
PLAN_LINE_ALIASES = {
    "activiteit": "activity_type",
    "activiteitstype": "activity_type",
    "type activiteit": "activity_type",
    "focus": "focus",
    "focus opleidingsinspanning": "focus",
    "aantal": "count",
    "aantal trajecten": "count",
    "geplande kosten": "planned_cost",
    "geplande kosten per traject": "planned_cost",
    "kosten per traject": "planned_cost",
}


def clean_input(rule: InputRule, value):
    """One raw value (text from a file, or what an Excel cell holds) as the typed value of ``rule``'s field.

    Raises :class:`~sectorplan.parsing.ParseError` with a code and a reason that never repeats the value (R40).
    Blank values are the caller's to handle (required or not).
    """
    if rule.kind == Kind.TEXT:
        text = str(value).strip()
        if len(text) > rule.column.max_length:
            raise ParseError("max_length", _("At most %(n)s characters.") % {"n": rule.column.max_length})
        if "\x00" in text:  # PostgreSQL refuses NUL in text: a 500 if it got that far
            raise ParseError("null_characters_not_allowed", _("Null characters are not allowed."))
        return text
    if rule.kind == Kind.CHOICE:
        text = str(value).strip()
        text = text.lower() if rule.case == "lower" else text.upper() if rule.case == "upper" else text
        if text not in rule.values:
            raise ParseError(
                "invalid_choice",
                _("Unknown value for %(label)s; use one of: %(values)s.")
                % {"label": rule.label, "values": ", ".join(rule.choices.values)},
            )
        return text
    try:
        if rule.kind == Kind.DATE:
            return parse_date(value)
        if rule.kind == Kind.INTEGER:
            whole = parse_decimal(value, places=0)
            if abs(whole) > MAX_PLAN_COUNT:
                raise ParseError("max_value", _("The number is too large."))
            return int(whole)
        number = parse_decimal(value, places=rule.column.decimal_places)
    except ParseError as exc:
        code = exc.code if exc.code in ("ambiguous_number", "max_value") else rule.invalid_code
        raise ParseError(code, exc.message) from None
    if abs(number) >= rule.limit:  # would overflow the database column: a 500 if it got that far
        raise ParseError("max_value", _("The number is too large."))
    return number


def can_withdraw(status: str) -> bool:
    """R7: the employer may withdraw an application until it is decided (what the status map allows)."""
    return ApplicationStatus.WITHDRAWN in TRANSITIONS[status]


def age_on(date_of_birth: date, on: date) -> int:
    """Age in whole years on ``on``. Someone born on 29 February turns a year older on 1 March in
    non-leap years (the Dutch civil-law convention)."""
    years = on.year - date_of_birth.year
    if (on.month, on.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


def age_band(date_of_birth: date, start_date: date) -> str:
    """R10: the age band at the planned start date."""
    age = age_on(date_of_birth, start_date)
    if age < 25:
        return AgeBand.UNDER_25
    if age < 45:
        return AgeBand.FROM_25_TO_45
    if age < 55:
        return AgeBand.FROM_45_TO_55
    return AgeBand.FROM_55


@dataclass(frozen=True)
class Rate:
    """An activity rate, detached from the ORM so validation can run in memory."""

    activity_type: str
    method: str
    amount: Decimal
    reduced_amount: Decimal | None
    min_contract_hours: Decimal | None

    @classmethod
    def from_model(cls, rate) -> "Rate":
        return cls(rate.activity_type, rate.method, rate.amount, rate.reduced_amount, rate.min_contract_hours)


def requested_amount(*, rate: Rate, contract_hours: Decimal, planned_cost: Decimal | None) -> Decimal:
    """R12: fixed types get the fixed amount (reduced below the minimum contract hours); actual-cost
    types get the planned cost, capped."""
    if rate.method == RateMethod.FIXED:
        if (
            rate.min_contract_hours is not None
            and rate.reduced_amount is not None
            and contract_hours < rate.min_contract_hours
        ):
            return round_half_up(rate.reduced_amount)
        return round_half_up(rate.amount)
    return round_half_up(min(planned_cost or Decimal(0), rate.amount))


@dataclass(frozen=True)
class PeriodRules:
    """What registration validation needs of a period."""

    training_start_from: date
    training_start_until: date
    retention_allowed: bool
    retention_max_percent: Decimal
    rates: dict[str, Rate]

    @classmethod
    def from_period(cls, period) -> "PeriodRules":
        return cls(
            training_start_from=period.training_start_from,
            training_start_until=period.training_start_until,
            retention_allowed=period.retention_allowed,
            retention_max_percent=period.retention_max_percent,
            rates={r.activity_type: Rate.from_model(r) for r in period.activity_rates.all()},
        )


def _err(field: str, code: str, message) -> dict:
    return {"field": field, "code": code, "message": str(message)}


def validate_registration(values: dict, rules: PeriodRules) -> tuple[list[dict], dict]:
    """Check one registration's already-typed values against R9-R12.

    Returns ``(errors, derived)`` where ``derived`` holds ``age_band`` and ``amount`` when
    the values are valid. ``values`` holds the R8 fields as Python types (dates, Decimals).
    """
    errors: list[dict] = []
    for field in REQUIRED_FIELDS:
        value = values.get(field)
        if value is None or value == "":
            errors.append(_err(field, "required", _("This field is required.")))
    if errors:
        return errors, {}
    dob, start, end = values.get("date_of_birth"), values.get("start_date"), values.get("end_date")
    focus, activity = values.get("focus"), values.get("activity_type")
    hours, cost, employed = values.get("contract_hours"), values.get("cost"), values.get("employed_since")

    if start and not (rules.training_start_from <= start <= rules.training_start_until):
        errors.append(
            _err(
                "start_date",
                "outside_training_window",
                _("The start date must lie between %(start)s and %(end)s.")
                % {"start": rules.training_start_from.strftime("%d-%m-%Y"), "end": rules.training_start_until.strftime("%d-%m-%Y")},
            )
        )
    if start and end and end < start:
        errors.append(_err("end_date", "end_before_start", _("The end date may not be before the start date.")))
    if dob and start:
        age = age_on(dob, start)
        if not (MIN_AGE <= age <= MAX_AGE):
            errors.append(
                _err(
                    "date_of_birth",
                    "implausible_age",
                    _("The age at the start date must be between %(min)s and %(max)s years.")
                    % {"min": MIN_AGE, "max": MAX_AGE},
                )
            )
    if focus not in FOCUS_VALUES:
        errors.append(_err("focus", "invalid_choice", _("This is not a known training focus.")))
    if focus == Focus.RETENTION and not rules.retention_allowed:
        errors.append(_err("focus", "retention_not_allowed", _("This period does not allow the retention focus.")))
    if focus == Focus.NEW_INTAKE and employed and start:
        # New intake: employed at most one year at the start date.
        one_year_before = _minus_one_year(start)
        if employed < one_year_before:
            errors.append(
                _err(
                    "employed_since",
                    "not_new_intake",
                    _("New intake means employed at most one year before the start date."),
                )
            )
    if hours is not None and not (MIN_CONTRACT_HOURS < hours <= MAX_CONTRACT_HOURS):
        errors.append(_err("contract_hours", "out_of_range", _("Contract hours must be more than 0 and at most 80.")))

    rate = rules.rates.get(activity) if activity else None
    if activity and rate is None:
        errors.append(_err("activity_type", "no_rate", _("This period has no amount for this activity type.")))
    if rate is not None and rate.method == RateMethod.ACTUAL_COST:
        if cost is None:
            errors.append(_err("cost", "required", _("The cost is required for this activity type.")))
        elif cost < 0:
            errors.append(_err("cost", "negative", _("The cost may not be negative.")))
    elif cost is not None and cost < 0:
        errors.append(_err("cost", "negative", _("The cost may not be negative.")))

    derived = {}
    if not errors and rate is not None and dob and start:
        derived = {
            "age_band": age_band(dob, start),
            "amount": requested_amount(rate=rate, contract_hours=hours, planned_cost=cost),
        }
    return errors, derived


def _minus_one_year(day: date) -> date:
    if day.year == date.min.year:  # nothing lies a year before year 1: the earliest date will do
        return date.min
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def person_key(values: dict) -> tuple:
    """R13: the same person is the same name, date of birth, activity type and start date."""
    return (
        (values.get("initials") or "").strip().upper().replace(" ", ""),
        (values.get("surname") or "").strip().lower(),
        values.get("date_of_birth"),
        values.get("activity_type"),
        values.get("start_date"),
    )


def retention_within_share(
    *, retention_total: Decimal, application_total: Decimal, max_percent: Decimal
) -> bool:
    """R9: retention registrations' subsidy is at most ``max_percent`` of the application's subsidy."""
    return retention_total * Decimal(100) <= application_total * max_percent


# --- Plan lines (R8, R9, R12, R14, R15) -------------------------------------------------------------


@dataclass(frozen=True)
class PlanRules:
    """What plan-line validation needs of a period (detached from the ORM)."""

    retention_allowed: bool
    retention_max_percent: Decimal
    small_limit: Decimal | None
    application_cap: Decimal | None
    rates: dict[str, Rate]

    @classmethod
    def from_period(cls, period) -> "PlanRules":
        return cls(
            retention_allowed=period.retention_allowed,
            retention_max_percent=period.retention_max_percent,
            small_limit=period.small_application_limit,
            # Added to Period in parallel (issue 11, reference data v2): read it where it exists.
            application_cap=period.application_cap,
            rates={r.activity_type: Rate.from_model(r) for r in period.activity_rates.all()},
        )


def plan_amount_per_trajectory(*, rate: Rate, planned_cost: Decimal | None) -> Decimal:
    """R12: the fixed amount, or the planned cost per trajectory capped at the rate."""
    if rate.method == RateMethod.FIXED:
        return round_half_up(rate.amount)
    return round_half_up(min(planned_cost or Decimal(0), rate.amount))


def capped(total: Decimal, cap: Decimal | None) -> Decimal:
    """R12: an application's amount is at most the period's cap per application (no cap: no limit)."""
    return total if cap is None else min(total, cap)


def validate_plan_line(values: dict, rules: PlanRules) -> tuple[list[dict], dict]:
    """Check one plan line's typed values against R8, R9 and R12.

    Returns ``(errors, derived)``; ``derived`` holds ``amount_per_trajectory`` and ``requested_amount`` when the
    line is valid.
    """
    errors: list[dict] = []
    for name, rule in PLAN_LINE_INPUT.items():
        if rule.required and values.get(name) in (None, ""):
            errors.append(_err(name, "required", _("This field is required.")))
    if errors:
        return errors, {}
    activity, focus, count, cost = (values.get(f) for f in PLAN_LINE_FIELDS)
    if focus not in FOCUS_VALUES:
        errors.append(_err("focus", "invalid_choice", _("This is not a known training focus.")))
    elif focus == Focus.RETENTION and not rules.retention_allowed:
        errors.append(_err("focus", "retention_not_allowed", _("This period does not allow the retention focus.")))
    if not (1 <= count <= MAX_PLAN_COUNT):
        errors.append(
            _err("count", "out_of_range", _("The number of trajectories must be between 1 and %(max)s.")
                 % {"max": f"{MAX_PLAN_COUNT:,}".replace(",", ".")})
        )
    rate = rules.rates.get(activity)
    if rate is None:
        errors.append(_err("activity_type", "no_rate", _("This period has no amount for this activity type.")))
    elif rate.method == RateMethod.ACTUAL_COST:
        if cost is None:
            errors.append(_err("planned_cost", "required", _("Planned cost per trajectory is required for this activity type.")))
        elif cost < 0:
            errors.append(_err("planned_cost", "negative", _("Planned cost may not be negative.")))
    elif cost is not None:
        errors.append(
            _err("planned_cost", "not_applicable",
                 _("Activity types with a fixed amount have no planned cost; leave it empty."))
        )
    if errors:
        return errors, {}
    per_trajectory = plan_amount_per_trajectory(rate=rate, planned_cost=cost)
    return [], {"amount_per_trajectory": per_trajectory, "requested_amount": per_trajectory * count}


def plan_key(values: dict) -> tuple:
    """R8: a plan holds at most one line per activity type x focus."""
    return (values.get("activity_type"), values.get("focus"))


def plan_errors(*, lines: list[dict], rules: PlanRules, small: bool, at_submission: bool) -> list[dict]:
    """The rules on the whole plan: R9's retention share (of the lines' requested amounts) and, at submission,
    R14's small-application limit (on the requested amount after the cap). ``lines`` hold ``focus`` and
    ``requested_amount``."""
    errors = []
    total = sum((line["requested_amount"] for line in lines), Decimal(0))
    retention = sum((line["requested_amount"] for line in lines if line["focus"] == Focus.RETENTION), Decimal(0))
    if retention and not retention_within_share(
        retention_total=retention, application_total=total, max_percent=rules.retention_max_percent
    ):
        errors.append(
            _err("focus", "retention_share_exceeded",
                 _("Retention lines may ask at most %(pct)s%% of the application's requested amount.")
                 % {"pct": f"{rules.retention_max_percent.normalize():f}"})
        )
    if at_submission and small:
        requested = capped(total, rules.application_cap)
        if rules.small_limit is None:
            errors.append(_err("small", "no_small_regime", _("This period has no small applications.")))
        elif requested > rules.small_limit:
            errors.append(
                _err("small", "small_limit_exceeded",
                     _("A small application may ask at most %(limit)s; this plan asks %(amount)s.")
                     % {"limit": format_eur(rules.small_limit), "amount": format_eur(requested)})
            )
    return errors


def verdict_errors(*, verdict: dict, count: int, prefix: str) -> list[dict]:
    """R15: one line's verdict: an eligible count from 0 to the planned count, a reason when it is lower."""
    errors = []
    eligible = verdict.get("eligible_count")
    if eligible is None or isinstance(eligible, bool) or not isinstance(eligible, int) or not (0 <= eligible <= count):
        errors.append(_err(f"{prefix}.eligible_count", "out_of_range",
                           _("The eligible number must be between 0 and %(n)s.") % {"n": count}))
    elif eligible < count and not (verdict.get("reason") or "").strip():
        errors.append(_err(f"{prefix}.reason", "required",
                           _("Give a reason when fewer trajectories are eligible than planned.")))
    return errors
