"""The ledger checked against the decisions (R20, R25, R30, R48): ``manage.py check_ledger`` runs these and the
per-line checks of :func:`budgets.selectors.ledger_line_violations`.

Messages name periods, budget lines, application references and decision ids only (no personal data).
"""

import hashlib
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, F, Sum

from budgets.constants import LedgerKind
from budgets.models import LedgerEntry
from budgets.selectors import LEDGER_SUMS, ledger_line_violations, ledger_states
from sectorplan.money import ZERO

from .. import sepa
from ..constants import DecisionKind
from ..models import AdvanceRunLine, Application, Decision, PaymentBatch
from .amounts import amendment_movements

#: The ledger kinds of amendments (R51, R52).
AMENDMENT_KINDS = (
    LedgerKind.LOWERING.value, LedgerKind.HOLD_LOWERING.value, LedgerKind.RELEASE_LOWERING.value,
    LedgerKind.REDISTRIBUTION.value, LedgerKind.REDISTRIBUTION_HOLD.value,
)


def ledger_violations() -> list[str]:
    """Every R25/R20 invariant the ledger must satisfy; an empty list means all hold."""
    problems: list[str] = ledger_line_violations()
    # 2. Per application: the ledger agrees with every decision kind (grant, ruling, release, forfeit,
    #    settlement), and held never goes negative. One query for the ledger, one for the decisions.
    ledger = {
        row["application_id"]: row
        for row in LedgerEntry.objects.filter(application__isnull=False)
        .values("application_id")
        .annotate(**LEDGER_SUMS)
        .order_by()
    }
    expected: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    rows = list(
        Decision.objects.order_by("application_id", "decided_at", "id").values(
            "id", "application_id", "kind", "supersedes_id", "granted_amount", "held_amount", "released_amount",
            "forfeited_amount", "advance_amount", "settled_amount", "payment_amount", "previous_reserved",
            "previous_held", "previous_released",
        )
    )
    root_kind_of = {}
    for d in rows:
        # The kind at the start of a chain of rulings (a superseded decision always comes earlier in ``rows``).
        root_kind_of[d["id"]] = root_kind_of.get(d["supersedes_id"], d["kind"]) if d["supersedes_id"] else d["kind"]
    superseded = {d["supersedes_id"] for d in rows if d["supersedes_id"]}
    for d in rows:
        exp = expected[d["application_id"]]
        kind = d["kind"]
        exp["advance"] += d["advance_amount"]
        if kind == DecisionKind.HOLDBACK_RELEASE:
            exp["release"] += d["released_amount"]
        elif kind == DecisionKind.HOLDBACK_FORFEIT:
            exp["forfeit"] += d["forfeited_amount"]
        elif kind == DecisionKind.SETTLEMENT:
            # Only the settlement in force counts: one replaced after an upheld objection (R30, R33) was
            # reversed in the ledger (``settlement_reversal``) by the settlement that replaced it.
            if d["id"] not in superseded:
                exp["settlement"] += d["settled_amount"] or ZERO
                exp["settlements_in_force"] += 1
            if (d["payment_amount"] or ZERO) < 0:
                exp["reclaim"] -= d["payment_amount"]
        elif kind == DecisionKind.LAPSE:
            # R46: the whole reservation returns: its unconditional part as a decommitment, its held and
            # released parts as hold_lapse and release_lapse.
            exp["lapsed_unconditional"] += d["granted_amount"] - d["held_amount"] - d["released_amount"]
            exp["hold_lapse"] += d["held_amount"]
            exp["release_lapse"] += d["released_amount"]
        elif kind == DecisionKind.AMENDMENT or (
            kind == DecisionKind.OBJECTION_RULING and d["supersedes_id"] is not None
            and root_kind_of.get(d["id"]) == DecisionKind.AMENDMENT
        ):
            # R51, R52: the movements between the amendment's previous and new parts; an upheld objection against
            # an amendment (R33) moves its money the same way.
            for led_kind, amount in amendment_movements(Decision(**{
                k: d[k] for k in ("granted_amount", "held_amount", "released_amount", "previous_reserved",
                                  "previous_held", "previous_released")
            })).items():
                exp[led_kind] += amount
        elif kind == DecisionKind.OBJECTION_RULING and (d["payment_amount"] or ZERO) < 0:
            exp["reclaim"] -= d["payment_amount"]  # advance paid above what a lowered grant allows (R20, R33)
        # The grant in force: a grant, or an upheld ruling replacing a grant-like decision, not itself replaced.
        in_force = d["id"] not in superseded and (
            kind == DecisionKind.GRANT
            or (
                kind == DecisionKind.OBJECTION_RULING
                and d["supersedes_id"] is not None
                and root_kind_of.get(d["id"]) in {DecisionKind.GRANT, DecisionKind.REJECTION}
            )
        )
        if in_force:
            exp["commitment"] = d["granted_amount"] - d["held_amount"]
            exp["hold"] = d["held_amount"]
    for exp in expected.values():
        exp["commitment"] -= exp.pop("lapsed_unconditional", ZERO)
    references = {}
    ids = set(ledger) | set(expected)
    if ids:
        references = dict(Application.objects.filter(pk__in=ids).values_list("pk", "reference"))
    for app_id in sorted(ids):
        led, dec = ledger.get(app_id, {}), expected.get(app_id, {})
        ref = references.get(app_id, app_id)
        net = {
            **led,
            "commitment": led.get("commitment", ZERO) - led.get("decommitment", ZERO),
            **{k: led.get(k, ZERO) for k in AMENDMENT_KINDS},
            "settlement": led.get("settlement", ZERO) - led.get("settlement_reversal", ZERO),
        }
        for kind in (
            "commitment", "hold", "release", "forfeit", "advance", "settlement", "reclaim", "hold_lapse", "release_lapse",
            *AMENDMENT_KINDS,
        ):
            a, b = net.get(kind, ZERO), dec.get(kind, ZERO)
            if a != b:
                problems.append(f"application {ref}: ledger {kind} {a} != decisions {b}")
        if dec.get("settlements_in_force", 0) > 1:
            problems.append(f"application {ref}: more than one settlement in force (R30)")
        states = ledger_states(led) if led else None
        if states and states["held"] < 0:
            problems.append(f"application {ref}: held is negative")
        if states and states["released"] < 0:
            problems.append(f"application {ref}: released is negative")
        if states and states["unconditional"] < 0:
            problems.append(f"application {ref}: unconditional is negative")
        # R30: a settlement never exceeds what was granted unconditionally plus what was released (as amended).
        spendable = (
            dec.get("commitment", ZERO) + dec.get("release", ZERO) - dec.get("lowering", ZERO)
            - dec.get("release_lowering", ZERO) + dec.get("redistribution", ZERO)
        )
        if dec.get("settlement", ZERO) > spendable:
            problems.append(f"application {ref}: settled above unconditional + released (R30)")

    # 2b. Each entry belongs to a decision of a kind that moves that money.
    #    R20 v2: advances are paid only by advance decisions (the runs of R48), never at a grant, a release
    #    or an objection ruling (which may reclaim).
    allowed = {
        DecisionKind.GRANT: {"commitment", "hold"},
        DecisionKind.OBJECTION_RULING: {"commitment", "decommitment", "hold", "reclaim", *AMENDMENT_KINDS},
        DecisionKind.HOLDBACK_RELEASE: {"release"},
        DecisionKind.HOLDBACK_FORFEIT: {"forfeit"},
        DecisionKind.ADVANCE: {"advance"},
        DecisionKind.SETTLEMENT: {"settlement", "settlement_reversal", "reclaim"},
        DecisionKind.REJECTION: set(),
        DecisionKind.LAPSE: {"decommitment", "hold_lapse", "release_lapse"},
        DecisionKind.AMENDMENT: set(AMENDMENT_KINDS),
    }
    for row in (
        LedgerEntry.objects.filter(decision__isnull=False).values("decision__kind", "kind").distinct().order_by()
    ):
        if row["kind"] not in allowed.get(row["decision__kind"], set()):
            problems.append(f"ledger entries of kind {row['kind']} on {row['decision__kind']} decisions")

    # 3. No advance at a grant, a release or an objection ruling (R20 v2): their decisions state none.
    for decision_id, kind, reference, advance in (
        Decision.objects.filter(
            kind__in=[DecisionKind.GRANT, DecisionKind.HOLDBACK_RELEASE, DecisionKind.OBJECTION_RULING]
        )
        .exclude(advance_amount=0)
        .values_list("pk", "kind", "application__reference", "advance_amount")[:50]
    ):
        problems.append(f"decision {decision_id} ({reference}): {kind} states an advance of {advance} (R20: none)")

    # 4. Every entry of an application lies in its period.
    wrong_period = LedgerEntry.objects.filter(application__isnull=False).exclude(period_id=F("application__period_id"))
    for entry_id in wrong_period.values_list("pk", flat=True)[:20]:
        problems.append(f"ledger entry {entry_id}: period differs from its application's period")
    problems += payment_batch_violations()
    return problems


