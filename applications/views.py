"""The employer portal and the office's queue and review pages (R2, R5-R15, R38, R39).

Views only read (through selectors) and validate forms; every write is a service call. A service's
``DomainError`` is shown on the form and nothing is saved (the services are atomic).

Access:
- Employer pages require membership of the application's employer. An application of another employer
  is a 404, also for office staff (they use the office pages). Opening an application of an employer the
  user is also a member of switches the acting employer to it, so the header is always right (R2).
- Every form carries its employer (the application in the URL, or the hidden ``employer`` field of a new
  application); posted for another employer than the session acts for, it is refused and nothing is saved
  (``applications.portal``, R2).
- Changing anything requires the ``contact`` role; an ``accountability_officer`` sees pages read-only
  (403 on a change).
- Office pages require an office role (``@role_required``); anyone else gets a 403 with the Dutch page.
"""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, Q, Sum
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from budgets.constants import evidence_file_name
from budgets.selectors import deadline_overview
from sectorplan import tabular
from sectorplan.api.errors import DomainError
from sectorplan.money import ZERO
from sectorplan.roles import Action, is_office, may, role_required

from . import completion, importing, registrations, rules, services, terms
from .api.receipts import receipt_file_response
from .constants import REGISTRATION_EDITABLE, AgeBand, ApplicationStatus, DocumentKind, Focus, RegistrationStatus
from .decisions.services import not_considered_decide
from .forms import (
    ApplicationCreateForm,
    CompletionForm,
    CompletionRequestForm,
    ConfirmForm,
    EvidenceUploadForm,
    PlanLineImportForm,
    PlanMatrixForm,
    ProgressForm,
    QueueFilterForm,
    RegistrationForm,
    RegistrationImportForm,
    WithdrawForm,
    add_domain_errors,
    cost_field_name,
    count_field_name,
)
from .models import CompletionRequest, ImportJob, ImportKind, ImportStatus, Receipt, Registration
from .portal import act_for, get_active_employer, member_employers, posted_employer, set_active_employer
from .receipts import receipts_visible_to
from .selectors import applications_visible_to, is_contact

logger = logging.getLogger(__name__)


# --- helpers ----------------------------------------------------------------------------------


def _posted(request):
    """The POST data for a bound form (also when empty), or None on GET."""
    return request.POST if request.method == "POST" else None


def _require_employer(request):
    """The acting employer, or a redirect to the chooser."""
    employer = get_active_employer(request)
    if employer is None:
        url = reverse("portal:choose_employer")
        return None, HttpResponseRedirect(f"{url}?next={request.get_full_path()}")
    return employer, None


def _member_application(request, pk):
    """An application of an employer the user is a member of, else 404. Reading it switches the acting employer;
    a form posted for it while the session acts for another employer is refused (R2)."""
    application = get_object_or_404(
        applications_visible_to(request.user).filter(employer__memberships__user=request.user), pk=pk
    )
    act_for(request, application.employer)
    return application


def _can_change(request, application) -> bool:
    return is_contact(request.user, application.employer)


def _require_contact(request, application):
    if not _can_change(request, application):
        raise PermissionDenied


def _domain_message(request, exc: DomainError):
    for error in exc.errors:
        messages.error(request, error["message"])


def requested_matrix(application):
    """Requested amount and count by focus x age band, aggregated in the database."""
    cells = (
        Registration.objects.filter(application=application)
        .values("focus", "age_band")
        .annotate(n=Count("id"), total=Sum("amount"))
        .order_by()
    )
    bands = list(AgeBand)
    by_cell = {(c["focus"], c["age_band"]): c for c in cells}
    rows = []
    column_totals = {band: ZERO for band in bands}
    column_counts = {band: 0 for band in bands}
    grand, grand_n = ZERO, 0
    for focus in Focus:
        row_cells, row_total, row_n = [], ZERO, 0
        for band in bands:
            cell = by_cell.get((focus.value, band.value))
            amount = cell["total"] if cell else ZERO
            n = cell["n"] if cell else 0
            row_cells.append({"amount": amount, "n": n})
            row_total += amount
            row_n += n
            column_totals[band] += amount
            column_counts[band] += n
        if row_n or focus != Focus.RETENTION or application.period.retention_allowed:
            rows.append({"focus": focus.label, "cells": row_cells, "total": row_total, "n": row_n})
        grand += row_total
        grand_n += row_n
    return {
        "bands": [b.label for b in bands],
        "rows": rows,
        "totals": [{"amount": column_totals[b], "n": column_counts[b]} for b in bands],
        "total": grand,
        "n": grand_n,
    }


