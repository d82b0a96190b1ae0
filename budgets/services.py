"""Writes on budgets and reference data. Keyword-only, transactional, audited where they change money."""

from django.db import transaction
from django.utils.text import slugify

from . import reference
from .models import ActivityRate, BudgetLine, EmployerOrganisation, Period, Region


@transaction.atomic
def reference_data_seed() -> dict[str, int]:
    """Load the defaults of domain.md §3. Idempotent: existing rows are left as the office edited them."""
    created = {"employer_organisations": 0, "regions": 0, "periods": 0, "budget_lines": 0, "activity_rates": 0}
    for code, name, region_names in reference.EMPLOYER_ORGANISATIONS:
        org, made = EmployerOrganisation.objects.get_or_create(code=code, defaults={"name": name})
        created["employer_organisations"] += made
        for region_name in region_names:
            _region, made = Region.objects.get_or_create(
                code=slugify(region_name), defaults={"name": region_name, "employer_organisation": org}
            )
            created["regions"] += made
    for spec in reference.PERIODS:
        spec = dict(spec)
        lines = spec.pop("budget_lines")
        period, made = Period.objects.get_or_create(
            number=spec.pop("number"), defaults={**reference.PERIOD_DEFAULTS, **spec}
        )
        created["periods"] += made
        if made:
            for earmark, ceiling in lines.items():
                BudgetLine.objects.create(period=period, earmark=earmark, ceiling=ceiling)
                created["budget_lines"] += 1
            for rate in reference.ACTIVITY_RATES:
                ActivityRate.objects.create(period=period, **rate)
                created["activity_rates"] += 1
    return created


def _validate_budget_lines(lines: list[dict]) -> None:
    from django.core.exceptions import ValidationError

    earmarks = [line["earmark"] for line in lines]
    if not lines:
        raise ValidationError({"budget_lines": "A period needs at least one budget line."})
    if len(set(earmarks)) != len(earmarks):
        raise ValidationError({"budget_lines": "Each earmark may appear only once."})
    if "pooled" in earmarks and len(earmarks) > 1:
        raise ValidationError({"budget_lines": "A pooled period has exactly one line, with earmark 'pooled'."})


@transaction.atomic
def period_create(*, data: dict, by) -> Period:
    """Create a period with its budget lines and the default activity rates of §3."""
    data = dict(data)
    lines = data.pop("budget_lines", [])
    _validate_budget_lines(lines)
    period = Period(**data)
    period.pooled = any(line["earmark"] == "pooled" for line in lines)
    period.full_clean()
    period.save()
    for line in lines:
        BudgetLine.objects.create(period=period, earmark=line["earmark"], ceiling=line["ceiling"])
    for rate in reference.ACTIVITY_RATES:
        ActivityRate.objects.create(period=period, **rate)
    return period


@transaction.atomic
def period_update(*, period: Period, data: dict, by) -> Period:
    """Edit a period. Budget lines, when given, replace the existing lines."""
    period = Period.objects.select_for_update().get(pk=period.pk)
    data = dict(data)
    lines = data.pop("budget_lines", None)
    for field, value in data.items():
        setattr(period, field, value)
    if lines is not None:
        _validate_budget_lines(lines)
        period.pooled = any(line["earmark"] == "pooled" for line in lines)
    period.full_clean()
    period.save()
    if lines is not None:
        period.budget_lines.all().delete()
        for line in lines:
            BudgetLine.objects.create(period=period, earmark=line["earmark"], ceiling=line["ceiling"])
    return period
