"""Letter generation (R26-R28): the context of a letter, its HTML and PDF, and the one service
that turns a pending letter into a stored PDF exactly once.

The Celery task (``applications.decisions.tasks.generate_letter``) only calls :func:`letter_generate`.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone, translation

from budgets.constants import ActivityType, AdviceOutcome, DeadlineKind, LedgerKind
from budgets.models import CommissionAdvice, LedgerEntry
from budgets.selectors import APPLICATION_STATES, deadline_for
from sectorplan.money import ZERO, round_half_up

from ..constants import AgeBand, DecisionKind, Focus, LetterStatus, Outcome, RegistrationStatus, decision_file_name
from ..models import Decision, Letter, Registration
from ..pdf import html_to_pdf, render_html
from .amounts import amendment_movements, initial_grant
from .legal import (
    APPEAL_BASIS,
    OBJECTION_BASIS,
    OBJECTION_WEEKS,
    PAYMENT_WEEKS,
    RECLAIM_WEEKS,
    REGULATION,
    legal_basis,
)
from .messages import message_delivered

logger = logging.getLogger(__name__)

def office() -> dict:
    """The sender of every letter, its signatory, objection address and the IBAN a reclaim is paid to (R27):
    configuration (``LETTER_*`` settings, read from the environment in ``sectorplan/settings/base.py``; the
    system check ``applications.E001`` refuses placeholders in production). Read at render time, so
    ``override_settings`` and a changed environment apply at once."""
    return {
        "name": settings.LETTER_OFFICE_NAME,
        "department": settings.LETTER_OFFICE_DEPARTMENT,
        "postbus": settings.LETTER_OFFICE_POSTBUS,
        "postal_code": settings.LETTER_OFFICE_POSTAL_CODE,
        "city": settings.LETTER_OFFICE_CITY,
        "phone": settings.LETTER_OFFICE_PHONE,
        "email": settings.LETTER_OFFICE_EMAIL,
        "website": settings.LETTER_OFFICE_WEBSITE,
        "signatory_name": settings.LETTER_SIGNATORY_NAME,
        "signatory_function": settings.LETTER_SIGNATORY_FUNCTION,
        "objection_addressee": settings.LETTER_OBJECTION_ADDRESSEE,
        "debtor_iban": settings.LETTER_DEBTOR_IBAN,
    }


def focus_label(focus: str) -> str:
    """The training focus as the portal shows it (the Dutch catalogue of :class:`Focus`)."""
    with translation.override("nl"):
        return str(Focus(focus).label) if focus in Focus.values else focus


def activity_label(activity: str) -> str:
    """The activity type as the portal shows it (the Dutch catalogue of :class:`ActivityType`)."""
    with translation.override("nl"):
        return str(ActivityType(activity).label) if activity in ActivityType.values else activity


AGE_BAND_NL = {
    AgeBand.UNDER_25: "jonger dan 25",
    AgeBand.FROM_25_TO_45: "25 tot 45",
    AgeBand.FROM_45_TO_55: "45 tot 55",
    AgeBand.FROM_55: "55 en ouder",
}
#: The subject of each letter kind ("Betreft"), also the message's subject in the box (R26). Keyed by the kind's
#: value: ``amendment`` (R51, R52) is ready for the amendment decisions that are being added.
SUBJECTS = {
    "grant": "Verlening subsidie SectorplanPlus (subsidiereservering), tijdvak {period}",
    "rejection": "Afwijzing aanvraag subsidie SectorplanPlus, tijdvak {period}",
    "not_considered": "Buiten behandeling stellen aanvraag subsidie SectorplanPlus, tijdvak {period}",
    "holdback_release": "Vrijgave aangehouden deel subsidie SectorplanPlus, tijdvak {period}",
    "holdback_forfeit": "Vervallen aangehouden deel subsidie SectorplanPlus, tijdvak {period}",
    "advance": "Verlening voorschot subsidie SectorplanPlus, tijdvak {period}",
    "amendment": "Wijziging subsidiereservering SectorplanPlus, tijdvak {period}",
    "settlement": "Vaststelling subsidie SectorplanPlus, tijdvak {period}",
    "objection_ruling": "Beslissing op bezwaar, subsidie SectorplanPlus, tijdvak {period}",
    "lapse": "Intrekking subsidieverlening SectorplanPlus (vervallen reservering), tijdvak {period}",
}
#: What each deadline of the calendar (R53) asks of the employer, as the letters name it.
DEADLINE_LABELS = {
    DeadlineKind.AGREEMENT: "projectovereenkomst en KvK-uittreksel goedgekeurd",
    DeadlineKind.REGISTRATION: "opleidingstrajecten geregistreerd",
    DeadlineKind.REPAIR: "laatste herstel van registraties",
    DeadlineKind.ACCOUNTABILITY: "verantwoording ingediend",
}
#: Plan lines beyond this number go to an annex (Awb 4:30: the subsidised activities are named in the letter).
ANNEX_AFTER_LINES = 8

#: A letter still pending after this long was never enqueued or its message was lost (sweeper).
PENDING_GRACE = timedelta(minutes=10)
#: A letter "generating" for longer than the task's hard time limit plus a margin lost its worker.
GENERATING_GRACE = timedelta(seconds=settings.LETTER_TASK_TIME_LIMIT + 5)


def subject_for(kind: str, *, period_number: int) -> str:
    return SUBJECTS[str(kind)].format(period=period_number)


def template_for(kind: str) -> str:
    if str(kind) not in SUBJECTS:
        raise ValueError(f"no letter template for decision kind {kind!r}")
    return f"letters/{kind}.html"


def registration_table(*, decision: Decision) -> dict:
    """Registrations by focus x age band with counts, and amounts per focus (aggregated in the database)."""
    qs = Registration.objects.filter(application_id=decision.application_id)
    kind = decision.kind
    if kind == DecisionKind.SETTLEMENT:
        qs = qs.filter(started=True)
    elif kind not in (DecisionKind.REJECTION, DecisionKind.NOT_CONSIDERED):
        qs = qs.filter(status=RegistrationStatus.APPROVED)
    cells = {
        (row["focus"], row["age_band"]): row
        for row in qs.values("focus", "age_band").annotate(n=Count("id"), amount=Sum("amount"))
    }
    bands = list(AgeBand)
    rows = []
    totals = {"counts": [0] * len(bands), "count": 0, "amount": ZERO}
    for focus in Focus:
        counts = [cells.get((focus.value, band.value), {}).get("n", 0) for band in bands]
        if not any(counts):
            continue
        amount = sum(
            (cells.get((focus.value, band.value), {}).get("amount") or ZERO for band in bands), start=ZERO
        )
        rows.append({"label": focus_label(focus), "counts": counts, "count": sum(counts), "amount": amount})
        totals["counts"] = [a + b for a, b in zip(totals["counts"], counts, strict=True)]
        totals["count"] += sum(counts)
        totals["amount"] += amount
    return {"bands": [AGE_BAND_NL[b] for b in bands], "rows": rows, "totals": totals}


def plan_table(*, application) -> dict | None:
    """The plan lines (R8) with what the assessment found eligible (R15): requested and eligible counts and
    amounts in separate columns, and the refused lines with the reviewer's reasons (Awb 3:46); None for an
    application without plan lines (a v1 application)."""
    lines = list(application.plan_lines.all())
    if not lines:
        return None
    focus_order = {f.value: i for i, f in enumerate(Focus)}
    lines.sort(key=lambda line: (line.activity_type, focus_order.get(line.focus, 99)))
    rows = []
    for line in lines:
        eligible_amount = (
            None if line.eligible_count is None else round_half_up(line.eligible_count * line.amount_per_trajectory)
        )
        rows.append({
            "activity": activity_label(line.activity_type),
            "activity_code": line.activity_type,
            "focus": focus_label(line.focus),
            "count": line.count,
            "eligible_count": line.eligible_count,
            "amount_per_trajectory": line.amount_per_trajectory,
            "requested_amount": line.requested_amount,
            "eligible_amount": eligible_amount,
            "reason": line.reason,
        })
    return {
        "lines": rows,
        "count": sum(r["count"] for r in rows),
        "eligible_count": sum(r["eligible_count"] or 0 for r in rows),
        "requested_amount": sum((r["requested_amount"] or ZERO for r in rows), ZERO),
        "eligible_amount": sum((r["eligible_amount"] or ZERO for r in rows), ZERO),
        "refused": [r for r in rows if r["eligible_count"] is not None and r["eligible_count"] < r["count"]],
        "in_annex": len(rows) > ANNEX_AFTER_LINES,
    }


def _states(entries) -> dict[str, Decimal]:
    out = {state: ZERO for state in APPLICATION_STATES}
    for entry in entries:
        for state, signs in APPLICATION_STATES.items():
            sign = signs.get(entry["kind"])
            if sign:
                out[state] += sign * entry["amount"]
    return out


def _effect(decision: Decision) -> list[dict]:
    """The ledger entries a decision that has none (yet) would book: the preview of an unsaved decision (R28)."""
    kind, granted, held = decision.kind, decision.granted_amount or ZERO, decision.held_amount or ZERO
    if kind == DecisionKind.GRANT:
        return [{"kind": LedgerKind.COMMITMENT, "amount": granted - held}, {"kind": LedgerKind.HOLD, "amount": held}]
    if kind == DecisionKind.HOLDBACK_RELEASE:
        return [{"kind": LedgerKind.RELEASE, "amount": decision.released_amount or ZERO}]
    if kind == DecisionKind.HOLDBACK_FORFEIT:
        return [{"kind": LedgerKind.FORFEIT, "amount": decision.forfeited_amount or ZERO}]
    if kind == DecisionKind.ADVANCE:
        return [{"kind": LedgerKind.ADVANCE, "amount": decision.advance_amount or ZERO}]
    if kind == DecisionKind.LAPSE:
        released = decision.released_amount or ZERO
        return [
            {"kind": LedgerKind.DECOMMITMENT, "amount": granted - held - released},
            {"kind": LedgerKind.HOLD_LAPSE, "amount": held},
            {"kind": LedgerKind.RELEASE_LAPSE, "amount": released},
        ]
    if kind == DecisionKind.AMENDMENT:
        return [{"kind": led_kind, "amount": amount} for led_kind, amount in amendment_movements(decision).items()]
    if kind == DecisionKind.SETTLEMENT and decision.settled_amount is not None:
        out = [{"kind": LedgerKind.SETTLEMENT, "amount": decision.settled_amount}]
        if decision.payment_amount is not None and decision.payment_amount < 0:
            out.append({"kind": LedgerKind.RECLAIM, "amount": -decision.payment_amount})
        return out
    return []


def decision_amounts(decision: Decision) -> dict[str, Decimal]:
    """What the application had just before ``decision`` (``previous_<state>``) and just after it (``<state>``),
    from the append-only ledger (:data:`budgets.selectors.APPLICATION_STATES`): the entries up to the decision's
    own, so a regenerated letter states the amounts of its decision, not today's. A decision without entries
    of its own (a ruling that moves no money, an unsaved decision in a preview) sees the entries booked before
    it, plus what it would book. A decision that carries its own ``amounts`` (a dict, e.g. an amendment's
    ``previous_reserved``/``reserved``/``held``) has those values take precedence."""
    entries = list(
        LedgerEntry.objects.filter(application_id=decision.application_id)
        .order_by("id")
        .values("id", "kind", "amount", "decision_id", "at")
    )
    own = [e["id"] for e in entries if decision.pk is not None and e["decision_id"] == decision.pk]
    if own:
        before = [e for e in entries if e["id"] < min(own)]
        after = [e for e in entries if e["id"] <= max(own)]
    else:
        if decision.pk is not None and decision.decided_at is not None:
            before = [e for e in entries if e["at"] <= decision.decided_at]
        else:
            before = entries
        after = before + _effect(decision)
    amounts = {f"previous_{k}": v for k, v in _states(before).items()}
    amounts.update(_states(after))
    own_amounts = getattr(decision, "amounts", None)
    if isinstance(own_amounts, dict):
        amounts.update({k: v for k, v in own_amounts.items() if v is not None})
    # What advances and a settlement may cover (R30, R48): the unconditional part plus what was released.
    for prefix in ("previous_", ""):
        amounts[f"{prefix}spendable"] = amounts[f"{prefix}unconditional"] + amounts[f"{prefix}released"]
    return amounts


def deadlines_in_force(*, period, employer, on) -> list[dict]:
    """R53: each deadline of the period's calendar as it applies to ``employer`` today, extensions included
    (:func:`budgets.selectors.deadline_for`), never a stale calendar date. ``passed`` marks a deadline before
    the letter's date ``on``: the letter does not set it as a term still to meet."""
    out = []
    for kind, calendar in period.deadline_calendar():
        in_force = deadline_for(period=period, kind=kind, employer=employer) or calendar
        out.append({
            "kind": kind, "label": DEADLINE_LABELS.get(kind, kind), "date": in_force, "calendar": calendar,
            "extended": in_force != calendar, "passed": on is not None and in_force < on,
        })
    return out


