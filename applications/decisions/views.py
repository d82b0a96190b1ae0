"""Office pages for allocation, decisions and the Commission's advice (R16-R24), under /kantoor/budget/.

Views only check the role (``@role_required``, the vocabulary of ``sectorplan.roles``), validate input with a
form and call services; errors of the services are shown as messages. Users without the role get 403.
"""

import csv
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from budgets import selectors
from budgets.constants import AdviceOutcome
from budgets.models import Allocation, Period, Region
from sectorplan.api.errors import DomainError
from sectorplan.confirm import Row, confirm_page, confirmed
from sectorplan.parsing import DateField
from sectorplan.roles import Action, may, role_required

from ..constants import DecisionKind, ProcessingPurpose
from ..models import Application
from ..selectors import budget_table, region_in_scope, scope_filter, serves_all_regions, visible_allocation_summary
from . import services
from .previews import preview_response

#: The letter kinds an allocation produces (R18), in the order the confirmation page offers their preview (R28).
ALLOCATION_LETTER_KINDS = {DecisionKind.GRANT: gettext_lazy("grant"), DecisionKind.REJECTION: gettext_lazy("rejection")}


def _flash_error(request, exc: DomainError) -> None:
    for error in exc.errors:
        messages.error(request, error["message"])


@role_required(Action.READ_BUDGETS)
def index(request):
    periods = Period.objects.order_by("number")
    return render(
        request,
        "budgets/index.html",
        {"periods": periods, "budget_rows": budget_table(), "is_commission": may(request.user, Action.RECORD_ADVICE)},
    )


@role_required(Action.OFFICE)
def allocation_page(request, number: int):
    period = get_object_or_404(Period, number=number)
    allocation = selectors.allocation_current(period=period)
    summary = selectors.allocation_summary(allocation=allocation) if allocation else None
    if summary is not None:
        summary = visible_allocation_summary(summary, request.user)  # R4: only the user's regions
    previews = []
    if allocation is not None and allocation.status == "proposed" and may(request.user, Action.CONFIRM_ALLOCATION):
        # R28: one letter of each kind the confirmation will produce, linked from the confirmation box.
        items = allocation.items.all()
        kinds = {DecisionKind.GRANT: items.filter(granted_amount__gt=0).exists(),
                 DecisionKind.REJECTION: items.filter(granted_amount=0).exists()}
        previews = [(kind, label) for kind, label in ALLOCATION_LETTER_KINDS.items() if kinds[kind]]
    return render(
        request,
        "budgets/allocation.html",
        {"period": period, "allocation": allocation, "summary": summary,
         "is_decider": may(request.user, Action.CONFIRM_ALLOCATION), "previews": previews},
    )


@role_required(Action.CONFIRM_ALLOCATION)
def allocation_letter_preview(request, number: int, pk: int, kind: str):
    """R28: the letter of ``kind`` (grant or rejection) that confirming this proposal will produce, for its first
    application of that kind in the user's regions, rendered from an unsaved decision: HTML, or PDF with
    ``?pdf=1``. Nothing is written but the processing-log row of the office's read (R54)."""
    allocation = get_object_or_404(Allocation, pk=pk, period__number=number)
    if kind not in ALLOCATION_LETTER_KINDS or allocation.status != "proposed":
        raise Http404
    visible = scope_filter(Application.objects.all(), request.user, employer_path="employer")
    decisions = services.allocation_preview_decisions(allocation=allocation, by=request.user, applications=visible)
    return preview_response(request, decisions=decisions, variant=kind, purpose=ProcessingPurpose.ASSESSMENT)


@require_POST
@role_required(Action.PROPOSE_ALLOCATION)
def allocation_propose(request, number: int):
    period = get_object_or_404(Period, number=number)
    try:
        services.allocation_propose(period=period, by=request.user)
        messages.success(request, _("The allocation proposal has been computed."))
    except DomainError as exc:
        _flash_error(request, exc)
    return redirect("budgets:allocation", number=number)


@require_POST
@role_required(Action.CONFIRM_ALLOCATION)
def allocation_confirm(request, number: int, pk: int):
    allocation = get_object_or_404(Allocation, pk=pk, period__number=number)
    if not serves_all_regions(request.user):
        raise PermissionDenied(_("A confirmation decides on every region's employers; you serve only some regions."))
    try:
        services.allocation_confirm(allocation=allocation, by=request.user)
        messages.success(request, _("The allocation has been confirmed; the decisions and letters are being made."))
    except DomainError as exc:
        _flash_error(request, exc)
    return redirect("budgets:allocation", number=number)


