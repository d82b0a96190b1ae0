"""The members' message box (mounted under ``/berichten/``, R26)."""

from django.urls import path

from . import letter_views

app_name = "inbox"
urlpatterns = [
    path("", letter_views.message_list, name="list"),
    path("<int:pk>/openen/", letter_views.message_open, name="open"),
]
