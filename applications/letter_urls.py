"""Portal and office pages for letters (mounted under ``/brieven/``)."""

from django.urls import path

from . import letter_views

app_name = "letters"
urlpatterns = [
    path("<int:pk>/pdf/", letter_views.letter_download, name="download"),
    path("kantoor/tijdvak/<int:number>/", letter_views.period_letters, name="period"),
    path("kantoor/<int:pk>/opnieuw/", letter_views.regenerate, name="regenerate"),
]
