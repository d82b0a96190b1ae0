"""Permission-filtered reads (R2, R40). Anything outside what these return is a 404 for the caller."""

from django.db.models import F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from budgets import selectors as budget_selectors
from budgets.selectors import MONEY, budget_line_expression
from sectorplan.money import ZERO
from sectorplan.roles import is_office

from .constants import ApplicationStatus, DecisionKind, MembershipRole
from .models import Application, Decision, Employer, Membership, OfficeScope, PlanLine


def office_scope(user) -> list[int] | None:
    """R4: the ids of the regional employer organisations an office user is scoped to, or None when the user
    serves all regions (no scope rows). One small query, not cached: a scope edited by staff counts at once."""
    ids = sorted(OfficeScope.objects.filter(user=user).values_list("employer_organisation_id", flat=True))
    return ids or None


def office_scope_codes(user) -> list[str]:
    """The codes of the organisations ``user`` is scoped to (empty: all regions)."""
    return list(
        OfficeScope.objects.filter(user=user)
        .order_by("employer_organisation__code")
        .values_list("employer_organisation__code", flat=True)
    )


def scope_filter(qs: QuerySet, user, *, employer_path: str) -> QuerySet:
    """``qs`` limited to the employers whose region belongs to one of the user's organisations (R4);
    unchanged for an unscoped office user. ``employer_path`` is the lookup from ``qs``'s model to the
    employer (``""`` for employers themselves)."""
    scope = office_scope(user)
    if scope is None:
        return qs
    prefix = f"{employer_path}__" if employer_path else ""
    return qs.filter(**{f"{prefix}region__employer_organisation_id__in": scope})


def serves_all_regions(user) -> bool:
    """R4: whether an office user is unscoped (serves every region, the shared service centre). Period-wide
    decisions (confirming an allocation) act on every region's employers, so only such users take them."""
    return office_scope(user) is None


def region_in_scope(user, region) -> bool:
    scope = office_scope(user)
    return scope is None or region.employer_organisation_id in scope


def visible_allocation_summary(summary: dict, user) -> dict:
    """An allocation summary (``budgets.selectors.allocation_summary``) with only the applications ``user``
    may see (R4); the per-line totals stay (they are the period's figures, not an employer's)."""
    if serves_all_regions(user):
        return summary
    ids = {row["id"] for row in summary["applications"]}
    visible = set(applications_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    return {**summary, "applications": [row for row in summary["applications"] if row["id"] in visible]}


def employers_visible_to(user) -> QuerySet[Employer]:
    """Members see their employers (R2); the office all, or its regions' when scoped (R4)."""
    if not user or not user.is_authenticated:
        return Employer.objects.none()
    if is_office(user):
        return scope_filter(Employer.objects.all(), user, employer_path="")
    return Employer.objects.filter(memberships__user=user).distinct()


def applications_visible_to(user) -> QuerySet[Application]:
    """Applications of the member's employers (R2); the office all, or its regions' employers' when scoped (R4:
    the employer's region decides, through its regional employer organisation)."""
    qs = Application.objects.select_related("employer", "region", "period")
    if not user or not user.is_authenticated:
        return qs.none()
    if is_office(user):
        return scope_filter(qs, user, employer_path="employer")
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
    """(period id, budget line) -> the applications' side of R35: ``requested`` and ``eligible`` of the
    applications submitted and not withdrawn, ``reserved_at_allocation`` (the grants of the allocation) and
    ``lapsed`` (the reservations that lapsed, R46). Two GROUP BYs."""
    apps = Application.objects.exclude(status__in=[ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN])
    decisions = Decision.objects.all()
    if periods is not None:
        apps = apps.filter(period__number__in=list(periods))
        decisions = decisions.filter(application__period__number__in=list(periods))
    totals = {
        (row["period_id"], row["line"]): row
        for row in apps.annotate(line=budget_line_expression())
        .values("period_id", "line")
        .annotate(
            requested=Coalesce(Sum("requested_amount"), Value(ZERO), output_field=MONEY),
            eligible=Coalesce(Sum("eligible_amount"), Value(ZERO), output_field=MONEY),
        )
        .order_by()
    }
    for row in (
        decisions.filter(kind__in=[DecisionKind.GRANT, DecisionKind.LAPSE])
        .annotate(line=budget_line_expression("application__"))
        .values("application__period_id", "line")
        .annotate(
            reserved_at_allocation=Coalesce(
                Sum("granted_amount", filter=Q(kind=DecisionKind.GRANT, allocation__isnull=False)),
                Value(ZERO), output_field=MONEY,
            ),
            lapsed=Coalesce(Sum("granted_amount", filter=Q(kind=DecisionKind.LAPSE)), Value(ZERO), output_field=MONEY),
        )
        .order_by()
    ):
        key = (row["application__period_id"], row["line"])
        totals.setdefault(key, {}).update(reserved_at_allocation=row["reserved_at_allocation"], lapsed=row["lapsed"])
    return totals


def budget_table(*, periods=None) -> list[dict]:
    """R35: the budget table per period and budget line (see :func:`budgets.selectors.budget_table`), with the
    applications' requested and eligible totals."""
    return budget_selectors.budget_table(periods=periods, plan_totals=plan_totals(periods=periods))
