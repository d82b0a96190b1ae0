"""Advance runs (R48): the proposal and its confirmation, the only writer of ``advance`` decisions.

**Proposal** (:func:`advance_run_propose`, any office user serving every region): under the period's lock, per
granted application of the period the arithmetic of :mod:`budgets.advances` on

- the approved registrations' subsidy (the sum of their ``amount``),
- the allocation factor of the grant in force (reservation at grant ÷ eligible amount, at most 1: R30's factor),
- the unconditional reservation in force (unconditional + released, from the ledger),
- the advances already paid (the ledger's ``advance`` less its ``reclaim`` entries; a granted application has no
  settlement reclaim yet),

one line per application with a positive amount due. An IBAN that schwifty refuses blocks its line: listed with
the reason, not paid. A new proposal discards the period's older ones. The proposal fingerprints the period's
ledger (count and last id, read under the period lock, so no writer of the period is uncommitted).

**Confirmation** (:func:`advance_run_confirm`, an ``office_decider`` other than the proposer: 409 ``four_eyes``):
locks the period, the run, the applications (the documented order); refuses a run whose period ledger moved since
the proposal, an application no longer granted or an IBAN changed since (409 ``stale``); then writes per payable line
an ``advance`` decision (``advance_amount``, ``approved_amount``, ``previous_advances``), its ``advance`` ledger
entry, its letter (on commit), and one :class:`~applications.models.PaymentBatch` with the pain.001 file whose
control sum equals the ledger total. Everything in one transaction: a failure leaves nothing half-saved.

Queries do not grow with the number of applications, except the insert batches of 2,000 rows.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from types import SimpleNamespace

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Count, F, Max, Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from budgets.advances import AdvanceInput, advance_due, totals_by
from budgets.constants import LedgerKind
from budgets.ledger import budget_line_for, ledger_post_many, lock_period
from budgets.models import LedgerEntry, Period
from budgets.selectors import application_balances
from sectorplan.api.errors import StateConflict
from sectorplan.locking import lock_one, locked
from sectorplan.money import ZERO, format_eur

from .. import sepa
from ..constants import ApplicationStatus, DecisionKind, RegistrationStatus
from ..models import AdvanceRun, AdvanceRunLine, AdvanceRunStatus, Application, Decision, PaymentBatch, Registration
from .amounts import granted_in_force
from .four_eyes import four_eyes_check
from .letters import letters_request_many


def _ledger_fingerprint(period: Period) -> tuple[int, int]:
    row = LedgerEntry.objects.filter(period=period).aggregate(n=Count("id"), last=Max("id"))
    return row["n"], row["last"] or 0


def advance_run_input(period: Period) -> list[dict]:
    """Per granted application of ``period``: what R48 needs, in four queries whatever the number."""
    apps = list(
        Application.objects.filter(period=period, status=ApplicationStatus.GRANTED)
        .values(
            "id", "reference", "eligible_amount", "employer_id", "employer__name", "employer__earmark",
            "employer__iban", "employer__account_holder",
        )
        .order_by("reference")
    )
    approved = dict(
        Registration.objects.filter(
            application__period=period, application__status=ApplicationStatus.GRANTED,
            status=RegistrationStatus.APPROVED,
        )
        .values("application_id")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("application_id", "total")
    )
    granted = granted_in_force(
        decisions=Decision.objects.filter(application__period=period, application__status=ApplicationStatus.GRANTED)
    )
    balances = application_balances(period=period)
    out = []
    for app in apps:
        if app["id"] not in granted:
            continue
        bal = balances.get(app["id"], {})
        out.append({
            **app,
            "earmark": budget_line_for(period=period, employer_earmark=app["employer__earmark"]),
            "approved": approved.get(app["id"], ZERO),
            "granted": granted[app["id"]],
            "cap": bal.get("unconditional", ZERO) + bal.get("released", ZERO),
            "paid": bal.get("advances_paid", ZERO) - bal.get("reclaimed", ZERO),
        })
    return out


@transaction.atomic
def advance_run_propose(*, period: Period, by) -> AdvanceRun:
    """R48: compute the advance run of ``period`` as a proposal (older proposals of the period are discarded)."""
    period = lock_period(period)
    count, last = _ledger_fingerprint(period)
    AdvanceRun.objects.filter(period=period, status=AdvanceRunStatus.PROPOSED).update(
        status=AdvanceRunStatus.DISCARDED
    )
    run = AdvanceRun.objects.create(
        period=period, advance_percent=period.advance_percent, ledger_count=count, ledger_last=last, created_by=by,
    )
    lines = []
    for row in advance_run_input(period):
        result = advance_due(AdvanceInput(
            approved=row["approved"], granted=row["granted"], eligible=row["eligible_amount"] or ZERO,
            cap=row["cap"], paid=row["paid"], percent=period.advance_percent,
        ))
        if result.due <= 0:
            continue
        checked = sepa.check_iban(row["employer__iban"])
        lines.append(AdvanceRunLine(
            run=run, application_id=row["id"], employer_id=row["employer_id"], earmark=row["earmark"],
            approved_amount=row["approved"], granted_amount=row["granted"], eligible_amount=row["eligible_amount"] or ZERO,
            cap=row["cap"], entitled=result.entitled, already_paid=row["paid"], advance=result.due,
            iban=checked.iban or row["employer__iban"][:34], bic=checked.bic,
            account_holder=row["employer__account_holder"] or row["employer__name"],
            blocked=bool(checked.problem), blocked_reason=checked.problem[:200],
        ))
    AdvanceRunLine.objects.bulk_create(lines, batch_size=2000)
    payable = [line for line in lines if not line.blocked]
    run.total = sum((line.advance for line in payable), ZERO)
    run.count = len(payable)
    run.blocked_total = sum((line.advance for line in lines if line.blocked), ZERO)
    run.blocked_count = len(lines) - len(payable)
    run.save(update_fields=["total", "count", "blocked_total", "blocked_count"])
    return run


def _check_not_stale(run: AdvanceRun, period: Period) -> None:
    """409 ``stale`` when money of the period moved since the proposal (another run, a lowering, a release, a
    lapse, a settlement, ...), a payable application is no longer granted, or an employer's IBAN changed."""
    moved = _ledger_fingerprint(period) != (run.ledger_count, run.ledger_last)
    changed = (
        run.lines.filter(blocked=False)
        .filter(~Q(application__status=ApplicationStatus.GRANTED) | ~Q(employer__iban=F("iban")))
        .exists()
    )
    if moved or changed:
        raise StateConflict(
            field="run", code="stale",
            message=_("The period's money, an application or an employer's IBAN changed since this proposal was "
                      "made; make a new proposal."),
        )