def payment_batch_violations() -> list[str]:
    """R48: every ``advance`` entry was paid in a payment batch, and each batch's total and count equal its run's
    ``advance`` entries and the control sum and number of transactions of its stored SEPA file (whose SHA-256 is
    the one recorded). One query for the ledger per run, one for the batches, one file read per batch."""
    problems: list[str] = []
    unpaid = LedgerEntry.objects.filter(kind="advance").exclude(decision__advance_line__run__payment_batch__isnull=False)
    for entry_id, reference in unpaid.values_list("pk", "application__reference")[:20]:
        problems.append(f"ledger entry {entry_id} ({reference}): advance paid outside a payment batch (R48)")
    ledger = {
        row["decision__advance_line__run_id"]: row
        for row in LedgerEntry.objects.filter(kind="advance", decision__advance_line__isnull=False)
        .values("decision__advance_line__run_id")
        .annotate(total=Sum("amount"), n=Count("id"))
        .order_by()
    }
    lines = {
        row["run_id"]: row
        for row in AdvanceRunLine.objects.filter(decision__isnull=False)
        .values("run_id")
        .annotate(total=Sum("advance"), n=Count("id"))
        .order_by()
    }
    for batch in PaymentBatch.objects.order_by("pk"):
        led = ledger.get(batch.run_id, {"total": ZERO, "n": 0})
        line = lines.get(batch.run_id, {"total": ZERO, "n": 0})
        if (led["total"], led["n"]) != (batch.total, batch.count):
            problems.append(
                f"payment batch {batch.pk}: {batch.count} payments of {batch.total} != ledger {led['n']} of {led['total']}"
            )
        if (line["total"], line["n"]) != (batch.total, batch.count):
            problems.append(f"payment batch {batch.pk}: run lines {line['n']} of {line['total']} differ from the batch")
        try:
            with batch.file.open("rb") as fh:
                content = fh.read()
        except (OSError, ValueError):
            problems.append(f"payment batch {batch.pk}: SEPA file missing")
            continue
        if hashlib.sha256(content).hexdigest() != batch.sha256:
            problems.append(f"payment batch {batch.pk}: SEPA file does not match its SHA-256")
        try:
            control, count = sepa.control_sum(content)
        except (ValueError, SyntaxError, TypeError):
            problems.append(f"payment batch {batch.pk}: SEPA file unreadable")
            continue
        if (control, count) != (batch.total, batch.count):
            problems.append(f"payment batch {batch.pk}: SEPA control sum {control} ({count}) != batch {batch.total}")
    # Each line's decision states the line's advance.
    for line_id, advance, stated in AdvanceRunLine.objects.filter(decision__isnull=False).exclude(
        decision__advance_amount=F("advance")
    ).values_list("pk", "advance", "decision__advance_amount")[:20]:
        problems.append(f"advance run line {line_id}: advance {advance} != its decision's {stated}")
    return problems
