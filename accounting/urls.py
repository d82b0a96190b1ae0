"""Portal pages for accounts, invitations and accountability (issue #6). Mounted at /account/."""

from django.urls import path

from . import views

app_name = "accounting"
urlpatterns = [
    path("", views.due_list, name="due"),
    path("uitnodigen/", views.invite, name="invite"),
    path("uitnodiging/<str:token>/", views.accept, name="accept"),
    path("verantwoording/<int:pk>/", views.report, name="report"),
    path("verantwoording/<int:pk>/upload/", views.report_upload, name="report-upload"),
]
