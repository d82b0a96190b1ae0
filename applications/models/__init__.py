from .applications import Application, ApplicationTransition, Participant
from .decisions import Decision, Letter
from .employers import Employer

__all__ = ["Application", "ApplicationTransition", "Decision", "Employer", "Letter", "Participant"]
