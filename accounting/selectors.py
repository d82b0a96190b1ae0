"""Permission-filtered reads for accounts and accountability (R2). Anything outside these is a 404."""

from django.db.models import QuerySet

from applications.constants import ApplicationStatus, MembershipRole
from applications.models import Application, Decision, Employer, Membership
from applications.selectors import applications_visible_to, scope_filter
from sectorplan.roles import is_office

from .models import Invitation, Objection


def member_applications(user) -> QuerySet[Application]:
    """Applications of employers ``user`` is a member of (whatever their office roles)."""
    return Application.objects.filter(employer__memberships__user=user).select_related("employer", "period", "region")


def accountability_visible_to(user) -> QuerySet[Application]:
    """Applications the user may report on or read the report of: members (both roles) and the office."""
    return applications_visible_to(user)


def accountability_due_for(user, *, employers=None) -> QuerySet[Application]:
    """The due list: granted applications of every employer the account serves, soonest deadline first."""
    qs = member_applications(user).filter(status=ApplicationStatus.GRANTED)
    if employers is not None:
        qs = qs.filter(employer__in=employers)
    return qs.select_related("accountability_report").order_by("period__accountability_deadline", "employer__name", "reference")


def employers_user_may_invite_for(user) -> QuerySet[Employer]:
    return Employer.objects.filter(memberships__user=user, memberships__role=MembershipRole.CONTACT).order_by("name")


def membership_of(user, employer) -> Membership | None:
    return Membership.objects.filter(user=user, employer=employer).first()


def invitations_of(employer) -> QuerySet[Invitation]:
    return Invitation.objects.filter(employer=employer).select_related("accepted_by")


def decisions_visible_to(user) -> QuerySet[Decision]:
    return Decision.objects.filter(application__in=applications_visible_to(user)).select_related("application")


def objections_visible_to(user) -> QuerySet[Objection]:
    qs = Objection.objects.select_related("decision__application")
    if is_office(user):
        return scope_filter(qs, user, employer_path="decision__application__employer")  # R4
    return qs.filter(decision__application__employer__memberships__user=user).distinct()