def execution_date(today: date) -> date:
    """The requested execution date: the next working day (Monday to Friday) after ``today``."""
    day = today + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


LINE_FIELDS = (
    "id", "application_id", "earmark", "approved_amount", "cap", "entitled", "already_paid", "advance", "iban", "bic",
    "account_holder",
)


def advance_decisions(*, run: AdvanceRun, lines: list[dict], by, today: date) -> list[Decision]:
    """The unsaved ``advance`` decisions of ``lines`` (dicts of :data:`LINE_FIELDS`): what the confirmation writes
    and the letter preview shows (R28), built once."""
    with translation.override("nl"):  # the reasons of an advance decision (R27: how the amount was found)
        reasons = _(
            "Advance of %(percent)s%% on the subsidy of your approved registrations (%(approved)s), times the "
            "allocation factor and at most your unconditional reservation (%(cap)s): %(entitled)s. Paid before: "
            "%(paid)s. This advance: %(advance)s."
        )
    percent = f"{run.advance_percent.normalize():f}".replace(".", ",")
    return [
        Decision(
            application_id=line["application_id"], kind=DecisionKind.ADVANCE, date=today, decided_by=by,
            advance_amount=line["advance"], approved_amount=line["approved_amount"],
            previous_advances=line["already_paid"], reasons=reasons % {
                "percent": percent, "approved": format_eur(line["approved_amount"]), "cap": format_eur(line["cap"]),
                "entitled": format_eur(line["entitled"]), "paid": format_eur(line["already_paid"]),
                "advance": format_eur(line["advance"]),
            },
        )
        for line in lines
    ]


