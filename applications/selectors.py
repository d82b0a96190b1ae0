"""Permission-filtered reads (R2, R40). Anything outside what these return is a 404 for the caller."""

from django.db.models import QuerySet

from sectorplan.roles import is_office

from .constants import MembershipRole
from .models import Application, Employer


def employers_visible_to(user) -> QuerySet[Employer]:
    if not user or not user.is_authenticated:
        return Employer.objects.none()
    if is_office(user):
        return Employer.objects.all()
    return Employer.objects.filter(memberships__user=user).distinct()


def employers_where_contact(user) -> QuerySet[Employer]:
    if not user or not user.is_authenticated:
        return Employer.objects.none()
    return Employer.objects.filter(memberships__user=user, memberships__role=MembershipRole.CONTACT)


def applications_visible_to(user) -> QuerySet[Application]:
    qs = Application.objects.select_related("employer", "region", "period")
    if not user or not user.is_authenticated:
        return qs.none()
    if is_office(user):
        return qs
    return qs.filter(employer__memberships__user=user).distinct()


def membership_role(user, employer) -> str | None:
    """The user's role at ``employer``, or None when not a member."""
    if not user or not user.is_authenticated:
        return None
    from accounting.models import Membership

    return (
        Membership.objects.filter(user=user, employer=employer).values_list("role", flat=True).first()
    )


def is_contact(user, employer) -> bool:
    return membership_role(user, employer) == MembershipRole.CONTACT
