"""Letter download API (R28)."""

from django.urls import path

from .letters import LetterPdfView

urlpatterns = [
    path("letters/<int:pk>/pdf", LetterPdfView.as_view(), name="letter-pdf"),
]
