"""Portal page of redistribution rounds (R52): a contact files a request for a granted application."""

from django.urls import path

from . import round_views

app_name = "rounds"
urlpatterns = [
    path("<int:pk>/aanvraag/<int:application_id>/", round_views.revision_request_page, name="request"),
]
