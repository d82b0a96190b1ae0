from .advances import AdvanceRun, AdvanceRunLine, AdvanceRunStatus, PaymentBatch
from .applications import Application, ApplicationTransition, PlanLine, Registration, RegistrationTransition
from .decisions import Decision, Letter, Message, MessageRead
from .employers import Employer, Membership, OfficeScope, OfficeScopeChange, OfficeUser
from .processing import ProcessingLogEntry
from .receipts import CompletionRequest, Receipt

__all__ = [
    "AdvanceRun",
    "AdvanceRunLine",
    "AdvanceRunStatus",
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
    "PaymentBatch",
    "PlanLine",
    "ProcessingLogEntry",
    "Receipt",
    "Registration",
    "RegistrationTransition",
]