@role_required(Action.OFFICE)
def allocation_csv(request, number: int, pk: int):
    allocation = get_object_or_404(Allocation, pk=pk, period__number=number)
    summary = visible_allocation_summary(selectors.allocation_summary(allocation=allocation), request.user)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="verdeling-T{number}-{pk}.csv"'
    writer = csv.writer(response)
    writer.writerow(["reference", "earmark", "eligible_amount", "granted_amount"])
    for row in summary["applications"]:
        writer.writerow([row["reference"], row["earmark"], row["eligible_amount"], row["granted_amount"]])
    return response


class AdviceForm(forms.Form):
    region = forms.ModelChoiceField(queryset=Region.objects.order_by("name"), to_field_name="code",
                                    label=gettext_lazy("Region"))
    period = forms.ModelChoiceField(queryset=Period.objects.filter(holdback_applies=True).order_by("number"),
                                    to_field_name="number", label=gettext_lazy("Period"))
    outcome = forms.ChoiceField(choices=AdviceOutcome.choices, label=gettext_lazy("Outcome"))
    date = DateField(label=gettext_lazy("Date of the advice"))
    reference = forms.CharField(max_length=200, label=gettext_lazy("Report reference"))


@role_required(Action.READ_BUDGETS, post=Action.RECORD_ADVICE)
def commission_page(request):
    form = AdviceForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            if data["outcome"] == AdviceOutcome.POSITIVE and not confirmed(request):
                return _advice_confirm_page(request, period=data["period"], region=data["region"])
            try:
                services.advice_record(
                    region=data["region"], period=data["period"], outcome=data["outcome"], date=data["date"],
                    reference=data["reference"], by=request.user,
                )
                messages.success(request, _("The advice has been recorded."))
                return redirect("budgets:commission")
            except DomainError as exc:
                _flash_error(request, exc)
    return render(
        request,
        "budgets/commission.html",
        {"rows": selectors.holdback_table(), "form": form, "is_commission": may(request.user, Action.RECORD_ADVICE),
         "is_decider": may(request.user, Action.FORFEIT_HOLDBACK)},
    )


def _held_rows(*, period: Period, region: Region) -> tuple[list[Row], object]:
    """What is held back for ``region`` in ``period`` now (from the ledger), one row per application."""
    held = selectors.held_by_application(period=period, region=region)
    apps = Application.objects.filter(pk__in=list(held)).select_related("employer").order_by("reference")
    rows = [Row(label=a.reference, detail=a.employer.name, amount=held[a.pk]["held"]) for a in apps]
    return rows, sum((r.amount for r in rows), start=Decimal("0.00"))


def _advice_confirm_page(request, *, period: Period, region: Region):
    """The confirmation of a positive advice: it releases what is held for the region (R23)."""
    rows, total = _held_rows(period=period, region=region)
    return confirm_page(
        request,
        title=_("Record a positive advice for %(region)s in %(period)s?") % {"region": region.name, "period": period},
        intro=_("A positive advice that is the region's latest releases every amount below: each application gets a "
                "release decision and letter (R23) and the amount becomes unconditional. An advice cannot be removed "
                "once recorded.") if rows else
        _("Nothing is held back for this region in this period; the advice is recorded and no money moves. An advice "
          "cannot be removed once recorded."),
        rows=rows, total=total, total_label=_("Released in total"),
        button=_("Yes, record the advice"), cancel_url=reverse("budgets:commission"), danger=False,
    )


@require_POST
@role_required(Action.FORFEIT_HOLDBACK)
def holdback_forfeit(request, number: int, region_code: str):
    period = get_object_or_404(Period, number=number)
    region = get_object_or_404(Region, code=region_code)
    if not region_in_scope(request.user, region):
        raise Http404  # R4: another region
    if not confirmed(request):
        rows, total = _held_rows(period=period, region=region)
        return confirm_page(
            request,
            title=_("Forfeit the held-back amounts of %(region)s in %(period)s?") % {"region": region.name, "period": period},
            intro=_("Each application below gets a forfeit decision and letter (R24); its held-back amount is no longer "
                    "reserved for it and returns to the period's available budget. This cannot be undone.")
            if rows else _("Nothing is held back for this region in this period; nothing will be forfeited."),
            rows=rows, total=total, total_label=_("Forfeited in total"),
            button=_("Yes, forfeit these amounts"), cancel_url=reverse("budgets:commission"),
        )
    try:
        services.holdback_forfeit(period=period, region=region, by=request.user)
        messages.success(request, _("The held-back amounts have been forfeited."))
    except DomainError as exc:
        _flash_error(request, exc)
    return redirect("budgets:commission")