def _advice_cited(*, decision: Decision, application) -> CommissionAdvice | None:
    """R23, R24: the Commission's advice a release or forfeit rests on: the latest advice of its outcome for the
    application's region and period recorded by the time of the decision."""
    outcome = {
        DecisionKind.HOLDBACK_RELEASE: AdviceOutcome.POSITIVE, DecisionKind.HOLDBACK_FORFEIT: AdviceOutcome.NEGATIVE,
    }.get(decision.kind)
    if outcome is None:
        return None
    qs = CommissionAdvice.objects.filter(period_id=application.period_id, region_id=application.region_id, outcome=outcome)
    if decision.decided_at is not None:
        qs = qs.filter(recorded_at__lte=decision.decided_at)
    return qs.order_by("-date", "-recorded_at", "-id").first()


def _objection_of(decision: Decision):
    """R33: the objection a ruling decides, through the relation ``accounting.Objection.ruling_decision``
    (reverse accessor ``objection_ruled``: a relation by name, not an import of the layer above). None for an
    unsaved decision or a ruling recorded without an objection row."""
    if decision.pk is None:
        return None
    try:
        return decision.objection_ruled
    except ObjectDoesNotExist:
        return None


def _hearing(objection) -> dict:
    """R33 (Awb 7:2): the hearing as the objection records it (date, who attended, summary), or why none was
    held (waived, with the reason)."""
    return {
        "on": objection.hearing_on,
        "attendees": objection.hearing_attendees,
        "report": objection.hearing_summary,
        "waived": objection.hearing_waived,
        "waived_reason": objection.hearing_waived_reason,
    }


