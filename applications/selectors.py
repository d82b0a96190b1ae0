"""Permission-filtered reads (R2, R40). Anything outside what these return is a 404 for the caller."""

from django.db.models import F, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from budgets import selectors as budget_selectors
from budgets.selectors import MONEY, budget_line_expression
from sectorplan.money import ZERO
from sectorplan.roles import is_office

from .constants import ApplicationStatus, MembershipRole
from .models import Application, Employer, Membership, PlanLine


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


def refused_line_reasons(application_ids) -> dict[int, str]:
    """R15, R27: per application, its plan lines the office did not find (wholly) eligible with the reviewer's
    reason, one line of text each (``C / Bijscholing: 3 van 5 subsidiabel. Reden``). One query."""
    reasons: dict[int, list[str]] = {}
    lines = PlanLine.objects.filter(application_id__in=list(application_ids), eligible_count__lt=F("count")).order_by(
        "application_id", "activity_type", "focus"
    )
    for line in lines:
        text = _("%(activity)s / %(focus)s: %(eligible)s of %(count)s trajectories eligible. %(reason)s") % {
            "activity": line.activity_type, "focus": line.get_focus_display(), "eligible": line.eligible_count,
            "count": line.count, "reason": line.reason,
        }
        reasons.setdefault(line.application_id, []).append(text.strip())
    return {app_id: "\n\n".join(texts) for app_id, texts in reasons.items()}


def membership_role(user, employer) -> str | None:
    """The user's role at ``employer``, or None when not a member."""
    if not user or not user.is_authenticated:
        return None
    return (
        Membership.objects.filter(user=user, employer=employer).values_list("role", flat=True).first()
    )


def is_contact(user, employer) -> bool:
    return membership_role(user, employer) == MembershipRole.CONTACT


def plan_totals(*, periods=None) -> dict[tuple[int, str], dict]:
    """(period id, budget line) -> requested and eligible totals of the applications submitted and not
    withdrawn (R35), in one GROUP BY."""
    apps = Application.objects.exclude(status__in=[ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN])
    if periods is not None:
        apps = apps.filter(period__number__in=list(periods))
    return {
        (row["period_id"], row["line"]): row
        for row in apps.annotate(line=budget_line_expression())
        .values("period_id", "line")
        .annotate(
            requested=Coalesce(Sum("requested_amount"), Value(ZERO), output_field=MONEY),
            eligible=Coalesce(Sum("eligible_amount"), Value(ZERO), output_field=MONEY),
        )
        .order_by()
    }


def budget_table(*, periods=None) -> list[dict]:
    """R35: the budget table per period and budget line (see :func:`budgets.selectors.budget_table`), with the
    applications' requested and eligible totals."""
    return budget_selectors.budget_table(periods=periods, plan_totals=plan_totals(periods=periods))