def advance_run_preview_decisions(*, run: AdvanceRun, by, applications=None) -> list[Decision]:
    """R28: before confirming, the advance decision the confirmation would write for the run's first payable line
    (by reference; among ``applications`` when given), unsaved, for the office to preview its letter. Reads only;
    nothing is written or locked. Empty for a run that is not a proposal or pays nothing."""
    if run.status != AdvanceRunStatus.PROPOSED:
        return []
    lines = run.lines.filter(blocked=False)
    if applications is not None:
        lines = lines.filter(application__in=applications)
    line = lines.order_by("application__reference").values(*LINE_FIELDS).first()
    if line is None:
        return []
    [decision] = advance_decisions(run=run, lines=[line], by=by, today=timezone.localdate())
    decision.application = Application.objects.select_related("employer", "period", "region").get(
        pk=line["application_id"]
    )
    return [decision]


@transaction.atomic
def advance_run_confirm(*, run: AdvanceRun, by) -> PaymentBatch:
    """R48: confirm ``run``: advance decisions, ledger, letters and the payment batch (see the module docstring)."""
    period = lock_period(run.period)
    run = lock_one(AdvanceRun.objects, pk=run.pk)
    if run.status == AdvanceRunStatus.CONFIRMED:
        raise StateConflict(field="run", code="already_confirmed", message=_("This advance run is already confirmed."))
    if run.status == AdvanceRunStatus.DISCARDED:
        raise StateConflict(field="run", code="discarded", message=_("This proposal was replaced by a newer one."))
    if run.created_by_id == by.pk:
        raise StateConflict(
            field="run", code="four_eyes",
            message=_("You proposed this advance run; another decider must confirm it."),
        )
    _check_not_stale(run, period)
    lines = list(run.lines.filter(blocked=False).order_by("application_id").values(*LINE_FIELDS))
    if not lines:
        raise StateConflict(field="run", code="nothing_due", message=_("Nothing is due in this advance run."))
    # Lock the applications (ascending id) and read the little the decisions need, without model instances: a run
    # of 4,000 applications stays about a second.
    applications = {
        row["id"]: row
        for row in locked(Application.objects.filter(pk__in=[line["application_id"] for line in lines]))
        .order_by("pk")
        .values("id", "reference", "assessed_by_id")
    }
    four_eyes_check(  # R4, over the applications' whole history
        applications=[SimpleNamespace(pk=row["id"], reference=row["reference"]) for row in applications.values()],
        user=by,
    )

    today = timezone.localdate()
    decisions = Decision.objects.bulk_create(advance_decisions(run=run, lines=lines, by=by, today=today),
                                             batch_size=2000)
    memo = f"R48 advance run {run.pk}"
    earmarks = {line["application_id"]: line["earmark"] for line in lines}
    ledger_post_many(period=period, entries=[
        LedgerEntry(period_id=period.pk, earmark=earmarks[d.application_id], application_id=d.application_id,
                    decision=d, kind=LedgerKind.ADVANCE, amount=d.advance_amount, actor=by, memo=memo)
        for d in decisions
    ])
    # Each payable line points to its decision: one UPDATE from two arrays.
    decision_of = {d.application_id: d.pk for d in decisions}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {AdvanceRunLine._meta.db_table} AS line SET decision_id = v.decision_id "  # noqa: S608 - table name
                "FROM unnest(%s::bigint[], %s::bigint[]) AS v(line_id, decision_id) WHERE line.id = v.line_id",
                [[line["id"] for line in lines], [decision_of[line["application_id"]] for line in lines]],
            )
        else:  # SQLite (`make run` and its demo seed): one UPDATE per line
            cursor.executemany(
                f"UPDATE {AdvanceRunLine._meta.db_table} SET decision_id = %s WHERE id = %s",  # noqa: S608 - table name
                [(decision_of[line["application_id"]], line["id"]) for line in lines],
            )
    letters_request_many(decisions=decisions, by=by)

    total = sum((line["advance"] for line in lines), ZERO)
    xml, message_id = sepa.credit_transfer(
        payments=[
            sepa.Payment(
                name=line["account_holder"], iban=line["iban"], bic=line["bic"], amount=line["advance"],
                end_to_end_id=applications[line["application_id"]]["reference"],
                description=f"Voorschot Sectorplan plus {applications[line['application_id']]['reference']}",
            )
            for line in lines
        ],
        execution_date=execution_date(today),
    )
    control, count = sepa.control_sum(xml)
    if control != total or count != len(lines):  # a guard: the file and the ledger never differ (R48)
        raise StateConflict(field="run", code="sepa_mismatch", message=_("The payment file does not match the ledger."))
    batch = PaymentBatch(
        run=run, period=period, total=total, count=len(lines), message_id=message_id,
        execution_date=execution_date(today), sha256=hashlib.sha256(xml).hexdigest(), created_by=by,
    )
    batch.file.save(f"advance-run-{run.pk}.xml", ContentFile(xml), save=False)
    batch.save()
    run.status = AdvanceRunStatus.CONFIRMED
    run.confirmed_by = by
    run.confirmed_at = timezone.now()
    run.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    return batch


