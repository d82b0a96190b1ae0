"""The amounts an application has, and the grant in force: one selector for the API, the portal, the letters
and the accountability pages.

Amounts are derived from the append-only ledger (R25) through :data:`budgets.selectors.APPLICATION_STATES`,
never from the decisions' own columns: a decision states what it decided, the ledger what is now in force.
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, QuerySet

from budgets.constants import LedgerKind
from budgets.selectors import application_balance_annotations, application_balances
from sectorplan.money import ZERO

from ..constants import DecisionKind
from ..models import Application, Decision

#: Decisions whose amount an upheld objection can change: the grant (or rejection) and earlier rulings on it.
GRANT_LIKE_KINDS = frozenset({DecisionKind.GRANT, DecisionKind.REJECTION, DecisionKind.OBJECTION_RULING})
#: The decisions a chain of grant-changing rulings starts from.
INITIAL_GRANT_KINDS = frozenset({DecisionKind.GRANT, DecisionKind.REJECTION})

EMPTY = {
    "unconditional": ZERO, "held": ZERO, "released": ZERO, "forfeited": ZERO, "reserved": ZERO,
    "advances_paid": ZERO, "settled": ZERO, "reclaimed": ZERO,
}


def with_amounts(qs: QuerySet[Application]) -> QuerySet[Application]:
    """Annotate what each application has, from the ledger: ``granted_amount`` (the reservation in force:
    unconditional + held + released), ``held_amount`` (still held back), ``released_amount``,
    ``forfeited_amount``, ``advances_paid``, ``settled_amount``, and ``registration_count``."""
    states = application_balance_annotations()
    return qs.annotate(
        granted_amount=states["reserved"],
        held_amount=states["held"],
        released_amount=states["released"],
        forfeited_amount=states["forfeited"],
        advances_paid=states["advances_paid"],
        settled_amount=states["settled"],
        registration_count=Count("registrations", distinct=True),
    )


def application_amounts(application: Application) -> dict[str, Decimal]:
    """The states of :data:`budgets.selectors.APPLICATION_STATES` for one application (zeros without entries)."""
    return {**EMPTY, **application_balances(application_ids=[application.pk]).get(application.pk, {})}


def root_kind(decision: Decision) -> str:
    """The kind of the decision at the start of ``decision``'s chain of upheld objection rulings."""
    while decision.supersedes_id is not None:
        decision = decision.supersedes
    return decision.kind


def is_grant_like(decision: Decision) -> bool:
    """A grant, a rejection, or a ruling whose chain starts at one (not a release, forfeit or settlement)."""
    return decision.kind in GRANT_LIKE_KINDS and root_kind(decision) in INITIAL_GRANT_KINDS


def grant_in_force(application: Application) -> Decision | None:
    """The grant in force: the latest grant, or an upheld objection ruling replacing it (directly or through
    earlier rulings). A ruling on a release, forfeit or settlement is not a grant: it states no granted amount."""
    candidates = (
        application.decisions.filter(
            kind__in=[DecisionKind.GRANT, DecisionKind.OBJECTION_RULING], superseded_by__isnull=True
        )
        .exclude(kind=DecisionKind.OBJECTION_RULING, supersedes__isnull=True)
        .order_by("-decided_at", "-id")
    )
    for decision in candidates:
        if decision.kind == DecisionKind.GRANT or root_kind(decision) in INITIAL_GRANT_KINDS:
            return decision
    return None


def initial_grant(application: Application) -> Decision | None:
    """The grant of the allocation (R30: the allocation factor is fixed there)."""
    return application.decisions.filter(kind=DecisionKind.GRANT, allocation__isnull=False).order_by("id").first()


def reserved_at_grant(application: Application) -> Decimal | None:
    """R30: the reservation at grant, the numerator of the allocation factor, fixed at the allocation: the
    grant decision's amount (later amendments and rulings change the cap, not the factor). An application
    rejected at the allocation and granted on objection has the amount of the first upheld ruling that
    granted it. None without a grant."""
    grant = application.decisions.filter(kind=DecisionKind.GRANT, supersedes__isnull=True).order_by("id").first()
    if grant is not None:
        return grant.granted_amount
    for ruling in application.decisions.filter(
        kind=DecisionKind.OBJECTION_RULING, supersedes__isnull=False, granted_amount__gt=0
    ).order_by("decided_at", "id"):
        if root_kind(ruling) == DecisionKind.REJECTION:
            return ruling.granted_amount
    return None
def granted_in_force(*, decisions: QuerySet[Decision]) -> dict[int, Decimal]:
    """Application id -> the granted amount of its grant in force (:func:`grant_in_force`'s rule), for every
    application of ``decisions`` in one query (an advance run reads thousands at once, R48)."""
    rows = decisions.filter(
        kind__in=[DecisionKind.GRANT, DecisionKind.REJECTION, DecisionKind.OBJECTION_RULING]
    ).order_by("decided_at", "id").values("id", "application_id", "kind", "supersedes_id", "granted_amount")
    rows = list(rows)
    root: dict[int, str] = {}
    for d in rows:
        # A superseded decision always comes earlier in the order; a ruling on another kind has no root here.
        root[d["id"]] = root.get(d["supersedes_id"], "") if d["supersedes_id"] else d["kind"]
    superseded = {d["supersedes_id"] for d in rows if d["supersedes_id"]}
    out: dict[int, Decimal] = {}
    for d in rows:
        if d["id"] in superseded:
            continue
        if d["kind"] == DecisionKind.GRANT or (
            d["kind"] == DecisionKind.OBJECTION_RULING and d["supersedes_id"] and root[d["id"]] in INITIAL_GRANT_KINDS
        ):
            out[d["application_id"]] = d["granted_amount"]  # the latest wins, as in grant_in_force
    return out


def amendment_movements(decision: Decision) -> dict[str, Decimal]:
    """The ledger kinds and amounts an ``amendment`` decision books, from its previous and new parts (also the
    expectation of ``check_ledger``). Lowering kinds for what went down, redistribution kinds for what went up."""
    prev_held, prev_released = decision.previous_held or ZERO, decision.previous_released or ZERO
    prev_unconditional = (decision.previous_reserved or ZERO) - prev_held - prev_released
    new_unconditional = decision.granted_amount - decision.held_amount - decision.released_amount
    out: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for down_kind, up_kind, before, after in (
        (LedgerKind.LOWERING, LedgerKind.REDISTRIBUTION, prev_unconditional, new_unconditional),
        (LedgerKind.HOLD_LOWERING, LedgerKind.REDISTRIBUTION_HOLD, prev_held, decision.held_amount),
        (LedgerKind.RELEASE_LOWERING, None, prev_released, decision.released_amount),
    ):
        if after < before:
            out[down_kind] += before - after
        elif after > before:
            if up_kind is None:
                raise ValueError("An amendment never raises the released part.")
            out[up_kind] += after - before
    return dict(out)
