"""The employer portal and the office's queue and review pages, mounted at "/"."""

from django.urls import path

from . import registration_queue, registration_review, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("werkgever/", views.choose_employer, name="choose_employer"),
    path("aanvragen/", views.application_list, name="application_list"),
    path("aanvragen/nieuw/", views.application_create, name="application_create"),
    path("aanvragen/<int:pk>/", views.application_detail, name="application_detail"),
    path("aanvragen/<int:pk>/plan/", views.plan_edit, name="plan_edit"),
    path("aanvragen/<int:pk>/plan/importeren/", views.plan_import, name="plan_import"),
    path("aanvragen/<int:pk>/registraties/nieuw/", views.registration_add, name="registration_add"),
    path("aanvragen/<int:pk>/registraties/importeren/", views.registration_import, name="registration_import"),
    path(
        "aanvragen/<int:pk>/registraties/<int:registration_pk>/wijzigen/", views.registration_edit, name="registration_edit"
    ),
    path(
        "aanvragen/<int:pk>/registraties/<int:registration_pk>/verwijderen/",
        views.registration_delete,
        name="registration_delete",
    ),
    path("aanvragen/<int:pk>/registraties/<int:registration_pk>/", views.registration_detail, name="registration_detail"),
    path("aanvragen/<int:pk>/registraties/<int:registration_pk>/documenten/", views.registration_document_upload,
         name="registration_document_upload"),
    path("aanvragen/<int:pk>/registraties/<int:registration_pk>/documenten/<int:document_pk>/",
         views.registration_document_download, name="registration_document_download"),
    path("aanvragen/<int:pk>/registraties/<int:registration_pk>/indienen/", views.registration_submit,
         name="registration_submit"),
    path("aanvragen/<int:pk>/registraties/<int:registration_pk>/voortgang/", views.registration_progress,
         name="registration_progress"),
    path("importen/<int:pk>/", views.import_status, name="import_status"),
    path("aanvragen/<int:pk>/indienen/", views.application_submit, name="application_submit"),
    path("aanvragen/<int:pk>/intrekken/", views.application_withdraw, name="application_withdraw"),
    path("aanvragen/<int:pk>/ontvangstbevestiging.pdf", views.receipt_download, name="receipt_download"),
    path("aanvragen/<int:pk>/aanvullen/", views.application_complete, name="application_complete"),
    path("kantoor/aanvragen/", views.office_queue, name="office_queue"),
    path("kantoor/registraties/", registration_queue.registration_queue, name="registration_queue"),
    path("kantoor/registraties/goedkeuren/", registration_review.registration_bulk_approve,
         name="registration_bulk_approve"),
    path("kantoor/registraties/<int:pk>/", registration_review.registration_review, name="registration_review"),
    path("kantoor/registraties/<int:pk>/documenten/<int:document_pk>/",
         registration_review.registration_review_document, name="registration_review_document"),
    path("kantoor/aanvragen/<int:pk>/", views.office_review, name="office_review"),
    path("kantoor/aanvragen/<int:pk>/aanvulling/", views.office_completion_request, name="office_completion_request"),
    path(
        "kantoor/aanvragen/<int:pk>/buiten-behandeling/", views.office_not_considered, name="office_not_considered"
    ),
]