def decisions_with_letters(application) -> list:
    """The application's decisions, oldest first, each with ``latest_letter`` (highest version, or None) and
    ``versions``: every version of its letter, oldest first, with its date and reason (R28: every version stays
    visible)."""
    decisions = list(application.decisions.prefetch_related("letters").order_by("date", "decided_at", "id"))
    for decision in decisions:
        letters = sorted(decision.letters.all(), key=lambda letter: letter.version)
        decision.latest_letter = letters[-1] if letters else None
        decision.versions = letters
    return decisions


# --- home and acting employer -----------------------------------------------------------------


@login_required
def home(request):
    if get_active_employer(request) is not None:
        return redirect("portal:application_list")
    if member_employers(request.user).exists():
        return redirect("portal:choose_employer")
    if is_office(request.user) or may(request.user, Action.RECORD_ADVICE) or may(request.user, Action.READ_STATISTICS):
        return redirect("accounting:landing")  # issue 15: office, Commission and ministry land on what needs doing
    return render(request, "portal/home.html")


@login_required
@require_http_methods(["GET", "POST"])
def choose_employer(request):
    employers = list(member_employers(request.user))
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    error = None
    if request.method == "POST":
        chosen = next((e for e in employers if str(e.pk) == request.POST.get("employer")), None)
        if chosen is None:
            error = _("Choose the employer you act for.")
        else:
            set_active_employer(request, chosen)
            messages.success(request, _("You now act for %(name)s.") % {"name": chosen.name})
            return redirect(next_url or "portal:application_list")
    roles = dict(request.user.memberships.values_list("employer_id", "role"))
    return render(
        request,
        "portal/choose_employer.html",
        {"employers": employers, "roles": roles, "error": error, "next": next_url},
        status=400 if error else 200,
    )


# --- employer pages ---------------------------------------------------------------------------


