from django.urls import path

from .api import (
    AdviceView,
    AllocationConfirmView,
    AllocationProposeView,
    ApplicationDecisionsView,
    HoldbackForfeitView,
)

urlpatterns = [
    path("periods/<int:number>/allocations", AllocationProposeView.as_view(), name="allocation-propose"),
    path(
        "periods/<int:number>/allocations/<int:pk>/confirm", AllocationConfirmView.as_view(), name="allocation-confirm"
    ),
    path(
        "periods/<int:number>/holdbacks/<slug:region_code>/forfeit",
        HoldbackForfeitView.as_view(),
        name="holdback-forfeit",
    ),
    path("regions/<slug:code>/advices", AdviceView.as_view(), name="region-advice"),
    path("applications/<int:pk>/decisions", ApplicationDecisionsView.as_view(), name="application-decisions"),
]
