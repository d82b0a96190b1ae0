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
from .processing import ProcessingLogEntry
from .receipts import CompletionRequest, Receipt
from .samples import SampleCheck, SampleDraw, SampleOutcome

__all__ = [
    "AdvanceRun",
    "AdvanceRunLine",
    "AdvanceRunStatus",
    "Application",
    "ApplicationTransition",
    "CompletionRequest",
    "Decision",
    "Employer",
    "ImportJob",
    "ImportKind",
    "ImportStatus",
    "Letter",
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
    "SampleCheck",
    "SampleDraw",
    "SampleOutcome",
]