# --- Reads ---------------------------------------------------------------------------------------------------------


def advance_run_summary(run: AdvanceRun) -> dict:
    """The run as the API and the office pages show it: totals per budget line and per employer, and every line."""
    rows = list(
        run.lines.order_by("application__reference").values(
            "application_id", "application__reference", "employer_id", "employer__name", "earmark", "approved_amount",
            "granted_amount", "eligible_amount", "cap", "entitled", "already_paid", "advance", "iban", "blocked",
            "blocked_reason",
        )
    )
    lines = [
        {
            "application": r["application_id"], "reference": r["application__reference"], "employer": r["employer_id"],
            "employer_name": r["employer__name"], "budget_line": r["earmark"], "approved_amount": r["approved_amount"],
            "granted_amount": r["granted_amount"], "eligible_amount": r["eligible_amount"], "cap": r["cap"],
            "entitled": r["entitled"], "already_paid": r["already_paid"], "advance": r["advance"], "iban": r["iban"],
            "blocked": r["blocked"], "blocked_reason": r["blocked_reason"],
        }
        for r in rows
    ]
    payable = [r for r in lines if not r["blocked"]]
    by_line = totals_by(payable, lambda r: r["budget_line"])
    by_employer = totals_by(payable, lambda r: (r["employer"], r["employer_name"]))
    batch = PaymentBatch.objects.filter(run=run).values("id", "total", "count", "sha256").first()
    return {
        "id": run.pk,
        "period": run.period.number,
        "status": run.status,
        "advance_percent": run.advance_percent,
        "total": run.total,
        "count": run.count,
        "blocked_total": run.blocked_total,
        "blocked_count": run.blocked_count,
        "created_by": run.created_by.get_username(),
        "created_at": run.created_at,
        "confirmed_by": run.confirmed_by.get_username() if run.confirmed_by_id else None,
        "confirmed_at": run.confirmed_at,
        "budget_lines": [{"budget_line": k, "total": t, "count": n} for k, (t, n) in sorted(by_line.items())],
        "employers": [
            {"employer": k[0], "name": k[1], "total": t, "count": n}
            for k, (t, n) in sorted(by_employer.items(), key=lambda kv: kv[0][1])
        ],
        "lines": lines,
        "payment_batch": batch,
    }