def _settlement_explanation(*, decision: Decision, application, amounts: dict) -> dict:
    """R30, Awb 3:46: why a settlement is what it is: the reservation in force, the trajectories that were
    realised and those that were not, and the allocation factor."""
    counts = Registration.objects.filter(application_id=application.pk, status=RegistrationStatus.APPROVED).aggregate(
        n_total=Count("id"), n_started=Count("id", filter=Q(started=True)),
        n_not_started=Count("id", filter=Q(started=False)), n_unreported=Count("id", filter=Q(started__isnull=True)),
        n_completed=Count("id", filter=Q(started=True, outcome=Outcome.COMPLETED)),
        n_dropped=Count("id", filter=Q(started=True, outcome=Outcome.DROPPED_OUT)),
    )
    counts = {key.removeprefix("n_"): value for key, value in counts.items()}
    grant = initial_grant(application)
    factor = None
    if grant is not None and application.eligible_amount:
        factor = min(grant.granted_amount / application.eligible_amount, Decimal(1))
    cap = amounts["previous_unconditional"] + amounts["previous_released"]
    settled = decision.settled_amount or ZERO
    return {
        **counts,
        "factor": factor,
        "factor_applies": factor is not None and factor < 1,
        "cap": cap,
        "lower": settled < cap,
        "difference": cap - settled if settled < cap else ZERO,
    }