@login_required
def application_list(request):
    employer, redirect_response = _require_employer(request)
    if redirect_response:
        return redirect_response
    applications = (
        applications_visible_to(request.user).filter(employer=employer).order_by("-period__number", "reference")
    )
    return render(
        request,
        "portal/application_list.html",
        {"applications": applications, "can_change": is_contact(request.user, employer)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_create(request):
    employer, redirect_response = _require_employer(request)
    if redirect_response:
        return redirect_response
    if request.method == "POST":
        employer = posted_employer(request)  # R2: the employer the form was opened for, and still acting
    if not is_contact(request.user, employer):
        raise PermissionDenied
    form = ApplicationCreateForm(_posted(request), employer=employer)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_create(
                employer=employer, region=form.cleaned_data["region"], period=form.cleaned_data["period"],
                small=form.cleaned_data["small"], by=request.user,
            )
        except DomainError as exc:
            add_domain_errors(form, exc.errors)
        else:
            messages.success(request, _("Application %(ref)s has been created.") % {"ref": application.reference})
            return redirect("portal:plan_edit", pk=application.pk)
    return render(request, "portal/application_create.html", {"form": form}, status=400 if form.errors else 200)


REGISTRATION_PAGE_SIZE = 50


@login_required
def application_detail(request, pk):
    application = _member_application(request, pk)
    # Issue 15: thousands of registrations are paged (50 a page) and filtered by status, never all rendered.
    registration_list = application.registrations.order_by("id")
    registration_total = registration_list.count()
    status_filter = request.GET.get("status", "").strip()
    status_error = None
    if status_filter and status_filter not in RegistrationStatus.values:
        status_error = _("Choose a status from the list.")
    elif status_filter:
        registration_list = registration_list.filter(status=status_filter)
    registration_page = Paginator(registration_list, REGISTRATION_PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    transitions = application.transitions.select_related("actor")
    can_change = _can_change(request, application)
    return render(
        request,
        "portal/application_detail.html",
        {
            "application": application,
            "registrations": registration_page.object_list,
            "registration_page": registration_page,
            "registration_total": registration_total,
            "registration_statuses": RegistrationStatus.choices,
            "status_filter": status_filter,
            "status_error": status_error,
            "querystring": params.urlencode(),
            "transitions": transitions,
            "matrix": requested_matrix(application),
            "plan": plan_matrix(application),
            "decisions": decisions_with_letters(application),
            "can_report": application.status == ApplicationStatus.GRANTED,
            "can_register": registrations.is_member(request.user, application.employer)
            and application.status == ApplicationStatus.GRANTED,
            "can_change": can_change,
            "is_draft": application.status == ApplicationStatus.DRAFT,
            "can_withdraw": can_change and rules.can_withdraw(application.status),
            **_procedure_context(application),
            "completion_form": CompletionForm() if can_change else None,
            "deadlines": deadline_overview(period=application.period, employer=application.employer_id),
        },
        status=400 if status_error else 200,
    )


def _procedure_context(application) -> dict:
    """R42-R44 on an application page: its receipt, its completion requests (the open one apart) and its
    decision term."""
    requests = list(CompletionRequest.objects.filter(application=application).order_by("requested_at", "id"))
    open_request = next((r for r in requests if r.is_open), None)
    return {
        "receipt": Receipt.objects.filter(application=application).first(),
        "completion_requests": requests,
        "open_request": open_request,
        "open_request_expired": bool(open_request and open_request.is_expired()),
        "decision_due": application.decision_due,
        "due_state": terms.due_state(application.decision_due)
        if application.status in completion.OPEN_STATUSES else "",
    }


@login_required
def receipt_download(request, pk):
    """R42: the acknowledgement of receipt of application ``pk``, for its members and the office (R4 scoped);
    anyone else gets 404."""
    receipt = receipts_visible_to(request.user).filter(application_id=pk).first()
    if receipt is None:
        raise Http404
    return receipt_file_response(receipt, user=request.user)


@login_required
@require_http_methods(["POST"])
def application_complete(request, pk):
    """R43: a contact completes the open completion request."""
    application = _member_application(request, pk)
    _require_contact(request, application)
    form = CompletionForm(request.POST)
    if form.is_valid():
        try:
            completion.completion_complete(
                application=application, explanation=form.cleaned_data["explanation"], by=request.user
            )
        except DomainError as exc:
            _domain_message(request, exc)
        else:
            messages.success(request, _("Your completion has been received."))
            return redirect(reverse("portal:application_detail", args=[application.pk]) + "#completion")
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(reverse("portal:application_detail", args=[application.pk]) + "#completion")


def _editable_application(request, pk):
    application = _member_application(request, pk)
    _require_contact(request, application)
    if application.status != ApplicationStatus.DRAFT:
        messages.error(request, _("A submitted application is final and can no longer be changed."))
        return application, redirect("portal:application_detail", pk=application.pk)
    return application, None


def _granted_application(request, pk):
    """Registrations are registered on a granted application by members of either role (R47)."""
    application = _member_application(request, pk)
    if application.status != ApplicationStatus.GRANTED:
        messages.error(request, _("Registrations are registered once the application has been granted."))
        return application, redirect("portal:application_detail", pk=application.pk)
    return application, None


# --- the plan (aanvraagmatrix) ------------------------------------------------------------------


def plan_matrix(application, form=None, verdicts=None):
    """The plan as rows (activity types) x columns (focuses) for the templates: per cell the saved line, the
    bound fields of ``form`` (the employer's matrix) and the office's verdict inputs; totals per row and in all."""
    period = application.period
    rates = {r.activity_type: r for r in period.activity_rates.order_by("activity_type")}
    lines = {(line.activity_type, line.focus): line for line in application.plan_lines.all()}
    focuses = [f for f in Focus if f != Focus.RETENTION or period.retention_allowed
               or any(k[1] == f for k in lines)]
    rows, total, eligible_total = [], ZERO, ZERO
    for activity, rate in rates.items():
        cells, row_total = [], ZERO
        for focus in focuses:
            line = lines.get((activity, focus.value))
            cell = {"focus": focus, "line": line}
            if form is not None:
                cell["count"] = form[count_field_name(activity, focus.value)]
                cost_name = cost_field_name(activity, focus.value)
                cell["cost"] = form[cost_name] if cost_name in form.fields else None
            if verdicts is not None and line is not None:
                cell["verdict"] = verdicts.get(line.pk)
            if line is not None:
                row_total += line.requested_amount
                if line.eligible_count is not None:
                    eligible_total += line.eligible_amount
            cells.append(cell)
        total += row_total
        rows.append({"activity": activity, "label": rate.get_activity_type_display(), "rate": rate,
                     "actual_cost": rate.method == "actual_cost", "cells": cells, "total": row_total})
    cap = period.application_cap
    return {"focuses": focuses, "rows": rows, "total": total, "cap": cap, "capped": rules.capped(total, cap),
            "has_lines": bool(lines), "line_count": len(lines), "eligible_total": eligible_total}


def _cell_errors(form: PlanMatrixForm, errors: list[dict], cells: list[tuple[str, str]]) -> None:
    """Put the service's ``[i].field`` errors on the matrix cell of row ``i``; the rest on top."""
    for error in errors:
        field = error.get("field", "")
        if field.startswith("[") and "]." in field:
            index, name = int(field[1:field.index("]")]), field.split("].", 1)[1]
            activity, focus = cells[index]
            target = cost_field_name(activity, focus) if name == "planned_cost" else count_field_name(activity, focus)
            if target in form.fields:
                form.add_error(target, error["message"])
                continue
        form.add_error(None, error["message"])


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request, pk):
    """The employer fills in the plan as a matrix (R8, R12); the server computes every amount on save."""
    application, redirect_response = _editable_application(request, pk)
    if redirect_response:
        return redirect_response
    if request.method == "POST":
        posted_employer(request)  # R2: the hidden field must name the employer the session acts for
    form = PlanMatrixForm(
        _posted(request), period=application.period, initial=PlanMatrixForm.initial_from(application.plan_lines.all())
    )
    if request.method == "POST" and form.is_valid():
        rows, cells = form.rows()
        if not form.errors:
            try:
                services.plan_save(application=application, rows=rows, by=request.user)
            except DomainError as exc:
                _cell_errors(form, exc.errors, cells)
            else:
                messages.success(request, _("The plan has been saved."))
                if "submit" in request.POST:
                    return redirect("portal:application_submit", pk=application.pk)
                return redirect("portal:plan_edit", pk=application.pk)
    return render(
        request,
        "portal/plan_form.html",
        {"application": application, "form": form, "plan": plan_matrix(application, form=form)},
        status=400 if form.errors else 200,
    )


def _import_upload(request, *, form, kind, application, input_rules):
    """Run a file import (R13, all or nothing) for a portal upload form: returns ``(created, [])`` on success,
    else ``(None, row_errors)`` with every bad row's line, field, label and reason, the file-level problems on
    the form's ``file`` field. One place for the plan-line and registration uploads."""
    if request.method != "POST" or not form.is_valid():
        return None, []
    try:
        created = importing.import_start(
            kind=kind, application=application, uploaded_file=form.cleaned_data["file"], by=request.user
        )
    except tabular.FileTooLarge as exc:  # 413: over a limit of sectorplan.tabular
        form.add_error("file", str(exc.detail))
        form.status = 413
        return None, []
    except DomainError as exc:
        row_errors = [e for e in exc.errors if e.get("line") is not None]
        for error in exc.errors:
            if error.get("line") is None:
                form.add_error("file", error["message"])
        if row_errors:
            form.add_error(
                "file",
                ngettext(
                    "The file has not been imported: %(n)s error. Nothing has been saved. "
                    "Correct the row below and upload the file again.",
                    "The file has not been imported: %(n)s errors. Nothing has been saved. "
                    "Correct the rows below and upload the file again.",
                    len(row_errors),
                )
                % {"n": len(row_errors)},
            )
        logger.info("import rejected: application=%s errors=%s", application.pk, len(exc.errors))
        for error in row_errors:
            rule = input_rules.get(error.get("field"))
            error["label"] = rule.label if rule else error.get("field")
        return None, row_errors
    return created, []


@login_required
@require_http_methods(["GET", "POST"])
def plan_import(request, pk):
    application, redirect_response = _editable_application(request, pk)
    if redirect_response:
        return redirect_response
    form = PlanLineImportForm(_posted(request), request.FILES if request.method == "POST" else None)
    created, row_errors = _import_upload(request, form=form, kind=ImportKind.PLAN_LINES,
                                         application=application, input_rules=rules.PLAN_LINE_INPUT)
    if isinstance(created, ImportJob):
        return redirect("portal:import_status", pk=created.pk)
    if created is not None:
        messages.success(request, _("%(n)s plan lines have been imported.") % {"n": len(created)})
        return redirect("portal:plan_edit", pk=application.pk)
    return render(
        request,
        "portal/plan_import.html",
        {"application": application, "form": form, "row_errors": row_errors},
        status=getattr(form, "status", 400) if form.errors else 200,
    )


# --- registrations (registered once granted) -----------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def registration_add(request, pk):
    application, redirect_response = _granted_application(request, pk)
    if redirect_response:
        return redirect_response
    form = RegistrationForm(_posted(request), period=application.period)
    if request.method == "POST" and form.is_valid():
        try:
            registrations.registrations_add(application=application, rows=[form.cleaned_data], by=request.user)
        except DomainError as exc:
            add_domain_errors(form, exc.errors)
        else:
            messages.success(request, _("The registration has been added."))
            if "add_another" in request.POST:
                return redirect("portal:registration_add", pk=application.pk)
            return redirect(reverse("portal:application_detail", args=[application.pk]) + "#registrations")
    return render(
        request,
        "portal/registration_form.html",
        {"application": application, "form": form, "registration": None},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def registration_edit(request, pk, registration_pk):
    application, redirect_response = _granted_application(request, pk)
    if redirect_response:
        return redirect_response
    registration = get_object_or_404(application.registrations, pk=registration_pk)
    initial = {f: getattr(registration, f) for f in rules.REGISTRATION_FIELDS}
    form = RegistrationForm(_posted(request), initial=initial, period=application.period)
    if request.method == "POST" and form.is_valid():
        try:
            registrations.registration_update(registration=registration, values=form.cleaned_data, by=request.user)
        except DomainError as exc:
            add_domain_errors(form, exc.errors)
        else:
            messages.success(request, _("The registration has been changed."))
            return redirect("portal:registration_detail", pk=application.pk, registration_pk=registration.pk)
    return render(
        request,
        "portal/registration_form.html",
        {"application": application, "form": form, "registration": registration},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def registration_delete(request, pk, registration_pk):
    application, redirect_response = _editable_application(request, pk)
    if redirect_response:
        return redirect_response
    registration = get_object_or_404(application.registrations, pk=registration_pk)
    if request.method == "POST":
        try:
            registrations.registration_delete(registration=registration, by=request.user)
        except DomainError as exc:
            _domain_message(request, exc)
        else:
            messages.success(request, _("The registration has been removed."))
        return redirect(reverse("portal:application_detail", args=[application.pk]) + "#registrations")
    return render(request, "portal/registration_delete.html", {"application": application, "registration": registration})


def _member_registration(request, pk, registration_pk):
    """A registration of a granted application of the user's employer (members of either role), else 404."""
    application = _member_application(request, pk)
    registration = get_object_or_404(application.registrations, pk=registration_pk)
    return application, registration


def _registration_page(request, application, registration, *, upload_form=None, progress_form=None, status=200):
    documents = registration.documents.order_by("kind", "-version")
    return render(
        request,
        "portal/registration_detail.html",
        {
            "application": application,
            "registration": registration,
            "documents": documents,
            "required": [DocumentKind(k) for k in registrations.required_documents(registration, application=application)],
            "missing": [DocumentKind(k) for k in registrations.missing_documents(registration, application=application)],
            "transitions": registration.transitions.select_related("actor"),
            "editable": application.status == ApplicationStatus.GRANTED
            and registration.status in REGISTRATION_EDITABLE,
            "agreement_approved": application.agreement_approved_at is not None,
            "upload_form": upload_form or EvidenceUploadForm(),
            "progress_form": progress_form or ProgressForm(initial={
                "started": {True: "1", False: "0"}.get(registration.started), "outcome": registration.outcome,
                "actual_cost": registration.actual_cost,
            }),
            "can_report": registration.status == RegistrationStatus.APPROVED
            and application.status == ApplicationStatus.GRANTED,
        },
        status=status,
    )


@login_required
def registration_detail(request, pk, registration_pk):
    """R47, R49, R50, R29: one registration with its status, evidence, timeline and what can be done next."""
    application, registration = _member_registration(request, pk, registration_pk)
    return _registration_page(request, application, registration)


@login_required
@require_http_methods(["POST"])
def registration_document_upload(request, pk, registration_pk):
    """R50: upload one evidence document."""
    application, registration = _member_registration(request, pk, registration_pk)
    form = EvidenceUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            registrations.document_upload(registration=registration, kind=form.cleaned_data["kind"],
                                          upload=form.cleaned_data["file"], by=request.user)
        except DomainError as exc:
            add_domain_errors(form, exc.errors)
        else:
            messages.success(request, _("The document has been uploaded."))
            return redirect("portal:registration_detail", pk=application.pk, registration_pk=registration.pk)
    return _registration_page(request, application, registration, upload_form=form, status=400)


@login_required
@require_http_methods(["POST"])
def registration_submit(request, pk, registration_pk):
    """R46, R49: submit the registration for review."""
    application, registration = _member_registration(request, pk, registration_pk)
    try:
        registrations.registration_submit(registration=registration, by=request.user)
    except DomainError as exc:
        _domain_message(request, exc)
    else:
        messages.success(request, _("The registration has been submitted for review."))
    return redirect("portal:registration_detail", pk=application.pk, registration_pk=registration.pk)


@login_required
@require_http_methods(["POST"])
def registration_progress(request, pk, registration_pk):
    """R29: report the progress of an approved registration."""
    application, registration = _member_registration(request, pk, registration_pk)
    form = ProgressForm(request.POST)
    if form.is_valid():
        try:
            registrations.progress_report(
                registration=registration, started=form.cleaned_data["started"],
                outcome=form.cleaned_data["outcome"], actual_cost=form.cleaned_data["actual_cost"], by=request.user,
            )
        except DomainError as exc:
            add_domain_errors(form, exc.errors)
        else:
            messages.success(request, _("The progress has been saved."))
            return redirect("portal:registration_detail", pk=application.pk, registration_pk=registration.pk)
    return _registration_page(request, application, registration, progress_form=form, status=400)


@login_required
def registration_document_download(request, pk, registration_pk, document_pk):
    """R50: an evidence document, for the employer's members."""
    _application, registration = _member_registration(request, pk, registration_pk)
    document = get_object_or_404(registration.documents, pk=document_pk)
    response = FileResponse(document.file.open("rb"), content_type=document.media_type, as_attachment=True,
                            filename=f"{evidence_file_name(document.kind)}-v{document.version}.{document.file.name.rsplit('.', 1)[-1]}")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def registration_import(request, pk):
    application, redirect_response = _granted_application(request, pk)
    if redirect_response:
        return redirect_response
    form = RegistrationImportForm(_posted(request), request.FILES if request.method == "POST" else None)
    created, row_errors = _import_upload(request, form=form, kind=ImportKind.REGISTRATIONS,
                                         application=application, input_rules=rules.REGISTRATION_INPUT)
    if isinstance(created, ImportJob):
        return redirect("portal:import_status", pk=created.pk)
    if created is not None:
        count = len(created) if hasattr(created, "__len__") else created
        messages.success(request, _("%(n)s registrations have been imported.") % {"n": count})
        return redirect(reverse("portal:application_detail", args=[application.pk]) + "#registrations")
    return render(
        request,
        "portal/registration_import.html",
        {"application": application, "form": form, "row_errors": row_errors},
        status=getattr(form, "status", 400) if form.errors else 200,
    )


@login_required
@require_http_methods(["GET"])
def import_status(request, pk):
    """A background import's progress: the page refreshes itself (``<meta http-equiv="refresh">``, no JavaScript
    needed) until the import is done or failed; then it shows the result, or every bad row (nothing saved)."""
    job = get_object_or_404(
        ImportJob.objects.select_related("application"), pk=pk,
        application__in=applications_visible_to(request.user),
    )
    inputs = rules.PLAN_LINE_INPUT if job.kind == ImportKind.PLAN_LINES else rules.REGISTRATION_INPUT
    row_errors = [
        {**e, "label": inputs[e["field"]].label if e.get("field") in inputs else e.get("field")} for e in job.errors or []
    ]
    back = (
        reverse("portal:plan_edit", args=[job.application_id]) if job.kind == ImportKind.PLAN_LINES
        else reverse("portal:application_detail", args=[job.application_id]) + "#registrations"
    )
    return render(request, "portal/import_status.html", {
        "job": job, "application": job.application, "row_errors": row_errors, "back": back,
        "finished": job.status in (ImportStatus.DONE, ImportStatus.FAILED),
    })


@login_required
@require_http_methods(["GET", "POST"])
def application_submit(request, pk):
    application, redirect_response = _editable_application(request, pk)
    if redirect_response:
        return redirect_response
    form = ConfirmForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.application_submit(application=application, by=request.user)
        except DomainError as exc:
            add_domain_errors(form, exc.errors)
        else:
            messages.success(
                request,
                _("Application %(ref)s has been submitted. The acknowledgement of receipt is below.")
                % {"ref": application.reference},
            )
            return redirect(reverse("portal:application_detail", args=[application.pk]) + "#receipt")
    return render(
        request,
        "portal/application_submit.html",
        {"application": application, "form": form, "line_count": application.plan_lines.count(),
         "plan": plan_matrix(application)},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_withdraw(request, pk):
    application = _member_application(request, pk)
    _require_contact(request, application)
    if not rules.can_withdraw(application.status):
        messages.error(request, _("An application can only be withdrawn until it has been decided."))
        return redirect("portal:application_detail", pk=application.pk)
    form = WithdrawForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.application_withdraw(application=application, by=request.user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            add_domain_errors(form, exc.errors)
        else:
            messages.success(request, _("Application %(ref)s has been withdrawn.") % {"ref": application.reference})
            return redirect("portal:application_detail", pk=application.pk)
    return render(
        request, "portal/application_withdraw.html", {"application": application, "form": form},
        status=400 if form.errors else 200,
    )


# --- office pages -----------------------------------------------------------------------------


QUEUE_PAGE_SIZE = 50


@role_required(Action.OFFICE)
def office_queue(request):
    form = QueueFilterForm(request.GET or None)
    applications = applications_visible_to(request.user).exclude(status=ApplicationStatus.DRAFT)
    sort = "decision_due"  # R44: soonest decision due first
    if form.is_valid():
        data = form.cleaned_data
        if data.get("period"):
            applications = applications.filter(period=data["period"])
        if data.get("status"):
            applications = applications.filter(status=data["status"])
        query = (data.get("q") or "").strip()
        if query:
            applications = applications.filter(
                Q(reference__iexact=query) | Q(reference__icontains=query) | Q(employer__kvk_number__startswith=query)
            )
        sort = data.get("sort") or sort
    order = F(sort[1:]).desc(nulls_last=True) if sort.startswith("-") else F(sort).asc(nulls_last=True)
    applications = applications.annotate(line_count=Count("plan_lines")).order_by(order, "reference")
    page = Paginator(applications, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for a in page.object_list:
        # R44: flag only what still waits for a decision.
        a.due_state = terms.due_state(a.decision_due, today=today) if a.status in completion.OPEN_STATUSES else ""
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "office/queue.html",
        {"form": form, "page": page, "querystring": params.urlencode()},
    )


@role_required(Action.OFFICE, post=Action.ASSESS)
@require_http_methods(["GET", "POST"])
def office_review(request, pk):
    """R15: the office sees the plan as the employer's matrix and gives per line the eligible count and a reason."""
    application = get_object_or_404(applications_visible_to(request.user), pk=pk)
    lines = list(application.plan_lines.all())
    can_assess = may(request.user, Action.ASSESS) and application.status in (
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.ASSESSED,
    )
    top_errors: list[str] = []
    verdicts = {
        line.pk: {"eligible_count": "" if line.eligible_count is None else str(line.eligible_count),
                  "reason": line.reason, "count_error": None, "reason_error": None}
        for line in lines
    }
    prefilled = False
    if request.method == "POST" and request.POST.get("action") == "fill_all":
        # Issue 15: "alle regels subsidiabel" only pre-fills the form (eligible = planned, reasons kept); nothing is
        # saved until the reviewer submits it, so application_assess still checks everything (R15, R4 four-eyes).
        if not can_assess:
            raise PermissionDenied
        for line in lines:
            verdicts[line.pk]["eligible_count"] = str(line.count)
        prefilled = True
    elif request.method == "POST":
        if not can_assess:
            raise PermissionDenied
        posted = []
        for line in lines:
            raw = request.POST.get(f"eligible_{line.pk}", "").strip()[:12]
            reason = request.POST.get(f"reason_{line.pk}", "").strip()[:2000]
            verdict = verdicts[line.pk] = {"eligible_count": raw, "reason": reason, "count_error": None,
                                           "reason_error": None}
            if not raw.isdigit():
                verdict["count_error"] = _("Enter the number of eligible trajectories (0 to %(n)s).") % {"n": line.count}
                continue
            if "\x00" in reason:  # PostgreSQL refuses NUL in text: a 500 if it got to the service
                verdict["reason_error"] = _("Null characters are not allowed.")
                continue
            posted.append({"id": line.pk, "eligible_count": int(raw), "reason": reason})
        if not any(v["count_error"] or v["reason_error"] for v in verdicts.values()):
            try:
                services.application_assess(application=application, verdicts=posted, by=request.user)
            except DomainError as exc:
                for error in exc.errors:
                    field = error.get("field", "")
                    if field.startswith("lines[") and "]." in field:
                        index = int(field[len("lines["):field.index("]")])
                        key = "reason_error" if field.endswith(".reason") else "count_error"
                        verdicts[posted[index]["id"]][key] = error["message"]
                    else:
                        top_errors.append(error["message"])
            else:
                messages.success(request, _("The assessment of %(ref)s has been saved.") % {"ref": application.reference})
                return redirect("portal:office_review", pk=application.pk)
    summary = []
    for line in lines:
        verdict = verdicts[line.pk]
        for key, anchor in (("count_error", f"eligible_{line.pk}"), ("reason_error", f"reason_{line.pk}")):
            if verdict[key]:
                summary.append({"anchor": anchor, "message": f"{line.activity_type} / {line.get_focus_display()}: "
                                                             f"{verdict[key]}"})
    return render(
        request,
        "office/review.html",
        {
            "application": application,
            "plan": plan_matrix(application, verdicts=verdicts),
            "can_assess": can_assess,
            "prefilled": prefilled,
            "error_summary": summary,
            "top_errors": top_errors,
            "matrix": requested_matrix(application),
            "decisions": decisions_with_letters(application),
            "transitions": application.transitions.select_related("actor"),
            **_office_procedure_context(request, application),
        },
        status=400 if (summary or top_errors) else 200,
    )


def _office_procedure_context(request, application, *, request_form=None) -> dict:
    context = _procedure_context(application)
    undecided = application.status in completion.OPEN_STATUSES
    context["can_request_completion"] = (
        may(request.user, Action.ASSESS) and undecided and context["open_request"] is None
    )
    context["request_form"] = request_form or (CompletionRequestForm() if context["can_request_completion"] else None)
    context["can_not_consider"] = (
        may(request.user, Action.NOT_CONSIDER) and undecided and context["open_request_expired"]
    )
    return context


@role_required(Action.ASSESS)
@require_http_methods(["POST"])
def office_completion_request(request, pk):
    """R43: a reviewer asks the employer for what is missing, by a due date (default two weeks)."""
    application = get_object_or_404(applications_visible_to(request.user), pk=pk)  # R4: other regions 404
    form = CompletionRequestForm(request.POST)
    if form.is_valid():
        try:
            completion.completion_request_create(
                application=application, missing=form.cleaned_data["missing"],
                due_date=form.cleaned_data.get("due_date"), by=request.user,
            )
        except DomainError as exc:
            add_domain_errors(form, exc.errors)
        else:
            messages.success(request, _("The completion request has been sent."))
            return redirect(reverse("portal:office_review", args=[application.pk]) + "#completion")
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect(reverse("portal:office_review", args=[application.pk]) + "#completion")


@role_required(Action.NOT_CONSIDER)
@require_http_methods(["POST"])
def office_not_considered(request, pk):
    """R43: after an expired completion request a decider decides not to consider the application."""
    application = get_object_or_404(applications_visible_to(request.user), pk=pk)  # R4: other regions 404
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Confirm the decision first."))
    else:
        try:
            not_considered_decide(application=application, by=request.user)
        except DomainError as exc:
            _domain_message(request, exc)
        else:
            messages.success(request, _("The application will not be considered; the letter is being made."))
    return redirect(reverse("portal:office_review", args=[application.pk]) + "#completion")
