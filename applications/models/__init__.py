from .applications import Application, ApplicationTransition, Participant, PlanLine
from .decisions import Decision, Letter, Message, MessageRead
from .employers import Employer, Membership, OfficeScope, OfficeScopeChange, OfficeUser
from .imports import ImportJob, ImportKind, ImportStatus
from .processing import ProcessingLogEntry
from .receipts import CompletionRequest, Receipt

__all__ = [
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
    "Participant",
    "PlanLine",
    "ProcessingLogEntry",
    "Receipt",
]