def letter_context(*, letter: Letter) -> dict:
    """Everything a letter shows (R27). Works for a stored letter and for an unsaved letter of an unsaved decision
    (the preview, R28): it reads, never writes."""
    decision = letter.decision
    application = decision.application
    period = application.period
    employer = application.employer
    kind = str(decision.kind)
    previous = None
    if letter.pk is not None and letter.version > 1:
        previous = (
            Letter.objects.filter(decision=decision, version__lt=letter.version).order_by("-version").first()
        )
    amounts = decision_amounts(decision)
    unconditional = round_half_up((decision.granted_amount or ZERO) - (decision.held_amount or ZERO))
    advances_paid = None
    if decision.settled_amount is not None and decision.payment_amount is not None:
        advances_paid = round_half_up(decision.settled_amount - decision.payment_amount)
    # What the allocation of a grant used (R12, R16): its cap and method, recorded on the allocation, never
    # today's period settings (a regenerated letter states what was decided).
    allocation = decision.allocation
    application_cap = allocation.application_cap if allocation else None
    eligible = application.eligible_amount
    capped_eligible = min(eligible, application_cap) if eligible is not None and application_cap is not None else eligible
    rejected_count = Registration.objects.filter(application_id=application.pk, status=RegistrationStatus.REJECTED).count()
    is_reclaim = decision.payment_amount is not None and decision.payment_amount < 0
    deadlines = deadlines_in_force(period=period, employer=employer, on=decision.date)
    objection = _objection_of(decision) if kind in (DecisionKind.OBJECTION_RULING, DecisionKind.SETTLEMENT) else None
    contested = None
    if objection is not None:
        contested = objection.decision
    elif kind == DecisionKind.OBJECTION_RULING:
        contested = decision.supersedes
    plan = plan_table(application=application)
    nothing_eligible = eligible is not None and eligible <= 0
    return {
        "letter": letter,
        "decision": decision,
        "kind": kind,
        "application": application,
        "employer": employer,
        "period": period,
        "region": application.region,
        "reference": application.reference,
        "subject": subject_for(kind, period_number=period.number),
        "office": office(),
        "table": registration_table(decision=decision),
        "plan": plan,
        "annexes": ["plan"] if plan and plan["in_annex"] else [],
        "amounts": amounts,
        "unconditional_amount": unconditional,
        "advances_paid": advances_paid,
        "application_cap": application_cap,
        "capped": capped_eligible is not None and eligible is not None and capped_eligible < eligible,
        "oversubscribed": capped_eligible is not None and (decision.granted_amount or ZERO) < capped_eligible,
        "nothing_eligible": nothing_eligible,
        "no_budget": kind == DecisionKind.REJECTION and not nothing_eligible and eligible is not None,
        "allocation_method": allocation.method if allocation else None,
        "deadline_list": deadlines,
        "deadlines": {d["kind"]: d["date"] for d in deadlines if not d["passed"]},
        "rejected_count": rejected_count,
        "reasons": [p.strip() for p in (decision.reasons or "").split("\n\n") if p.strip()],
        "previous": previous,
        "is_production": settings.ENVIRONMENT == "production",
        "objection_weeks": OBJECTION_WEEKS,
        "payment_weeks": PAYMENT_WEEKS,
        "reclaim_weeks": RECLAIM_WEEKS,
        "legal_basis": legal_basis(kind, reclaim=is_reclaim and kind == DecisionKind.SETTLEMENT),
        "objection_basis": OBJECTION_BASIS,
        "appeal_basis": APPEAL_BASIS,
        "regulation": REGULATION,
        "is_reclaim": is_reclaim,
        "payment_abs": abs(decision.payment_amount) if decision.payment_amount is not None else None,
        "advice": _advice_cited(decision=decision, application=application),
        "objection": objection,
        "hearing": _hearing(objection) if objection is not None else None,
        "contested": contested,
        "contested_subject": subject_for(contested.kind, period_number=period.number) if contested else "",
        "upheld": kind == DecisionKind.OBJECTION_RULING and decision.supersedes_id is not None,
        "settlement": (
            _settlement_explanation(decision=decision, application=application, amounts=amounts)
            if kind == DecisionKind.SETTLEMENT else None
        ),
    }


