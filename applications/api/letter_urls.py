"""Letter download and message box API (R26, R28)."""

from django.urls import path

from .letters import LetterPdfView
from .messages import MessageListView, MessageReadView

urlpatterns = [
    path("letters/<int:pk>/pdf", LetterPdfView.as_view(), name="letter-pdf"),
    path("messages", MessageListView.as_view(), name="messages"),
    path("messages/<int:pk>/read", MessageReadView.as_view(), name="message-read"),
]
