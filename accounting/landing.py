"""Issue 15 item 1: the landing page of the office, the Commission and the ministry: what needs doing.

Members (employer accounts) have their own to-do list (``accounting.todo``); everyone else used to land on "your
account is not linked to an employer". This page lists, per role:

- the reviewer (``Action.ASSESS``): plans awaiting assessment per period (with how many decision terms are overdue or
  due within ``terms.WARN_DAYS``), registrations awaiting review per period, project agreements to review, and the
  nearest decision terms;
- the decider (``Action.CONFIRM_ALLOCATION``): proposals to confirm (allocations, advance runs, lowerings, rounds;
  a proposal the decider made is shown as waiting for another decider, four-eyes), periods whose grants are due to
  lapse (R46: agreement deadline passed, granted applications without an approved agreement), objections awaiting a
  ruling with their Awb 7:10 due date;
- the Commission (``Action.RECORD_ADVICE``): per holdback period, the regions without a positive advice;
- the ministry (``Action.READ_STATISTICS``): the statistics tables as JSON and CSV.

It lives in ``accounting`` (the top layer) because it reads project agreements and objections as well as
applications and budgets. Read-only; every count is aggregated in the database (``values().annotate()``), one
query per kind, scoped to the office user's regions (R4) where the kind belongs to an employer.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from applications.constants import ApplicationStatus, RegistrationStatus
from applications.models import AdvanceRun, AdvanceRunStatus, Registration
from applications.models.lowering import AmendmentRunStatus, LoweringProposal
from applications.models.rounds import RevisionProposal
from applications.selectors import applications_visible_to
from applications.terms import WARN_DAYS
from budgets.constants import DeadlineKind
from budgets.models import Allocation, AllocationStatus, Period
from budgets.selectors import deadline_for, deadline_passed, holdback_table
from sectorplan.roles import Action, may

from .models import AgreementStatus, Objection, ObjectionStatus, ProjectAgreement

#: How many individual rows (agreements, terms, objections) each list shows; the counts are always complete.
LIST_LIMIT = 20

STATISTICS_TABLES = ("trajectories", "planned", "budgets", "holdbacks")


@dataclass
class Proposal:
    kind: str  # allocation, advance_run, lowering, round
    period: int
    url: str
    created_by: str
    created_at: object
    by_you: bool


@dataclass
class Landing:
    reviewer: bool = False
    decider: bool = False
    commission: bool = False
    ministry: bool = False
    plans: list[dict] = field(default_factory=list)  # period, n, overdue, due_soon, url
    registrations: list[dict] = field(default_factory=list)  # period, n, url
    agreements: list[ProjectAgreement] = field(default_factory=list)
    agreements_count: int = 0
    terms: list = field(default_factory=list)  # applications whose decision is due soon or overdue
    terms_count: int = 0
    proposals: list[Proposal] = field(default_factory=list)
    lapses: list[dict] = field(default_factory=list)  # period, n, deadline, url
    objections: list[Objection] = field(default_factory=list)
    objections_count: int = 0
    advice: list[dict] = field(default_factory=list)  # period, regions [names]
    statistics: list[dict] = field(default_factory=list)  # name, json, csv

    @property
    def empty(self) -> bool:
        return not (self.reviewer or self.decider or self.commission or self.ministry)


def _reviewer_part(landing: Landing, user, *, today: date) -> None:
    visible = applications_visible_to(user)
    soon = today + timedelta(days=WARN_DAYS)
    queue = reverse("portal:office_queue")
    for row in (
        visible.filter(status=ApplicationStatus.SUBMITTED)
        .values("period__number")
        .annotate(
            n=Count("id"),
            overdue=Count("id", filter=Q(decision_due__lt=today)),
            due_soon=Count("id", filter=Q(decision_due__gte=today, decision_due__lte=soon)),
        )
        .order_by("period__number")
    ):
        landing.plans.append({**row, "period": row["period__number"], "url": f"{queue}?period={row['period__number']}"})
    registration_queue = reverse("portal:registration_queue")
    for row in (
        Registration.objects.filter(status=RegistrationStatus.SUBMITTED, application__in=visible.order_by().values("id"))
        .values("application__period__number")
        .annotate(n=Count("id"))
        .order_by("application__period__number")
    ):
        number = row["application__period__number"]
        landing.registrations.append({"period": number, "n": row["n"], "url": f"{registration_queue}?period={number}"})
    agreements = ProjectAgreement.objects.filter(
        status=AgreementStatus.SUBMITTED, application__in=visible.order_by().values("id")
    )
    landing.agreements_count = agreements.count()
    landing.agreements = list(
        agreements.select_related("application", "application__employer").order_by("application__reference")[:LIST_LIMIT]
    )
    terms = visible.filter(
        status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.ASSESSED], decision_due__lte=soon
    ).order_by("decision_due", "reference")
    landing.terms_count = terms.count()
    landing.terms = list(terms[:LIST_LIMIT])


def _decider_part(landing: Landing, user, *, today: date) -> None:
    def add(kind, rows, *, period_of, url_of):
        for row in rows:
            landing.proposals.append(
                Proposal(
                    kind=kind, period=period_of(row), url=url_of(row),
                    created_by=row.created_by.get_full_name() or row.created_by.username, created_at=row.created_at,
                    by_you=row.created_by_id == user.pk,
                )
            )

    add(
        "allocation",
        Allocation.objects.filter(status=AllocationStatus.PROPOSED).select_related("period", "created_by"),
        period_of=lambda a: a.period.number, url_of=lambda a: reverse("budgets:allocation", args=[a.period.number]),
    )
    add(
        "advance_run",
        AdvanceRun.objects.filter(status=AdvanceRunStatus.PROPOSED).select_related("period", "created_by"),
        period_of=lambda r: r.period.number, url_of=lambda r: reverse("budgets:advance-run", args=[r.pk]),
    )
    add(
        "lowering",
        LoweringProposal.objects.filter(status=AmendmentRunStatus.PROPOSED).select_related("period", "created_by"),
        period_of=lambda p: p.period.number, url_of=lambda p: reverse("budgets:lowering", args=[p.period.number]),
    )
    add(
        "round",
        RevisionProposal.objects.filter(status=AmendmentRunStatus.PROPOSED).select_related("round__period", "created_by"),
        period_of=lambda p: p.round.period.number, url_of=lambda p: reverse("budgets:round", args=[p.round_id]),
    )
    landing.proposals.sort(key=lambda p: (p.period, p.kind, p.created_at))

    # R46: granted applications without an approved agreement, per period (one query); lapse due once the
    # period's agreement deadline (with period-wide extensions) has passed.
    pending = dict(
        applications_visible_to(user)
        .filter(status=ApplicationStatus.GRANTED, agreement_approved_at__isnull=True)
        .values("period_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("period_id", "n")
    )
    for period in Period.objects.filter(pk__in=list(pending)).order_by("number"):
        deadline = deadline_for(period=period, kind=DeadlineKind.AGREEMENT)
        if deadline_passed(deadline, today):
            landing.lapses.append(
                {"period": period.number, "n": pending[period.pk], "deadline": deadline,
                 "url": reverse("accounting:lapse", args=[period.number])}
            )

    objections = Objection.objects.filter(
        status=ObjectionStatus.RECEIVED,
        decision__application__in=applications_visible_to(user).order_by().values("id"),
    )
    landing.objections_count = objections.count()
    rows = list(objections.select_related("decision__application")[:500])
    rows.sort(key=lambda o: (o.ruling_due, o.pk))  # the Awb 7:10 date depends on the adjournment: computed
    landing.objections = rows[:LIST_LIMIT]


def _commission_part(landing: Landing) -> None:
    waiting: dict[int, list[str]] = {}
    for row in holdback_table():
        if row["advice"] != "positive":
            waiting.setdefault(row["period"], []).append(row["region_name"])
    landing.advice = [{"period": number, "regions": names} for number, names in sorted(waiting.items())]


def _ministry_part(landing: Landing) -> None:
    for name in STATISTICS_TABLES:
        url = reverse(f"api:statistics-{name}")
        landing.statistics.append({"name": name, "json": f"{url}?format=json", "csv": f"{url}?format=csv"})


def landing_for(user, *, today: date) -> Landing:
    """What ``user`` (office, Commission or ministry) has to do today, by the actions its roles allow."""
    landing = Landing(
        reviewer=may(user, Action.ASSESS),
        decider=may(user, Action.CONFIRM_ALLOCATION),
        commission=may(user, Action.RECORD_ADVICE),
        ministry=may(user, Action.READ_STATISTICS) and not may(user, Action.OFFICE),
    )
    if landing.reviewer:
        _reviewer_part(landing, user, today=today)
    if landing.decider:
        _decider_part(landing, user, today=today)
    if landing.commission:
        _commission_part(landing)
    if landing.ministry:
        _ministry_part(landing)
    return landing


@login_required
def landing_page(request):
    landing = landing_for(request.user, today=timezone.localdate())
    if landing.empty:
        raise PermissionDenied
    return render(request, "landing/landing.html", {"landing": landing})
