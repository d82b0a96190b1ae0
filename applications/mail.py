"""Mail to an employer's members: the one way notifications go out (receipts, completion requests, letters in the
message box, reminders).

One message per member, so no member sees another's address (R40); the mails carry no personal data (the callers
put in only references, dates and links). A failure of the mail server is raised to the caller, which decides
what it means (a reminder is then not recorded; a receipt or letter stays in the portal).
"""

from django.conf import settings
from django.core.mail import send_mass_mail

from .models import Employer, Membership


def member_emails(employer: Employer) -> list[str]:
    """The distinct e-mail addresses of ``employer``'s members (both roles), sorted."""
    return sorted(
        set(Membership.objects.filter(employer=employer).exclude(user__email="").values_list("user__email", flat=True))
    )


def mail_members(*, employer: Employer, subject: str, body: str) -> int:
    """Send ``subject``/``body`` to each member of ``employer`` separately; returns the number of recipients."""
    emails = member_emails(employer)
    if emails:
        send_mass_mail([(subject, body, settings.DEFAULT_FROM_EMAIL, [email]) for email in emails])
    return len(emails)
