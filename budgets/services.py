"""The initial load of reference data. Edits of reference data are in ``reference_services`` (audited);
money moves through ``ledger``; decisions are written by ``applications.decisions``."""

from django.db import transaction
from django.utils.text import slugify

from . import reference
from .constants import DeadlineKind
from .models import ActivityRate, BudgetLine, Deadline, EmployerOrganisation, Period, Region


@transaction.atomic
def reference_data_seed() -> dict[str, int]:
    """Load the defaults of domain.md §3. Idempotent: existing rows are left as the office edited them; a
    period that misses a kind of its deadline calendar (R53) gets it (the accountability row mirrors the
    period's accountability deadline)."""
    created = {
        "employer_organisations": 0, "regions": 0, "periods": 0, "budget_lines": 0, "activity_rates": 0,
        "deadlines": 0,
    }
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
        deadlines = spec.pop("deadlines")
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
        calendar = {**deadlines, DeadlineKind.ACCOUNTABILITY: period.accountability_deadline}
        for kind, day in calendar.items():
            _deadline, made = Deadline.objects.get_or_create(period=period, kind=kind, defaults={"date": day})
            created["deadlines"] += made
    return created
