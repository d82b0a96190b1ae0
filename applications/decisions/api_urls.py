from django.urls import path

from . import amend_api
from .advance_api import AdvanceRunConfirmView, AdvanceRunProposeView, AdvanceRunView, PaymentBatchSepaView
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
    path("periods/<int:number>/advance-runs", AdvanceRunProposeView.as_view(), name="advance-run-propose"),
    path("advance-runs/<int:pk>", AdvanceRunView.as_view(), name="advance-run"),
    path("advance-runs/<int:pk>/confirm", AdvanceRunConfirmView.as_view(), name="advance-run-confirm"),
    path("payment-batches/<int:pk>/sepa", PaymentBatchSepaView.as_view(), name="payment-batch-sepa"),
    path("applications/<int:pk>/decisions", ApplicationDecisionsView.as_view(), name="application-decisions"),
    # R51: lowering (a proposal, then the decider's confirmation); R52: redistribution rounds.
    path("periods/<int:number>/lowering-proposals", amend_api.LoweringProposalView.as_view(), name="lowering-proposals"),
    path("periods/<int:number>/lowerings", amend_api.LoweringConfirmView.as_view(), name="lowerings"),
    path("periods/<int:number>/revision-rounds", amend_api.RoundOpenView.as_view(), name="revision-rounds"),
    path("revision-rounds/<int:pk>/requests", amend_api.RoundRequestView.as_view(), name="revision-round-requests"),
    path("revision-rounds/<int:pk>/proposal", amend_api.RoundProposalView.as_view(), name="revision-round-proposal"),
    path("revision-rounds/<int:pk>/confirm", amend_api.RoundConfirmView.as_view(), name="revision-round-confirm"),
]