def preview_letters(*, decisions) -> list[dict]:
    """R28: one rendered letter of each kind that ``decisions`` (unsaved decisions, as a run, round or allocation
    would write them) will produce, in the order the kinds first occur: ``[{"kind", "decision", "html"}]``.

    Settlements count as two kinds (a payment and a reclaim read differently), rulings too (upheld, rejected), and
    amendments (lowered, increased).
    Nothing is written: the letter is an unsaved :class:`Letter` of the unsaved decision."""
    seen, out = set(), []
    for decision in decisions:
        variant = preview_variant(decision)
        if variant in seen:
            continue
        seen.add(variant)
        letter = Letter(decision=decision, version=1, status=LetterStatus.PENDING)
        out.append({"kind": str(decision.kind), "variant": variant, "decision": decision,
                    "html": letter_html(letter=letter)})
    return out


def preview_variant(decision: Decision) -> str:
    """The letter variant of a decision: its kind, with settlements split by payment or reclaim, rulings by
    upheld or rejected, and amendments by a lowered or increased reservation (R51, R52: the letters read
    differently)."""
    kind = str(decision.kind)
    if kind == DecisionKind.AMENDMENT:
        lowered = (decision.granted_amount or ZERO) < (decision.previous_reserved or ZERO)
        return "amendment_lowered" if lowered else "amendment_increased"
    if kind == DecisionKind.SETTLEMENT:
        return "settlement_reclaim" if (decision.payment_amount or ZERO) < 0 else "settlement_payment"
    if kind == DecisionKind.OBJECTION_RULING:
        return "objection_ruling_upheld" if decision.supersedes_id is not None else "objection_ruling_rejected"
    return kind


