from django.db import models
from django.utils.translation import gettext_lazy as _


class Earmark(models.TextChoices):
    """An employer's sector, and the earmark a budget line is reserved for."""

    NURSING_HOME = "nursing_home", _("Nursing-home care")
    OTHER = "other", _("Other sectors")


POOLED = "pooled"


class BudgetLineEarmark(models.TextChoices):
    """A period's ceiling is split over the earmarks, or pooled in one line."""

    NURSING_HOME = "nursing_home", _("Nursing-home care")
    OTHER = "other", _("Other sectors")
    POOLED = POOLED, _("Pooled")


class ActivityType(models.TextChoices):
    A = "A", _("A: mbo work-based learning (BBL)")
    B = "B", _("B: hbo dual programme")
    C = "C", _("C: other vocational or long training (128 h or more)")
    D = "D", _("D: training of 40 to 128 hours")
    E = "E", _("E: training of 3 to 40 hours")


class EvidenceKind(models.TextChoices):
    """R50: the kinds of evidence a registration may carry (api.md). Which are required is period data: an
    activity rate's ``required_documents`` (domain.md §3)."""

    LEARNING_AGREEMENT = "learning_agreement", _("Learning agreement (BPVO)")
    PAYSLIP = "payslip", _("Payslip")
    INVOICE = "invoice", _("Invoice")
    PROOF_OF_PAYMENT = "proof_of_payment", _("Proof of payment")
    PARTICIPANT_STATEMENT = "participant_statement", _("Participant statement")
    ATTENDANCE_LIST = "attendance_list", _("Attendance list")
    COMPLETION_STATEMENT = "completion_statement", _("Completion statement")


#: Dutch words for evidence in the names of downloaded files (issue 15: no English file names).
EVIDENCE_FILE_NAMES = {
    EvidenceKind.LEARNING_AGREEMENT: "bpvo",
    EvidenceKind.PAYSLIP: "loonstrook",
    EvidenceKind.INVOICE: "factuur",
    EvidenceKind.PROOF_OF_PAYMENT: "betaalbewijs",
    EvidenceKind.PARTICIPANT_STATEMENT: "deelnemersverklaring",
    EvidenceKind.ATTENDANCE_LIST: "presentielijst",
    EvidenceKind.COMPLETION_STATEMENT: "verklaring-afronding",
}


def evidence_file_name(kind: str) -> str:
    return EVIDENCE_FILE_NAMES.get(kind, "bewijsstuk")


#: R31, R14: a small application's registrations need this instead of cost evidence.
SMALL_APPLICATION_EVIDENCE = EvidenceKind.COMPLETION_STATEMENT
#: The cost evidence a small application's registrations do without (R31).
COST_EVIDENCE = frozenset({EvidenceKind.INVOICE, EvidenceKind.PROOF_OF_PAYMENT})


class RateMethod(models.TextChoices):
    FIXED = "fixed", _("Fixed amount")
    ACTUAL_COST = "actual_cost", _("Actual cost, capped")


class AllocationMethod(models.TextChoices):
    """R16: how a period's budget is divided when the eligible amounts do not all fit."""

    PRO_RATA = "pro_rata", _("Pro rata (floor first, then in proportion)")
    FIRST_COME = "first_come", _("First come, first served (by receipt time)")


class DeadlineKind(models.TextChoices):
    """R53: the deadlines of a period's calendar, in the order they fall."""

    AGREEMENT = "agreement", _("Project agreement")
    REGISTRATION = "registration", _("Registration")
    REPAIR = "repair", _("Last repair")
    ACCOUNTABILITY = "accountability", _("Accountability")
    #: R52, R53: the window of the period's latest redistribution round closes (requests until this date).
    REVISION_ROUND = "revision_round", _("Redistribution round closes")


class AdviceOutcome(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    NEGATIVE = "negative", _("Negative")


class LedgerKind(models.TextChoices):
    """Money movements of R25. Amounts are never negative; the kind gives the direction."""

    COMMITMENT = "commitment", _("Commitment (granted unconditionally)")
    #: An upheld objection that lowers a grant (R33) gives unconditional money back to the budget as available.
    DECOMMITMENT = "decommitment", _("Decommitment (grant lowered)")
    HOLD = "hold", _("Held back")
    RELEASE = "release", _("Released")
    FORFEIT = "forfeit", _("Forfeited")
    ADVANCE = "advance", _("Advance paid")
    SETTLEMENT = "settlement", _("Settlement")
    #: A settlement replaced after an upheld objection (R30, R33): the new settlement decision reverses the
    #: old settlement's amount with this entry and books its own amount as ``settlement``.
    SETTLEMENT_REVERSAL = "settlement_reversal", _("Settlement reversed (replaced on objection)")
    RECLAIM = "reclaim", _("Reclaim")
    #: R46: a lapsed grant's held part returns to available (not "forfeited": that is R24's own state).
    HOLD_LAPSE = "hold_lapse", _("Held part lapsed")
    #: R46: a lapsed grant's released part returns to available.
    RELEASE_LAPSE = "release_lapse", _("Released part lapsed")
    #: R51, R52: a reservation lowered (by the office after the registration deadline, or by a decrease announced
    #: in a redistribution round): its unconditional, held and released parts return to available.
    LOWERING = "lowering", _("Reservation lowered (unconditional part)")
    HOLD_LOWERING = "hold_lowering", _("Reservation lowered (held part)")
    RELEASE_LOWERING = "release_lowering", _("Reservation lowered (released part)")
    #: R52: available money committed again by a redistribution round, unconditionally or held back (R22).
    REDISTRIBUTION = "redistribution", _("Redistributed (unconditional)")
    REDISTRIBUTION_HOLD = "redistribution_hold", _("Redistributed (held back)")


class ReferenceChangeAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
