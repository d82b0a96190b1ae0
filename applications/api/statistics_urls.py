"""The ministry's tables (statistics issue #7): R34-R37."""

from django.urls import path

from .statistics import (
    BudgetStatisticsView,
    HoldbackStatisticsView,
    PlannedStatisticsView,
    RegistrationStatisticsView,
)

urlpatterns = [
    path("statistics/trajectories", RegistrationStatisticsView.as_view(), name="statistics-trajectories"),
    path("statistics/planned", PlannedStatisticsView.as_view(), name="statistics-planned"),
    path("statistics/budgets", BudgetStatisticsView.as_view(), name="statistics-budgets"),
    path("statistics/holdbacks", HoldbackStatisticsView.as_view(), name="statistics-holdbacks"),
]
