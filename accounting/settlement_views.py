"""Office pages of settlement (R30, R31), the R31 sample and objections (R33).

- ``/account/kantoor/vaststelling/<pk>/``: the settlement computed line by line, what still blocks it, and the
  confirmation (``office_decider``).
- ``/account/kantoor/tijdvak/<number>/steekproef/``: the sample draws of a period with seed, population and the
  drawn applications; draw (office) and record a check (``office_reviewer``).
- ``/account/kantoor/bezwaar/<pk>/``: an objection with its Awb 7:10 ruling term, the hearing (Awb 7:2), the
  adjournment and the ruling.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from applications import samples
from applications.decisions.amounts import application_amounts
from applications.models import Application, SampleDraw, SampleOutcome
from applications.selectors import applications_visible_to, serves_all_regions
from budgets.models import Period
from sectorplan.api.errors import DomainError
from sectorplan.confirm import Row, confirm_page, confirmed
from sectorplan.parsing import ParseError, parse_date, parse_decimal
from sectorplan.roles import Action, may, role_required

from . import deadlines, selectors, services
from .models import ObjectionStatus


def _errors(request, exc: DomainError) -> None:
    for error in exc.errors:
        messages.error(request, f"{error['field']}: {error['message']}" if error["field"] != "non_field_errors"
                       else error["message"])


def _settlement_confirm_page(request, application):
    """R30: what settling will decide (the blockers are re-checked by the service when confirmed)."""
    blockers = services.settlement_blockers(application=application)
    if blockers:
        raise blockers[0]
    result = services.settlement_compute(application=application)
    rows = [
        Row(label=application.reference, detail=_("Settled amount"), amount=result.settled_amount),
        Row(label=application.reference, detail=_("Advances paid"), amount=result.advances_paid),
    ]
    if result.payment_amount < 0:
        what, label = _("To be reclaimed from the employer (Awb 4:57)"), _("Reclaimed")
    else:
        what, label = _("To be paid to the employer"), _("Paid")
    return confirm_page(
        request,
        title=_("Settle %(ref)s?") % {"ref": application.reference},
        intro=_("The subsidy of %(employer)s is settled: a settlement decision and letter, the amounts below in the "
                "ledger and the application becomes settled. This cannot be undone; only an objection can change it.")
        % {"employer": application.employer.name},
        rows=[*rows, Row(label=application.reference, detail=what, amount=abs(result.payment_amount))],
        total=abs(result.payment_amount), total_label=label,
        button=_("Yes, settle the subsidy"), cancel_url=reverse("accounting:settlement", args=[application.pk]),
    )


def _ruling_confirm_page(request, obj, amounts: dict):
    """R33: what the ruling will decide; the input is checked again by the service when confirmed."""
    outcome = request.POST.get("outcome", "")
    if outcome not in (ObjectionStatus.UPHELD, ObjectionStatus.REJECTED):
        raise DomainError(field="outcome", code="invalid_choice", message=_("Choose upheld or rejected."))
    if not request.POST.get("ruling", "").strip():
        raise DomainError(field="ruling", code="required", message=_("State the ruling's reasons."))
    decision = obj.decision
    application = decision.application
    rows = [Row(label=application.reference, detail=_("Decision objected to: %(kind)s of %(date)s")
                % {"kind": decision.get_kind_display(), "date": decision.date.strftime("%d-%m-%Y")})]
    if outcome == ObjectionStatus.REJECTED:
        intro = _("The objection is rejected: a ruling decision and letter; the decision objected to stands and no "
                  "money moves. A ruling cannot be undone.")
    else:
        intro = _("The objection is upheld: a ruling decision and letter that replaces the decision objected to. "
                  "A ruling cannot be undone.")
        current = application_amounts(application)
        if "settled_amount" in amounts:
            rows += [Row(label=application.reference, detail=_("Settled amount now"), amount=current["settled"]),
                     Row(label=application.reference, detail=_("New settled amount"), amount=amounts["settled_amount"])]
        elif "granted_amount" in amounts:
            rows += [Row(label=application.reference, detail=_("Reservation now"), amount=current["reserved"]),
                     Row(label=application.reference, detail=_("New reservation"), amount=amounts["granted_amount"])]
    return confirm_page(
        request, title=_("Rule on the objection concerning %(ref)s?") % {"ref": application.reference},
        intro=intro, rows=rows, notes=[_("Reasons of the ruling") + ": " + request.POST.get("ruling", "").strip()],
        button=_("Yes, rule"), cancel_url=reverse("accounting:objection", args=[obj.pk]),
    )


@role_required(Action.OFFICE, post=Action.SETTLE)
@require_http_methods(["GET", "POST"])
def settlement(request, pk: int):
    application = get_object_or_404(applications_visible_to(request.user).select_related("period", "employer"), pk=pk)
    if request.method == "POST" and not confirmed(request):
        try:
            return _settlement_confirm_page(request, application)
        except DomainError as exc:
            _errors(request, exc)
            return redirect("accounting:settlement", pk=pk)
    if request.method == "POST":
        try:
            decision, _result = services.application_settle(application=application, by=request.user)
        except DomainError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Settled: decision %(id)s.") % {"id": decision.pk})
        return redirect("accounting:settlement", pk=pk)
    blockers = [e for conflict in services.settlement_blockers(application=application) for e in conflict.errors]
    result = None
    if application.status == "granted":
        try:
            result = services.settlement_compute(application=application)
        except DomainError as exc:
            blockers += exc.errors
    registrations = {r.pk: r for r in application.registrations.all()}
    lines = [(registrations.get(line.id), line) for line in result.lines] if result else []
    return render(request, "settlement/settlement.html", {
        "application": application, "result": result, "lines": lines, "blockers": blockers,
        "may_settle": may(request.user, Action.SETTLE),
        "settlements": application.decisions.filter(kind="settlement").order_by("decided_at", "id"),
        "objections": selectors.objections_visible_to(request.user).filter(decision__application=application),
    })


@role_required(Action.OFFICE, post=Action.OFFICE)
@require_http_methods(["GET", "POST"])
def sample(request, number: int):
    period = get_object_or_404(Period, number=number)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "check":
                if not may(request.user, Action.CHECK_SAMPLE):
                    raise PermissionDenied(_("Only a reviewer records a sample check."))
                draw = get_object_or_404(SampleDraw, pk=request.POST.get("sample"), period=period)
                application = get_object_or_404(applications_visible_to(request.user), pk=request.POST.get("application"))
                try:
                    unsupported = [int(x) for x in request.POST.get("unsupported", "").replace(",", " ").split()]
                except ValueError:
                    raise DomainError(field="unsupported", code="invalid",
                                      message=_("Give registration numbers separated by commas.")) from None
                samples.sample_check_record(sample=draw, application=application, outcome=request.POST.get("outcome", ""),
                                            notes=request.POST.get("notes", ""), unsupported=unsupported, by=request.user)
                messages.success(request, _("The check is recorded."))
            else:
                if not (may(request.user, Action.DRAW_SAMPLE) and serves_all_regions(request.user)):
                    raise PermissionDenied(_("A sample is drawn over every region's employers; you serve only some regions."))
                percent = None
                if request.POST.get("percent", "").strip():
                    try:
                        percent = parse_decimal(request.POST["percent"])
                    except ParseError as exc:
                        raise DomainError(field="percent", code="invalid", message=exc.message) from None
                samples.sample_draw(period=period, by=request.user, percent=percent)
                messages.success(request, _("The sample is drawn."))
        except DomainError as exc:
            _errors(request, exc)
        return redirect("accounting:sample", number=number)
    draws = list(SampleDraw.objects.filter(period=period).prefetch_related("checks"))
    ids = {i for d in draws for i in d.drawn}
    references = dict(Application.objects.filter(pk__in=ids).values_list("pk", "reference"))
    rows = [
        (d, [(i, references.get(i, i), next((c for c in d.checks.all() if c.application_id == i), None)) for i in d.drawn])
        for d in draws
    ]
    return render(request, "settlement/sample.html", {
        "period": period, "rows": rows, "outcomes": SampleOutcome.choices,
        "may_draw": may(request.user, Action.DRAW_SAMPLE), "may_check": may(request.user, Action.CHECK_SAMPLE),
        "population": len(samples.sample_population(period)),
    })


@role_required(Action.OFFICE, post=Action.RECORD_OBJECTION)
@require_http_methods(["GET", "POST"])
def objection_new(request, pk: int):
    """R33 (issue 15): the office records an objection received against one of application ``pk``'s decisions,
    as ``POST /decisions/{id}/objections`` does; the service decides whether it is in time (a late one is refused
    with the date the term ended, and nothing is recorded)."""
    application = get_object_or_404(applications_visible_to(request.user), pk=pk)  # R4: other regions 404
    decisions = list(selectors.decisions_visible_to(request.user).filter(application=application).order_by("date", "id"))
    for d in decisions:
        d.objection_deadline = deadlines.objection_deadline(d.date)
    values = {"decision": "", "received_on": "", "grounds": ""}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {name: request.POST.get(name, "").strip() for name in values}
        decision = next((d for d in decisions if str(d.pk) == values["decision"]), None)
        received_on = None
        if decision is None:
            errors["decision"] = _("Choose the decision the objection is against.")
        if not values["received_on"]:
            errors["received_on"] = _("Enter the date the objection was received.")
        else:
            try:
                received_on = parse_date(values["received_on"])
            except ParseError as exc:
                errors["received_on"] = exc.message
        if not values["grounds"]:
            errors["grounds"] = _("State the grounds of the objection.")
        elif "\x00" in values["grounds"]:
            errors["grounds"] = _("Null characters are not allowed.")
        if not errors:
            try:
                obj = services.objection_record(decision=decision, received_on=received_on, grounds=values["grounds"],
                                                by=request.user)
            except DomainError as exc:
                for error in exc.errors:
                    field = error["field"] if error["field"] in values else "decision"
                    errors[field] = error["message"]
            else:
                messages.success(request, _("The objection is recorded."))
                return redirect("accounting:objection", pk=obj.pk)
    return render(request, "settlement/objection_new.html", {
        "application": application, "decisions": decisions, "values": values, "errors": errors,
        "may_record": may(request.user, Action.RECORD_OBJECTION),
        "objections": selectors.objections_visible_to(request.user).filter(decision__application=application),
    }, status=400 if errors else 200)


@role_required(Action.OFFICE, post=Action.RECORD_OBJECTION)
@require_http_methods(["GET", "POST"])
def objection(request, pk: int):
    obj = get_object_or_404(selectors.objections_visible_to(request.user), pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "hearing":
                held_on = None
                if request.POST.get("held_on", "").strip():
                    try:
                        held_on = parse_date(request.POST["held_on"])
                    except ParseError as exc:
                        raise DomainError(field="held_on", code="invalid", message=exc.message) from None
                services.objection_hearing_record(
                    objection=obj, by=request.user, held_on=held_on, attendees=request.POST.get("attendees", ""),
                    summary=request.POST.get("summary", ""), waived=request.POST.get("waived") == "on",
                    waived_reason=request.POST.get("waived_reason", ""),
                )
            elif action in ("adjourn", "rule"):
                if not may(request.user, Action.RULE_ON_OBJECTION):
                    raise PermissionDenied(_("Only a decider adjourns or rules."))
                if action == "adjourn":
                    services.objection_adjourn(objection=obj, reason=request.POST.get("reason", ""), by=request.user)
                else:
                    amounts = {}
                    for name in ("granted_amount", "settled_amount"):
                        if request.POST.get(name, "").strip():
                            try:
                                amounts[name] = parse_decimal(request.POST[name])
                            except ParseError as exc:
                                raise DomainError(field=name, code="invalid", message=exc.message) from None
                    if not confirmed(request):
                        return _ruling_confirm_page(request, obj, amounts)
                    services.objection_rule(objection=obj, outcome=request.POST.get("outcome", ""),
                                            ruling=request.POST.get("ruling", ""), by=request.user, **amounts)
            messages.success(request, _("Saved."))
        except DomainError as exc:
            _errors(request, exc)
        return redirect("accounting:objection", pk=pk)
    return render(request, "settlement/objection.html", {
        "objection": obj, "application": obj.decision.application, "received": obj.status == ObjectionStatus.RECEIVED,
        "may_rule": may(request.user, Action.RULE_ON_OBJECTION),
    })


__all__ = ["objection", "objection_new", "sample", "settlement"]
