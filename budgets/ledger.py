"""The money ledger's writes (R19, R25): every euro moves through :func:`ledger_post` or :func:`ledger_post_many`.

The ledger is append-only (model, queryset and a database trigger). Balances are derived in
:mod:`budgets.selectors`; nothing here stores a balance.

Locks: every money path of a period serialises on the period row, taken first (see
:mod:`sectorplan.locking` for the one order of the whole codebase). A caller that posts several entries
holds that lock for the whole transaction.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from sectorplan.api.errors import DomainError, StateConflict
from sectorplan.locking import lock_one
from sectorplan.money import ZERO

from . import selectors
from .constants import POOLED, LedgerKind
from .models import LedgerEntry, Period

#: Kinds that take money out of the free budget; they are checked against the ceiling (R19, R25).
COMMITTING_KINDS = frozenset(
    {LedgerKind.COMMITMENT, LedgerKind.HOLD, LedgerKind.REDISTRIBUTION, LedgerKind.REDISTRIBUTION_HOLD}
)
#: Kinds that move money out of "held"; they may not exceed what the application still has held.
FROM_HELD_KINDS = frozenset({LedgerKind.RELEASE, LedgerKind.FORFEIT, LedgerKind.HOLD_LAPSE, LedgerKind.HOLD_LOWERING})
#: Kinds that take unconditional money of an application back (R33, R46, R51, R52).
FROM_UNCONDITIONAL_KINDS = frozenset({LedgerKind.DECOMMITMENT, LedgerKind.LOWERING})
#: Kinds that take released money of an application back (R46, R51, R52).
FROM_RELEASED_KINDS = frozenset({LedgerKind.RELEASE_LAPSE, LedgerKind.RELEASE_LOWERING})
#: Kinds that take money out of an application's own state and are checked against it (R25, R33, R46, R51).
CHECKED_KINDS = FROM_HELD_KINDS | FROM_UNCONDITIONAL_KINDS | FROM_RELEASED_KINDS


def budget_line_for(*, period: Period, employer_earmark: str) -> str:
    """The budget line an application's money belongs to: 'pooled' in a pooled period, else its earmark.

    The one definition of the rule; :func:`budgets.selectors.budget_line_expression` is its SQL form.
    """
    return POOLED if period.pooled else employer_earmark


def lock_period(period: Period) -> Period:
    """R19: every money-changing path of a period serialises on the period row (and only that row)."""
    return lock_one(Period.objects, pk=period.pk)


def check_ceiling(*, period: Period, adding: dict[str, Decimal]) -> None:
    """Raise 409 when committing ``adding`` (line -> amount) would exceed a ceiling. Caller holds the period lock."""
    balances = selectors.line_balances(period=period)
    for earmark, amount in adding.items():
        if not amount:
            continue
        line = balances.get(earmark)
        ceiling = line["ceiling"] if line else ZERO
        committed = line["committed"] if line else ZERO
        if committed + amount > ceiling:
            raise StateConflict(
                field="ceiling",
                code="ceiling_exceeded",
                message=_("This would commit %(total)s on budget line %(line)s, above its ceiling of %(ceiling)s.")
                % {"total": committed + amount, "line": earmark, "ceiling": ceiling},
            )


def _check_entry(*, period: Period, entry: LedgerEntry) -> None:
    kind, amount = entry.kind, entry.amount
    if kind not in LedgerKind.values:
        raise DomainError(field="kind", code="invalid", message=_("Unknown ledger entry kind."))
    if amount is None or Decimal(amount) < 0:
        raise DomainError(field="amount", code="negative", message=_("A ledger amount is never negative."))
    if kind in FROM_HELD_KINDS:
        if entry.application_id is None:
            raise DomainError(field="application", code="required", message=_("A release or forfeit names an application."))
        held = selectors.application_balances(application_ids=[entry.application_id]).get(entry.application_id)
        if held is None or Decimal(amount) > held["held"]:
            raise StateConflict(field="amount", code="exceeds_held", message=_("More than is held back."))
    if kind in FROM_UNCONDITIONAL_KINDS:
        # A decommitment gives back unconditional money of one application (R33): never more than it has.
        if entry.application_id is None:
            raise DomainError(field="application", code="required", message=_("A decommitment names an application."))
        balance = selectors.application_balances(application_ids=[entry.application_id]).get(entry.application_id)
        if balance is None or Decimal(amount) > balance["unconditional"]:
            raise StateConflict(field="amount", code="exceeds_committed", message=_("More than is committed."))
    if kind in FROM_RELEASED_KINDS:
        # R46: a lapse gives back the released part of one application: never more than was released.
        if entry.application_id is None:
            raise DomainError(field="application", code="required", message=_("A lapse names an application."))
        balance = selectors.application_balances(application_ids=[entry.application_id]).get(entry.application_id)
        if balance is None or Decimal(amount) > balance["released"]:
            raise StateConflict(field="amount", code="exceeds_released", message=_("More than is released."))


@transaction.atomic
def ledger_post_many(*, period: Period, entries: Iterable[LedgerEntry]) -> list[LedgerEntry]:
    """Append ``entries`` (unsaved, all of ``period``) to the ledger (R25), all or nothing.

    Takes the period lock, checks commitments and holds against the ceiling per budget line (R19), releases
    and forfeits against what is still held, decommitments against what is committed; zero amounts are
    left out. One INSERT for all entries, so an allocation of thousands of grants stays a few queries.
    """
    period = lock_period(period)
    entries = [e for e in entries if e.amount]
    adding: dict[str, Decimal] = {}
    for entry in entries:
        if entry.period_id != period.pk:
            raise DomainError(field="period", code="invalid", message=_("A ledger entry belongs to its own period."))
        if entry.kind in COMMITTING_KINDS:
            adding[entry.earmark] = adding.get(entry.earmark, ZERO) + Decimal(entry.amount)
        elif entry.kind in CHECKED_KINDS:
            _check_entry(period=period, entry=entry)
        elif entry.kind not in LedgerKind.values or Decimal(entry.amount) < 0:
            _check_entry(period=period, entry=entry)
    check_ceiling(period=period, adding=adding)
    return LedgerEntry.objects.bulk_create(entries, batch_size=2000)


def ledger_post(
    *, period: Period, earmark: str, application=None, decision=None, kind: str, amount: Decimal, by, memo: str = ""
) -> LedgerEntry | None:
    """Append one money movement (see :func:`ledger_post_many`). Returns None for a zero amount."""
    entry = LedgerEntry(
        period=period, earmark=earmark, application=application, decision=decision, kind=kind,
        amount=amount, actor=by, memo=memo,
    )
    if amount is not None and Decimal(amount) == 0:
        return None
    _check_entry(period=period, entry=entry)
    created = ledger_post_many(period=period, entries=[entry])
    return created[0] if created else None
