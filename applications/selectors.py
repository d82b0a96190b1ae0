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


def _decision_sum(field: str, kinds: list[str], *, initial_only: bool = False):
    from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
    from django.db.models.functions import Coalesce

    from .models import Decision

    decisions = Decision.objects.filter(application=OuterRef("pk"), kind__in=kinds)
    if initial_only:
        decisions = decisions.filter(superseded_by__isnull=True)
    total = decisions.order_by().values("application").annotate(t=Sum(field)).values("t")
    money = DecimalField(max_digits=14, decimal_places=2)
    return Coalesce(Subquery(total, output_field=money), Value(0, output_field=money), output_field=money)


def with_amounts(qs: QuerySet[Application]) -> QuerySet[Application]:
    """Annotate ``granted_amount`` and ``held_amount`` from the application's decisions.

    granted = grants (not superseded) minus forfeited held-back parts;
    held = held-back parts of those grants minus what was released or forfeited (R22-R24).
    """
    from django.db.models import Count, F

    from .constants import DecisionKind

    grants = [DecisionKind.GRANT]
    return qs.annotate(
        _granted=_decision_sum("granted_amount", grants, initial_only=True),
        _held=_decision_sum("held_amount", grants, initial_only=True),
        _released=_decision_sum("released_amount", [DecisionKind.HOLDBACK_RELEASE]),
        _forfeited=_decision_sum("forfeited_amount", [DecisionKind.HOLDBACK_FORFEIT]),
        participant_count=Count("participants", distinct=True),
    ).annotate(
        granted_amount=F("_granted") - F("_forfeited"),
        held_amount=F("_held") - F("_released") - F("_forfeited"),
    )
