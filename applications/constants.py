from django.db import models
from django.utils.translation import gettext_lazy as _

from budgets.constants import EvidenceKind


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ASSESSED = "assessed", _("Assessed")
    GRANTED = "granted", _("Granted")
    REJECTED = "rejected", _("Rejected")
    NOT_CONSIDERED = "not_considered", _("Not considered")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SETTLED = "settled", _("Settled")
    #: R46: a grant without an approved project agreement at the agreement deadline lapses.
    LAPSED = "lapsed", _("Lapsed")


S = ApplicationStatus

#: The one map of allowed status changes. Every transition goes through a service that checks it and
#: writes a history row (R39); "can it be withdrawn" (R7) is read from it (``rules.can_withdraw``).
#: ``rejected -> granted`` and ``granted -> granted`` are not listed: an upheld objection against a rejection
#: is a new grant decision (R33).
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    # R43: after an expired, uncompleted completion request a decider may decide not to consider it.
    S.SUBMITTED: frozenset({S.ASSESSED, S.WITHDRAWN, S.NOT_CONSIDERED}),
    S.ASSESSED: frozenset({S.GRANTED, S.REJECTED, S.WITHDRAWN, S.SUBMITTED, S.NOT_CONSIDERED}),
    S.GRANTED: frozenset({S.SETTLED, S.LAPSED}),
    S.REJECTED: frozenset({S.GRANTED}),
    S.NOT_CONSIDERED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.SETTLED: frozenset(),
    S.LAPSED: frozenset(),
}


class Focus(models.TextChoices):
    """Training focus (R9), in the order of the ministry's table."""

    NEW_INTAKE = "new_intake", _("New intake")
    REDUNDANCY_RISK = "redundancy_risk", _("Threatened with redundancy")
    UPSKILLING = "upskilling", _("Upskilling")
    PRACTICE_SUPERVISOR = "practice_supervisor", _("Practice supervisor")
    RETENTION = "retention", _("Retention")


class AgeBand(models.TextChoices):
    """Age at the planned start date, in whole years (R10)."""

    UNDER_25 = "<25", _("under 25")
    FROM_25_TO_45 = "25-45", _("25 to 45")
    FROM_45_TO_55 = "45-55", _("45 to 55")
    FROM_55 = "55+", _("55 and over")


class RegistrationStatus(models.TextChoices):
    """A registration's lifecycle (R49): draft → submitted → approved | rejected | repair_requested → submitted …"""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    REPAIR_REQUESTED = "repair_requested", _("Repair requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


R = RegistrationStatus

#: R49: the one map of a registration's allowed status changes (``applications.registrations`` checks it).
#: Approved and rejected are final; progress (R29) on an approved registration is no status change.
REGISTRATION_TRANSITIONS: dict[str, frozenset[str]] = {
    R.DRAFT: frozenset({R.SUBMITTED}),
    R.SUBMITTED: frozenset({R.APPROVED, R.REJECTED, R.REPAIR_REQUESTED}),
    R.REPAIR_REQUESTED: frozenset({R.SUBMITTED, R.REJECTED}),
    R.APPROVED: frozenset(),
    R.REJECTED: frozenset(),
}
#: R47, R49: the statuses in which members may still change a registration's fields and evidence.
REGISTRATION_EDITABLE = frozenset({R.DRAFT, R.REPAIR_REQUESTED})


#: R50: the kinds of evidence (api.md); defined with the period data that requires them per activity type.
DocumentKind = EvidenceKind


class Outcome(models.TextChoices):
    """Accountability: what became of a started trajectory (R29)."""

    COMPLETED = "completed", _("Completed")
    DROPPED_OUT = "dropped_out", _("Dropped out")
    ONGOING = "ongoing", _("Still running")


class DecisionKind(models.TextChoices):
    GRANT = "grant", _("Grant")
    REJECTION = "rejection", _("Rejection")
    NOT_CONSIDERED = "not_considered", _("Not considered")
    HOLDBACK_RELEASE = "holdback_release", _("Release of the held-back part")
    HOLDBACK_FORFEIT = "holdback_forfeit", _("Forfeiture of the held-back part")
    #: R48: an advance paid in a run on approved registrations (v2: never at the grant or a release). The
    #: runs come with the registrations; the kind exists so the ledger check knows where advances belong.
    ADVANCE = "advance", _("Advance")
    SETTLEMENT = "settlement", _("Settlement")
    OBJECTION_RULING = "objection_ruling", _("Ruling on an objection")
    #: R46: the grant lapses (no approved project agreement at the agreement deadline); the whole reservation
    #: returns to available. ``granted_amount`` is the reservation that lapses, ``held_amount`` and
    #: ``released_amount`` its held and released parts.
    LAPSE = "lapse", _("Lapse")
    #: R51, R52: a reservation changed after the grant (lowered to what was registered, or changed in a
    #: redistribution round); ``previous_reserved`` on the decision's amounts, the new reservation booked.
    AMENDMENT = "amendment", _("Amendment")


#: Dutch words for a decision's letter in the names of downloaded files (issue 15: no English file names).
DECISION_FILE_NAMES = {
    DecisionKind.GRANT: "verlening",
    DecisionKind.REJECTION: "afwijzing",
    DecisionKind.NOT_CONSIDERED: "buiten-behandeling",
    DecisionKind.HOLDBACK_RELEASE: "vrijgave-achtergehouden-deel",
    DecisionKind.HOLDBACK_FORFEIT: "vervallen-achtergehouden-deel",
    DecisionKind.ADVANCE: "voorschot",
    DecisionKind.SETTLEMENT: "vaststelling",
    DecisionKind.OBJECTION_RULING: "beslissing-op-bezwaar",
    DecisionKind.LAPSE: "vervallen-verlening",
    DecisionKind.AMENDMENT: "wijziging",
}


def decision_file_name(kind: str) -> str:
    return DECISION_FILE_NAMES.get(kind, "besluit")


class LetterStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    GENERATING = "generating", _("Generating")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class MembershipRole(models.TextChoices):
    CONTACT = "contact", _("Contact")
    ACCOUNTABILITY_OFFICER = "accountability_officer", _("Accountability officer")


class ProcessingAction(models.TextChoices):
    """R54: what an office user did with personal data."""

    READ = "read", _("Read")
    EXPORT = "export", _("Export")


class ProcessingPurpose(models.TextChoices):
    """R54: the task for which personal data was read (the processing's purpose)."""

    ASSESSMENT = "assessment", _("Assessment")
    REVIEW = "review", _("Review of the granted application")
    SETTLEMENT = "settlement", _("Settlement")
    OBJECTION = "objection", _("Objection")
