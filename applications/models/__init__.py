from .applications import Application, ApplicationTransition, PlanLine, Registration, RegistrationTransition
from .decisions import Decision, Letter, Message, MessageRead
from .employers import Employer, Membership, OfficeScope, OfficeScopeChange, OfficeUser
from .lowering import AmendmentRunStatus, LoweringLine, LoweringProposal
from .processing import ProcessingLogEntry
from .receipts import CompletionRequest, Receipt
from .rounds import RevisionChange, RevisionLine, RevisionProposal, RevisionRequest, RevisionRound, RevisionRoundStatus

__all__ = [
    "AmendmentRunStatus",
    "LoweringLine",
    "LoweringProposal",
    "RevisionChange",
    "RevisionLine",
    "RevisionProposal",
    "RevisionRequest",
    "RevisionRound",
    "RevisionRoundStatus",
    "Application",
    "ApplicationTransition",
    "CompletionRequest",
    "Decision",
    "Employer",
    "Letter",
    "Membership",
    "Message",
    "MessageRead",
    "OfficeScope",
    "OfficeScopeChange",
    "OfficeUser",
    "PlanLine",
    "ProcessingLogEntry",
    "Receipt",
    "Registration",
    "RegistrationTransition",
]
