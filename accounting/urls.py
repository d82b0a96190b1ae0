"""Portal pages for accounts, invitations and accountability (issue #6). Mounted at /account/."""

from django.urls import path

from . import agreement_views, landing, settlement_views, views

app_name = "accounting"
urlpatterns = [
    path("", views.due_list, name="due"),
    path("te-doen/", views.todo, name="todo"),
    path("start/", landing.landing_page, name="landing"),
    path("uitnodigen/", views.invite, name="invite"),
    path("uitnodiging/<str:token>/", views.accept, name="accept"),
    path("verantwoording/<int:pk>/", views.report, name="report"),
    path("verantwoording/<int:pk>/upload/", views.report_upload, name="report-upload"),
    path("overeenkomst/<int:pk>/", agreement_views.agreement, name="agreement"),
    path("overeenkomst/<int:pk>/projectovereenkomst.pdf", agreement_views.agreement_pdf, name="agreement-pdf"),
    path(
        "overeenkomst/<int:pk>/documenten/<int:document_id>/",
        agreement_views.agreement_document,
        name="agreement-document",
    ),
    path("kantoor/overeenkomst/<int:pk>/", agreement_views.agreement_review, name="agreement-review"),
    path("kantoor/tijdvak/<int:number>/verval/", agreement_views.lapse, name="lapse"),
    path("kantoor/vaststelling/<int:pk>/", settlement_views.settlement, name="settlement"),
    path("kantoor/tijdvak/<int:number>/steekproef/", settlement_views.sample, name="sample"),
    path("kantoor/bezwaar/<int:pk>/", settlement_views.objection, name="objection"),
    path("kantoor/aanvraag/<int:pk>/bezwaar/", settlement_views.objection_new, name="objection-new"),
]
