"""Letter generation (R26-R28): the context of a letter, its HTML and PDF, and the one service
that turns a pending letter into a stored PDF exactly once.

The Celery task (``applications.decisions.tasks.generate_letter``) only calls :func:`letter_generate`.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from budgets.constants import ActivityType
from sectorplan.money import ZERO, round_half_up

from ..constants import AgeBand, DecisionKind, Focus, LetterStatus, RegistrationStatus
from ..models import Decision, Letter, Registration
from ..pdf import html_to_pdf, render_html
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

#: Dutch labels for the letter (the letters are Dutch legal text; see README).
FOCUS_NL = {
    Focus.NEW_INTAKE: "Nieuwe instroom",
    Focus.REDUNDANCY_RISK: "Ontslag bedreigd",
    Focus.UPSKILLING: "Opscholing",
    Focus.PRACTICE_SUPERVISOR: "Praktijkbegeleiders",
    Focus.RETENTION: "Behoud",
}
AGE_BAND_NL = {
    AgeBand.UNDER_25: "jonger dan 25",
    AgeBand.FROM_25_TO_45: "25 tot 45",
    AgeBand.FROM_45_TO_55: "45 tot 55",
    AgeBand.FROM_55: "55 en ouder",
}
SUBJECTS = {
    DecisionKind.GRANT: "Verlening subsidie Sectorplan plus, tijdvak {period}",
    DecisionKind.REJECTION: "Afwijzing aanvraag subsidie Sectorplan plus, tijdvak {period}",
    DecisionKind.NOT_CONSIDERED: "Buiten behandeling stellen aanvraag subsidie Sectorplan plus, tijdvak {period}",
    DecisionKind.HOLDBACK_RELEASE: "Vrijgave aangehouden deel subsidie Sectorplan plus, tijdvak {period}",
    DecisionKind.HOLDBACK_FORFEIT: "Vervallen aangehouden deel subsidie Sectorplan plus, tijdvak {period}",
    DecisionKind.ADVANCE: "Voorschot subsidie Sectorplan plus, tijdvak {period}",
    DecisionKind.SETTLEMENT: "Vaststelling subsidie Sectorplan plus, tijdvak {period}",
    DecisionKind.OBJECTION_RULING: "Beslissing op bezwaar, subsidie Sectorplan plus, tijdvak {period}",
    DecisionKind.LAPSE: "Vervallen subsidieverlening Sectorplan plus, tijdvak {period}",
    DecisionKind.AMENDMENT: "Wijziging subsidiereservering Sectorplan plus, tijdvak {period}",
}

#: A letter still pending after this long was never enqueued or its message was lost (sweeper).
PENDING_GRACE = timedelta(minutes=10)
#: A letter "generating" for longer than the task's hard time limit plus a margin lost its worker.
GENERATING_GRACE = timedelta(seconds=getattr(settings, "CELERY_TASK_TIME_LIMIT", 180) + 120)


def template_for(kind: str) -> str:
    return f"letters/{DecisionKind(kind).value}.html"


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
        rows.append({"label": FOCUS_NL[focus], "counts": counts, "count": sum(counts), "amount": amount})
        totals["counts"] = [a + b for a, b in zip(totals["counts"], counts, strict=True)]
        totals["count"] += sum(counts)
        totals["amount"] += amount
    return {"bands": [AGE_BAND_NL[b] for b in bands], "rows": rows, "totals": totals}


def plan_table(*, application) -> dict | None:
    """The plan lines (R8) with what the assessment found eligible (R15), as the grant, rejection and
    not-considered letters list them; None for an application without plan lines (a v1 application)."""
    lines = list(application.plan_lines.order_by("activity_type", "focus"))
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
            "activity": ActivityType(line.activity_type).label,
            "focus": FOCUS_NL.get(line.focus, line.focus),
            "count": line.count,
            "eligible_count": line.eligible_count,
            "amount_per_trajectory": line.amount_per_trajectory,
            "eligible_amount": eligible_amount,
            "reason": line.reason,
        })
    return {
        "lines": rows,
        "count": sum(r["count"] for r in rows),
        "eligible_count": sum(r["eligible_count"] or 0 for r in rows),
        "eligible_amount": sum((r["eligible_amount"] or ZERO for r in rows), ZERO),
        "refused": [r for r in rows if r["eligible_count"] is not None and r["eligible_count"] < r["count"]],
    }


def letter_context(*, letter: Letter) -> dict:
    decision = letter.decision
    application = decision.application
    period = application.period
    employer = application.employer
    previous = None
    if letter.version > 1:
        previous = (
            Letter.objects.filter(decision=decision, version__lt=letter.version).order_by("-version").first()
        )
    unconditional = round_half_up(decision.granted_amount - decision.held_amount)
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
    return {
        "letter": letter,
        "decision": decision,
        "application": application,
        "employer": employer,
        "period": period,
        "region": application.region,
        "reference": application.reference,
        "subject": SUBJECTS[DecisionKind(decision.kind)].format(period=period.number),
        "office": office(),
        "table": registration_table(decision=decision),
        "plan": plan_table(application=application),
        "unconditional_amount": unconditional,
        "advances_paid": advances_paid,
        "application_cap": application_cap,
        "capped": capped_eligible is not None and eligible is not None and capped_eligible < eligible,
        "oversubscribed": capped_eligible is not None and decision.granted_amount < capped_eligible,
        "allocation_method": allocation.method if allocation else None,
        "deadlines": dict(period.deadline_calendar()),
        "rejected_count": rejected_count,
        "reasons": [p.strip() for p in decision.reasons.split("\n\n") if p.strip()],
        "previous": previous,
        "is_production": settings.ENVIRONMENT == "production",
        "objection_weeks": 6,
        "is_reclaim": decision.payment_amount is not None and decision.payment_amount < 0,
        "payment_abs": abs(decision.payment_amount) if decision.payment_amount is not None else None,
    }


def _load(letter_id: int) -> Letter:
    return Letter.objects.select_related(
        "decision__application__period", "decision__application__employer", "decision__application__region",
        "decision__supersedes", "decision__allocation",
    ).get(pk=letter_id)


def letter_html(*, letter: Letter) -> str:
    return render_html(template_for(letter.decision.kind), letter_context(letter=letter))


def letter_filename(letter: Letter) -> str:
    decision = letter.decision
    return f"{decision.application.reference}-{decision.kind}-{decision.pk}-v{letter.version}.pdf"


@transaction.atomic
def _claim(letter_id: int, task_id: str) -> bool:
    """Lock the letter and mark it generating. False when it is already done (a rerun is a no-op)."""
    letter = Letter.objects.select_for_update(of=("self",)).get(pk=letter_id)
    if letter.status == LetterStatus.DONE:
        return False
    Letter.objects.filter(pk=letter_id).update(
        status=LetterStatus.GENERATING,
        attempts=letter.attempts + 1,
        task_id=task_id or letter.task_id,
        updated_at=timezone.now(),
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


def letters_reset_stuck(*, now=None) -> list[int]:
    """Letters stuck in pending (never enqueued, message lost) or generating (worker lost): set back to pending
    and returned, for the sweeper task to enqueue again."""
    now = now or timezone.now()
    stuck = list(
        Letter.objects.filter(
            Q(status=LetterStatus.PENDING, updated_at__lt=now - PENDING_GRACE)
            | Q(status=LetterStatus.GENERATING, updated_at__lt=now - GENERATING_GRACE)
        ).values_list("pk", flat=True)[:1000]
    )
    for letter_id in stuck:
        Letter.objects.filter(pk=letter_id).exclude(status=LetterStatus.DONE).update(
            status=LetterStatus.PENDING, updated_at=now
        )
    if stuck:
        logger.warning("letter sweeper resets %d stuck letters", len(stuck))
    return stuck