def _load(letter_id: int) -> Letter:
    return Letter.objects.select_related(
        "decision__application__period", "decision__application__employer", "decision__application__region",
        "decision__supersedes", "decision__allocation",
    ).get(pk=letter_id)


def letter_html(*, letter: Letter) -> str:
    return render_html(template_for(letter.decision.kind), letter_context(letter=letter))


def letter_filename(letter: Letter) -> str:
    decision = letter.decision
    return f"{decision.application.reference}-{decision_file_name(decision.kind)}-{decision.pk}-v{letter.version}.pdf"


@transaction.atomic
def _claim(letter_id: int, task_id: str) -> bool:
    """Lock the letter and mark it generating. False when it is already done (a rerun is a no-op)."""
    letter = Letter.objects.select_for_update(of=("self",)).get(pk=letter_id)
    if letter.status == LetterStatus.DONE:
        return False
    now = timezone.now()
    Letter.objects.filter(pk=letter_id).update(
        status=LetterStatus.GENERATING,
        attempts=letter.attempts + 1,
        task_id=task_id or letter.task_id,
        updated_at=now,
        claimed_at=now,
    )
    return True


@transaction.atomic
def _store(letter_id: int, pdf: bytes) -> bool:
    """Store the PDF once: under the row lock, a letter someone else finished meanwhile is left alone."""
    letter = Letter.objects.select_for_update(of=("self",)).select_related("decision__application__period").get(pk=letter_id)
    if letter.status == LetterStatus.DONE:
        return False
    name = letter.file.field.generate_filename(letter, letter_filename(letter))
    storage = letter.file.storage
    if storage.exists(name):  # a leftover of an attempt that died before committing: same letter version
        storage.delete(name)
    letter.file.save(letter_filename(letter), ContentFile(pdf), save=False)
    letter.sha256 = hashlib.sha256(pdf).hexdigest()
    letter.status = LetterStatus.DONE
    letter.generated_at = timezone.now()
    letter.error = ""
    letter.save(update_fields=["file", "sha256", "status", "generated_at", "error", "updated_at"])
    # From now on the letter is in the employer's message box: its delivery date (Awb 3:41); the members are
    # mailed once this transaction has committed.
    message_delivered(letter_id=letter_id, at=letter.generated_at)
    # Should the commit fail, the file stays behind under the same name; the next attempt replaces it.
    return True


