from django.urls import path

from . import agreements, views

urlpatterns = [
    path("applications/<int:pk>/agreement", agreements.AgreementView.as_view(), name="application-agreement"),
    path("applications/<int:pk>/agreement/pdf", agreements.AgreementPdfView.as_view(), name="application-agreement-pdf"),
    path(
        "applications/<int:pk>/agreement/documents",
        agreements.AgreementDocumentsView.as_view(),
        name="application-agreement-documents",
    ),
    path(
        "applications/<int:pk>/agreement/review",
        agreements.AgreementReviewView.as_view(),
        name="application-agreement-review",
    ),
    path("periods/<int:number>/lapses", agreements.LapseView.as_view(), name="period-lapses"),
    path("applications/<int:pk>/accountability", views.AccountabilityView.as_view(), name="application-accountability"),
    path(
        "applications/<int:pk>/accountability/reopen",
        views.AccountabilityReopenView.as_view(),
        name="application-accountability-reopen",
    ),
    path("applications/<int:pk>/settle", views.SettleView.as_view(), name="application-settle"),
    path("employers/<int:pk>/invitations", views.InvitationCreateView.as_view(), name="employer-invitations"),
    path("invitations/accept", views.InvitationAcceptView.as_view(), name="invitation-accept"),
    path("decisions/<int:pk>/objections", views.ObjectionCreateView.as_view(), name="decision-objections"),
    path("objections/<int:pk>", views.ObjectionDetailView.as_view(), name="objection-detail"),
    path("objections/<int:pk>/ruling", views.ObjectionRulingView.as_view(), name="objection-ruling"),
    path("objections/<int:pk>/hearing", views.ObjectionHearingView.as_view(), name="objection-hearing"),
    path("objections/<int:pk>/adjournment", views.ObjectionAdjournmentView.as_view(), name="objection-adjournment"),
    path("periods/<int:number>/samples", views.SampleDrawView.as_view(), name="period-samples"),
    path("samples/<int:pk>/checks", views.SampleCheckView.as_view(), name="sample-checks"),
]
