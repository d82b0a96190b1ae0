"""Office pages of the advance runs (R48), under /kantoor/budget/ (URL namespace ``budgets``): the period's runs
with the proposal button, a run's table (totals per budget line and employer, every line, blocked IBANs) with
the confirmation for a second decider and the preview of its letter (R28), and the SEPA file's download.

The confirmation runs synchronously: 4,000 applications take about a second (``bench/advance_run.py``), so there is
no progress to show; the page returns when the decisions, the ledger and the payment file are written.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from budgets.models import Period
from sectorplan.api.errors import DomainError
from sectorplan.roles import Action, may, role_required

from ..models import AdvanceRun, AdvanceRunStatus, PaymentBatch
from ..selectors import serves_all_regions
from . import advances
from .advance_api import sepa_response
from .previews import preview_links, preview_response


def _all_regions(user) -> None:
    if not serves_all_regions(user):
        raise PermissionDenied(_("An advance run concerns every region's employers; you serve only some regions."))


@role_required(Action.OFFICE)
def runs_page(request, number: int):
    period = get_object_or_404(Period, number=number)
    _all_regions(request.user)
    runs = AdvanceRun.objects.filter(period=period).select_related("created_by", "confirmed_by", "payment_batch")
    return render(request, "advances/runs.html", {
        "period": period, "runs": runs, "may_propose": may(request.user, Action.PROPOSE_ADVANCE_RUN),
    })


@require_POST
@role_required(Action.PROPOSE_ADVANCE_RUN)
def run_propose(request, number: int):
    period = get_object_or_404(Period, number=number)
    _all_regions(request.user)
    try:
        run = advances.advance_run_propose(period=period, by=request.user)
    except DomainError as exc:
        for error in exc.errors:
            messages.error(request, error["message"])
        return redirect("budgets:advance-runs", number=number)
    messages.success(request, _("The advance run has been proposed; another decider confirms it."))
    return redirect("budgets:advance-run", pk=run.pk)


@role_required(Action.OFFICE)
def run_page(request, pk: int):
    run = get_object_or_404(AdvanceRun.objects.select_related("period", "created_by", "confirmed_by"), pk=pk)
    _all_regions(request.user)
    summary = advances.advance_run_summary(run)
    previews = []
    if run.status == AdvanceRunStatus.PROPOSED and may(request.user, Action.CONFIRM_ADVANCE_RUN):
        # R28: one letter of each kind the confirmation will produce, linked from the confirmation box.
        previews = preview_links(advances.advance_run_preview_decisions(run=run, by=request.user))
    return render(request, "advances/run.html", {
        "run": run, "period": run.period, "summary": summary,
        "may_confirm": may(request.user, Action.CONFIRM_ADVANCE_RUN) and run.created_by_id != request.user.pk,
        "is_proposer": run.created_by_id == request.user.pk, "previews": previews,
    })


@role_required(Action.CONFIRM_ADVANCE_RUN)
def run_letter_preview(request, pk: int, variant: str):
    """R28: the advance letter confirming this proposed run will produce, for its first payable application,
    rendered from an unsaved decision: HTML, or PDF with ``?pdf=1``. Nothing is written but the processing-log
    row of the office's read (R54)."""
    run = get_object_or_404(AdvanceRun, pk=pk)
    _all_regions(request.user)
    decisions = advances.advance_run_preview_decisions(run=run, by=request.user)
    return preview_response(request, decisions=decisions, variant=variant)


@require_POST
@role_required(Action.CONFIRM_ADVANCE_RUN)
def run_confirm(request, pk: int):
    run = get_object_or_404(AdvanceRun, pk=pk)
    _all_regions(request.user)
    try:
        batch = advances.advance_run_confirm(run=run, by=request.user)
    except DomainError as exc:
        for error in exc.errors:
            messages.error(request, error["message"])
        return redirect("budgets:advance-run", pk=pk)
    messages.success(
        request, _("The advance run has been confirmed: %(count)s payments; the letters are being made.")
        % {"count": batch.count},
    )
    return redirect("budgets:advance-run", pk=pk)


@role_required(Action.OFFICE)
def batch_sepa(request, pk: int):
    batch = get_object_or_404(PaymentBatch.objects.select_related("period"), pk=pk)
    _all_regions(request.user)
    return sepa_response(batch)
