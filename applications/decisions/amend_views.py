"""Pages for lowering (R51) and redistribution rounds (R52).

Office (under /kantoor/budget/): the lowering proposal table with its confirmation by another decider; a period's
rounds with the form to open one; a round's requests, proposal and confirmation (the contacts' page is
``applications.round_views``). Views check the role, validate with a form and call the services.
"""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from budgets.models import Period
from sectorplan.api.errors import DomainError
from sectorplan.parsing import DateField
from sectorplan.roles import Action, may, role_required

from ..models import RevisionRequest, RevisionRound
from ..selectors import serves_all_regions
from . import lowering, rounds
from .amend_api import round_summary
from .previews import preview_links, preview_response


def _flash(request, exc: DomainError) -> None:
    for error in exc.errors:
        messages.error(request, error["message"])


def _all_regions(user) -> None:
    if not serves_all_regions(user):
        raise PermissionDenied(_("This decides on every region's employers; you serve only some regions."))


# --- Lowering (R51) -----------------------------------------------------------------------------------


@role_required(Action.PROPOSE_AMENDMENTS)
def lowering_page(request, number: int):
    period = get_object_or_404(Period, number=number)
    proposal = lowering.open_proposal(period)
    lines = list(proposal.lines.select_related("application__period").order_by("application_id")) if proposal else []
    previews = []
    if proposal is not None and may(request.user, Action.CONFIRM_AMENDMENTS):
        # R28: one letter of each kind the confirmation will produce, linked from the confirmation box.
        previews = preview_links(lowering.lowering_preview_decisions(period=period, by=request.user))
    return render(request, "amendments/lowering.html", {
        "period": period, "proposal": proposal, "lines": lines,
        "freed": sum((line.freed for line in lines), Decimal("0.00")),
        "deadline": lowering.registration_deadline(period),
        "may_confirm": may(request.user, Action.CONFIRM_AMENDMENTS), "previews": previews,
    })


@role_required(Action.CONFIRM_AMENDMENTS)
def lowering_letter_preview(request, number: int, variant: str):
    """R28: the amendment letter confirming the period's open lowering proposal will produce, for its first line,
    rendered from an unsaved decision (HTML, or PDF with ``?pdf=1``); only the processing-log row is written."""
    period = get_object_or_404(Period, number=number)
    _all_regions(request.user)
    decisions = lowering.lowering_preview_decisions(period=period, by=request.user)
    return preview_response(request, decisions=decisions, variant=variant)


@require_POST
@role_required(Action.PROPOSE_AMENDMENTS)
def lowering_propose(request, number: int):
    period = get_object_or_404(Period, number=number)
    _all_regions(request.user)
    try:
        lowering.lowering_propose(period=period, by=request.user)
        messages.success(request, _("The lowering proposal has been made; another decider confirms it."))
    except DomainError as exc:
        _flash(request, exc)
    return redirect("budgets:lowering", number=number)


@require_POST
@role_required(Action.CONFIRM_AMENDMENTS)
def lowering_confirm(request, number: int):
    period = get_object_or_404(Period, number=number)
    _all_regions(request.user)
    try:
        _proposal, decisions = lowering.lowering_confirm(period=period, by=request.user)
        messages.success(request, _("%(count)s reservation(s) lowered; the decisions and letters are being made.")
                         % {"count": len(decisions)})
    except DomainError as exc:
        _flash(request, exc)
    return redirect("budgets:lowering", number=number)


# --- Redistribution rounds (R52) ------------------------------------------------------------------------


class RoundOpenForm(forms.Form):
    opens = DateField(label=gettext_lazy("Window opens"))
    closes = DateField(label=gettext_lazy("Window closes"))


@role_required(Action.PROPOSE_AMENDMENTS)
def rounds_page(request, number: int):
    period = get_object_or_404(Period, number=number)
    form = RoundOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _all_regions(request.user)
        try:
            revision_round = rounds.round_open(period=period, by=request.user, **form.cleaned_data)
            messages.success(request, _("The redistribution round has been opened."))
            return redirect("budgets:round", pk=revision_round.pk)
        except DomainError as exc:
            for error in exc.errors:
                form.add_error(error["field"] if error["field"] in form.fields else None, error["message"])
    return render(request, "amendments/rounds.html", {
        "period": period, "form": form, "rounds": RevisionRound.objects.filter(period=period).order_by("-opens", "-id"),
    })


@role_required(Action.PROPOSE_AMENDMENTS)
def round_page(request, pk: int):
    revision_round = get_object_or_404(RevisionRound.objects.select_related("period"), pk=pk)
    latest = rounds.latest_requests(revision_round)
    requests = sorted(
        RevisionRequest.objects.filter(pk__in=[r.pk for r in latest.values()]).select_related("application__period"),
        key=lambda r: r.application_id,
    )
    proposal = revision_round.proposals.filter(status="proposed").first() or revision_round.proposals.filter(
        status="confirmed").first()
    summary = round_summary(proposal, None) if proposal else None
    previews = []
    if proposal is not None and proposal.status == "proposed" and may(request.user, Action.CONFIRM_AMENDMENTS):
        # R28: one letter of each kind the confirmation will produce (increased, lowered), linked from its box.
        previews = preview_links(rounds.round_preview_decisions(revision_round=revision_round, by=request.user))
    return render(request, "amendments/round.html", {
        "round": revision_round, "period": revision_round.period, "requests": requests, "proposal": proposal,
        "summary": summary, "closes": rounds.window_closes_for_all(revision_round),
        "window_closed": timezone.localdate() > rounds.window_closes_for_all(revision_round),
        "may_confirm": may(request.user, Action.CONFIRM_AMENDMENTS), "previews": previews,
    })


@role_required(Action.CONFIRM_AMENDMENTS)
def round_letter_preview(request, pk: int, variant: str):
    """R28: a letter of ``variant`` (increased or lowered reservation) confirming the round's open proposal will
    produce, rendered from an unsaved decision (HTML, or PDF with ``?pdf=1``); only the processing-log row is
    written."""
    revision_round = get_object_or_404(RevisionRound.objects.select_related("period"), pk=pk)
    _all_regions(request.user)
    decisions = rounds.round_preview_decisions(revision_round=revision_round, by=request.user)
    return preview_response(request, decisions=decisions, variant=variant)


@require_POST
@role_required(Action.PROPOSE_AMENDMENTS)
def round_propose(request, pk: int):
    revision_round = get_object_or_404(RevisionRound, pk=pk)
    _all_regions(request.user)
    try:
        rounds.round_propose(revision_round=revision_round, by=request.user)
        messages.success(request, _("The redistribution proposal has been made; another decider confirms it."))
    except DomainError as exc:
        _flash(request, exc)
    return redirect("budgets:round", pk=pk)


@require_POST
@role_required(Action.CONFIRM_AMENDMENTS)
def round_confirm(request, pk: int):
    revision_round = get_object_or_404(RevisionRound, pk=pk)
    _all_regions(request.user)
    try:
        decisions = rounds.round_confirm(revision_round=revision_round, by=request.user)
        messages.success(request, _("%(count)s reservation(s) changed; the decisions and letters are being made.")
                         % {"count": len(decisions)})
    except DomainError as exc:
        _flash(request, exc)
    return redirect("budgets:round", pk=pk)
