"""Celery's autodiscovery looks for ``<app>.tasks``: the letter tasks live with the decisions."""

from .decisions import tasks as decision_tasks  # noqa: F401 - registers the tasks

__all__ = ["decision_tasks"]