def letter_generate(*, letter_id: int, task_id: str = "") -> bool:
    """Render and store the PDF of one letter (R26, R28). Idempotent: a done letter is left alone.

    Returns True when this call stored the PDF. Raises on a rendering error (the task retries);
    the letter then goes back to ``pending`` with the error recorded.
    """
    if not _claim(letter_id, task_id):
        logger.info("letter %s already done; nothing to do", letter_id)
        return False
    try:
        letter = _load(letter_id)
        pdf = html_to_pdf(letter_html(letter=letter))
        stored = _store(letter_id, pdf)
    except Exception as exc:
        Letter.objects.filter(pk=letter_id).exclude(status=LetterStatus.DONE).update(
            status=LetterStatus.PENDING, error=f"{type(exc).__name__}"[:500], updated_at=timezone.now()
        )
        raise
    logger.info("letter %s generated", letter_id)
    return stored


def letter_mark_failed(*, letter_id: int, error: str) -> None:
    """After the last retry: the letter is failed; the office page shows it and can regenerate it."""
    Letter.objects.filter(pk=letter_id).exclude(status=LetterStatus.DONE).update(
        status=LetterStatus.FAILED, error=error[:500], updated_at=timezone.now()
    )


def letters_reset_stuck(*, now=None, queue_waiting: int | None = None) -> list[int]:
    """Letters stuck in pending (never enqueued, message lost) or generating (worker lost): set back to pending
    and returned, for the sweeper task to enqueue again.

    A letter ``generating`` whose claim is older than the letter task's hard time limit (plus a margin) lost its
    worker. A ``pending`` letter may just wait its turn in the queue: it is sent again after
    :data:`PENDING_GRACE`, or as soon as the same short grace when the broker's queue is empty
    (``queue_waiting == 0``: its message was lost with the broker)."""
    now = now or timezone.now()
    pending_grace = PENDING_GRACE if queue_waiting is None or queue_waiting > 0 else GENERATING_GRACE
    stuck = list(
        Letter.objects.filter(
            Q(status=LetterStatus.PENDING, updated_at__lt=now - pending_grace)
            | Q(status=LetterStatus.GENERATING, claimed_at__lt=now - GENERATING_GRACE)
            | Q(status=LetterStatus.GENERATING, claimed_at__isnull=True, updated_at__lt=now - GENERATING_GRACE)
        ).values_list("pk", flat=True)[:1000]
    )
    for letter_id in stuck:
        Letter.objects.filter(pk=letter_id).exclude(status=LetterStatus.DONE).update(
            status=LetterStatus.PENDING, updated_at=now
        )
    if stuck:
        logger.warning("letter sweeper resets %d stuck letters", len(stuck))
    return stuck
