"""R31: the office draws a documented, reproducible random sample of small applications and checks their
evidence before settling them.

**The draw** (:func:`draw`, pure): the population is sorted by id; ``n = max(1, ceil(len × percent / 100))``
(at least one per run, never more than the population); the drawn ids are
``random.Random(seed).sample(population, n)``, sorted. Python documents ``random.Random`` with a ``str`` seed
as reproducible across versions (seeding version 2: the seed's SHA-512), so anyone with the recorded seed, share
and population draws the same ids again (``python -c "import random; print(sorted(random.Random(SEED).sample(
POPULATION, N)))"``). The seed is 128 random bits from :mod:`secrets`, drawn at the moment of the run and
recorded, so nobody chooses the outcome.

**The population of a run**: the period's small applications (R14) that are granted and not settled, and were
not drawn in an earlier run of the period (a run covers the applications the office is about to settle).
"""

import math
import random
import secrets
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from budgets.ledger import lock_period
from budgets.models import Period
from sectorplan.api.errors import DomainError, StateConflict
from sectorplan.locking import lock_one

from .constants import ApplicationStatus, RegistrationStatus
from .models import Application, Registration, SampleCheck, SampleDraw, SampleOutcome

DEFAULT_PERCENT = Decimal("10")
METHOD = "sorted(random.Random(seed).sample(sorted(population), max(1, ceil(len(population) * percent / 100))))"


def sample_size(population: int, percent: Decimal) -> int:
    if population <= 0:
        return 0
    return min(population, max(1, math.ceil(Decimal(population) * Decimal(percent) / Decimal(100))))


def draw(*, population: list[int], seed: str, percent: Decimal) -> list[int]:
    """The R31 draw: reproducible from ``(population, seed, percent)`` alone."""
    ordered = sorted(population)
    return sorted(random.Random(seed).sample(ordered, sample_size(len(ordered), percent)))


def sample_population(period: Period) -> list[int]:
    earlier = {i for ids in SampleDraw.objects.filter(period=period).values_list("drawn", flat=True) for i in ids}
    ids = Application.objects.filter(period=period, small=True, status=ApplicationStatus.GRANTED).values_list("pk", flat=True)
    return sorted(i for i in ids if i not in earlier)


@transaction.atomic
def sample_draw(*, period: Period, by, percent: Decimal | None = None, seed: str | None = None) -> SampleDraw:
    """R31: draw and record a sample of ``period``'s small applications (default 10 %, at least one).
    Locks the period, so two runs never draw from the same population."""
    period = lock_period(period)
    percent = DEFAULT_PERCENT if percent is None else Decimal(percent)
    if not (Decimal(0) < percent <= Decimal(100)):
        raise DomainError(field="percent", code="out_of_range", message=_("The share is more than 0 and at most 100."))
    population = sample_population(period)
    if not population:
        raise StateConflict(
            field="period", code="nothing_to_sample",
            message=_("This period has no granted small applications that were not drawn before."),
        )
    seed = seed or secrets.token_hex(16)
    return SampleDraw.objects.create(
        period=period, seed=seed, percent=percent, population=population,
        drawn=draw(population=population, seed=seed, percent=percent), method=METHOD, drawn_by=by,
    )


def pending_sample_draw(application: Application) -> SampleDraw | None:
    """The draw that holds ``application``'s settlement back: it was drawn and its check is not recorded."""
    for sample in SampleDraw.objects.filter(period_id=application.period_id).order_by("id"):
        if application.pk in sample.drawn and not sample.checks.filter(application=application).exists():
            return sample
    return None


def unsupported_registrations(application: Application) -> set[int]:
    """Registrations the sample checks found unsupported by their evidence (R31): they realise nothing."""
    return set(
        SampleCheck.unsupported.through.objects.filter(samplecheck__application=application).values_list(
            "registration_id", flat=True
        )
    )


@transaction.atomic
def sample_check_record(
    *, sample: SampleDraw, application: Application, outcome: str, notes: str, unsupported: list[int] | None = None, by
) -> SampleCheck:
    """R31: a reviewer records the evidence check of a drawn application. ``unsupported``: the ids of its
    approved registrations whose evidence does not support them (only with outcome ``deficient``)."""
    application = lock_one(Application.objects, pk=application.pk)
    if application.pk not in sample.drawn:
        raise DomainError(field="application", code="not_drawn", message=_("This application was not drawn in this sample."))
    if outcome not in SampleOutcome.values:
        raise DomainError(field="outcome", code="invalid_choice", message=_("Choose sound or deficient."))
    if not (notes or "").strip():
        raise DomainError(field="notes", code="required", message=_("Describe what was checked."))
    unsupported = sorted(set(unsupported or []))
    if unsupported and outcome != SampleOutcome.DEFICIENT:
        raise DomainError(
            field="unsupported", code="not_deficient",
            message=_("Only a deficient check names registrations without support."),
        )
    known = set(
        Registration.objects.filter(application=application, status=RegistrationStatus.APPROVED, pk__in=unsupported)
        .values_list("pk", flat=True)
    )
    if set(unsupported) - known:
        raise DomainError(
            field="unsupported", code="unknown",
            message=_("Only approved registrations of this application can be named."),
        )
    if SampleCheck.objects.filter(draw=sample, application=application).exists():
        raise StateConflict(field="application", code="already_checked", message=_("This check is already recorded."))
    check = SampleCheck.objects.create(draw=sample, application=application, outcome=outcome, notes=notes, checked_by=by)
    if unsupported:
        check.unsupported.set(unsupported)
    return check
