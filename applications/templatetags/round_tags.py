"""R52: the redistribution rounds of an application's period that accept requests today, for the portal."""

from django import template
from django.utils import timezone

from ..constants import ApplicationStatus
from ..models import RevisionRound, RevisionRoundStatus

register = template.Library()


@register.simple_tag
def open_revision_rounds(application):
    """Open rounds of ``application``'s period whose window has opened (the page shows each round's window)."""
    if application.status != ApplicationStatus.GRANTED:
        return []
    return list(
        RevisionRound.objects.filter(
            period_id=application.period_id, status=RevisionRoundStatus.OPEN, opens__lte=timezone.localdate()
        ).order_by("opens")
    )
