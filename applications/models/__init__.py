from .advances import AdvanceRun, AdvanceRunLine, AdvanceRunStatus, PaymentBatch
from .applications import (
    Application,
    ApplicationTransition,
    PlanLine,
    Registration,
    RegistrationDocument,
    RegistrationTransition,
)
from .decisions import Decision, Letter, Message, MessageRead
from .employers import Employer, Membership, OfficeScope, OfficeScopeChange, OfficeUser
from .imports import ImportJob, ImportKind, ImportStatus
from .lowering import AmendmentRunStatus, LoweringLine, LoweringProposal
from .processing import ProcessingLogEntry
from .receipts import CompletionRequest, Receipt
from .rounds import RevisionChange, RevisionLine, RevisionProposal, RevisionRequest, RevisionRound, RevisionRoundStatus
from .samples import SampleCheck, SampleDraw, SampleOutcome

__all__ = [
    "AdvanceRun",
    "AdvanceRunLine",
    "AdvanceRunStatus",
    "AmendmentRunStatus",
    "Application",
    "ApplicationTransition",
    "CompletionRequest",
    "Decision",
    "Employer",
    "ImportJob",
    "ImportKind",
    "ImportStatus",
    "Letter",
    "LoweringLine",
    "LoweringProposal",
    "Membership",
    "Message",
    "MessageRead",
    "OfficeScope",
    "OfficeScopeChange",
    "OfficeUser",
    "PaymentBatch",
    "PlanLine",
    "ProcessingLogEntry",
    "Receipt",
    "Registration",
    "RegistrationDocument",
    "RegistrationTransition",
    "RevisionChange",
    "RevisionLine",
    "RevisionProposal",
    "RevisionRequest",
    "RevisionRound",
    "RevisionRoundStatus",
    "SampleCheck",
    "SampleDraw",
    "SampleOutcome",
]
