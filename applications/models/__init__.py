from .applications import Application, ApplicationTransition, Participant, PlanLine
from .decisions import Decision, Letter
from .employers import Employer, Membership

__all__ = ["Application", "ApplicationTransition", "Decision", "Employer", "Letter", "Membership", "Participant", "PlanLine"]
