"""Portal pages for invitations and accountability (R2, R3, R29, R31, R32). Mounted at /account/."""


from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from applications.constants import Outcome, RegistrationStatus
from applications.portal import act_for, get_active_employer, posted_employer, set_active_employer
from sectorplan import tabular
from sectorplan.api.errors import DomainError

from . import selectors, services
from .forms import InvitationForm, RegisterForm, ReportUploadForm
from .models import AccountabilityReport, Invitation
from .todo import todo_for

TRUE = {"1", "true", "yes", "ja", "j", "y"}
FALSE = {"0", "false", "no", "nee", "n"}


@login_required
def todo(request):
    """Issue 12 item 9: what needs doing across every employer the account serves."""
    return render(request, "accounting/todo.html", {"todos": todo_for(request.user, today=timezone.localdate())})


@login_required
def due_list(request):
    """What is due for each employer the account serves (R2: all of them, grouped by employer)."""
    applications = list(selectors.accountability_due_for(request.user))
    for app in applications:
        report = getattr(app, "accountability_report", None)
        app.report_submitted_at = report.submitted_at if report else None
        app.open_until = services.accountability_open_until(app, report)
    return render(request, "accounting/due_list.html", {"applications": applications})


@login_required
@require_http_methods(["GET", "POST"])
def invite(request):
    """R3: a contact invites an e-mail address for the employer it acts for (R2: the employer travels with the
    form in a hidden field; posted after switching employer, the form is refused)."""
    employers = selectors.employers_user_may_invite_for(request.user)
    if not employers.exists():
        raise Http404  # accountability officers and outsiders do not invite
    active = get_active_employer(request)
    if active is None:
        return redirect(f"{reverse('portal:choose_employer')}?next={request.path}")
    if request.method == "POST":
        active = posted_employer(request)
    if not employers.filter(pk=active.pk).exists():
        raise PermissionDenied(_("Only a contact of the employer may invite. Switch to an employer you are contact of."))
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(
                employer=active, email=form.cleaned_data["email"],
                role=form.cleaned_data["role"], by=request.user,
                accept_base=request.build_absolute_uri("/account/uitnodiging/"),
            )
        except DomainError as exc:
            for error in exc.errors:
                form.add_error(error["field"] if error["field"] in form.fields else None, error["message"])
        else:
            messages.success(request, _("The invitation has been sent."))
            return redirect("accounting:invite")
    invitations = Invitation.objects.filter(employer=active).select_related("employer")[:50]
    return render(request, "accounting/invite.html", {"form": form, "invitations": invitations})


@require_http_methods(["GET", "POST"])
def accept(request, token):
    """R3: accept an invitation; a logged-in account gets the employer, a new person registers."""
    invitation = Invitation.objects.select_related("employer").filter(token_hash=services._hash(token)).first()
    problem = None
    try:
        services.invitation_check(invitation)
    except DomainError as exc:
        problem = exc.errors[0]["message"]
    form = RegisterForm(request.POST or None) if not request.user.is_authenticated else None
    if request.method == "POST" and problem is None:
        try:
            if request.user.is_authenticated:
                membership = services.invitation_accept(token=token, user=request.user)
                set_active_employer(request, membership.employer)
            elif form.is_valid():
                user = services.invitation_accept_new_account(
                    token=token, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
                )
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                set_active_employer(request, invitation.employer)
            else:
                raise DomainError(field="form", code="invalid", message="")
        except DomainError as exc:
            if form is not None:
                for error in exc.errors:
                    if error["message"]:
                        form.add_error(error["field"] if error["field"] in form.fields else None, error["message"])
            else:
                problem = exc.errors[0]["message"]
        else:
            messages.success(request, _("You now act for %(employer)s.") % {"employer": invitation.employer.name})
            return redirect("accounting:due")
    return render(
        request, "accounting/accept.html",
        {"invitation": invitation if problem is None else None, "problem": problem, "form": form,
         "login_url": f"{reverse('login')}?next={request.path}"},
    )


def _member_application(request, pk):
    """The application, if the user is a member of its employer; anything else is a 404 (R2). Reading it
    switches the acting employer; a report posted for it while the session acts for another is refused."""
    application = get_object_or_404(selectors.member_applications(request.user).distinct(), pk=pk)
    act_for(request, application.employer)
    return application


def _form_rows(post, registrations):
    rows = []
    for p in registrations:
        started = post.get(f"started_{p.pk}", "")
        row = {"id": p.pk, "started": True if started == "yes" else False if started == "no" else None,
               "outcome": post.get(f"outcome_{p.pk}") or None}
        row["actual_cost"] = (post.get(f"actual_cost_{p.pk}") or "").strip() or None  # the service parses it
        rows.append(row)
    return rows


def _render_report(request, application, *, errors=None, rows=None, upload_form=None, status=200):
    registrations = list(application.registrations.filter(status=RegistrationStatus.APPROVED).order_by("pk"))
    report = AccountabilityReport.objects.filter(application=application).first()
    by_id = {r["id"]: r for r in rows or []}
    row_errors: dict[int, list[str]] = {}
    general = []
    for error in errors or []:
        field = error["field"]
        if field.startswith("registrations[") and "]" in field:
            index = int(field[len("registrations["):field.index("]")])
            if index < len(registrations):
                row_errors.setdefault(registrations[index].pk, []).append(error["message"])
                continue
        general.append(error)
    for p in registrations:
        p.form = by_id.get(p.pk) or {"started": p.started, "outcome": p.outcome, "actual_cost": p.actual_cost}
        p.errors = row_errors.get(p.pk, [])
    return render(
        request, "accounting/report.html",
        {
            "application": application, "registrations": registrations, "report": report,
            "small": application.is_small, "open_until": services.accountability_open_until(application, report),
            "outcomes": Outcome.choices, "errors": general, "upload_form": upload_form or ReportUploadForm(),
            "rows_with_errors": [p for p in registrations if p.errors],
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def report(request, pk):
    """R29/R31: the report form: per registration started, outcome and (not for small applications) cost."""
    application = _member_application(request, pk)
    if request.method == "POST":
        registrations = list(application.registrations.order_by("pk"))
        rows = _form_rows(request.POST, registrations)
        try:
            services.accountability_submit(application=application, rows=rows, by=request.user)
        except DomainError as exc:
            return _render_report(request, application, errors=exc.errors, rows=rows, status=400)
        messages.success(request, _("Your accountability report has been received."))
        return redirect("accounting:report", pk=application.pk)
    return _render_report(request, application)


REPORT_COLUMNS = ("id", "started", "outcome", "actual_cost")


def _parse_csv(upload) -> tuple[list[dict], list[dict]]:
    """Rows from an uploaded CSV (header: id, started, outcome, actual_cost), read by the one table reader
    (``sectorplan.tabular``: 10 MB, 20,000 rows, strict cells; 413 beyond a limit). Returns (rows, errors with
    line)."""
    try:
        table = tabular.read_table(upload, columns=REPORT_COLUMNS, optional=frozenset({"outcome", "actual_cost"}))
    except DomainError as exc:
        return [], [{"line": e.get("line"), "field": e["field"], "message": e["message"]} for e in exc.errors]
    errors = [{"line": e["line"], "field": e["field"], "message": e["message"]} for e in table.errors]
    rows = []
    for line, raw in table.rows:
        raw = {k: str(v).strip() if v is not None else "" for k, v in raw.items()}
        started = raw.get("started", "").lower()
        if started in TRUE:
            started_value = True
        elif started in FALSE:
            started_value = False
        else:
            errors.append({"line": line, "field": "started", "message": _("Use yes or no.")})
            started_value = None
        rows.append({"id": raw.get("id"), "started": started_value, "outcome": raw.get("outcome") or None,
                     "actual_cost": raw.get("actual_cost") or None, "_line": line})
    return rows, errors


@login_required
@require_http_methods(["POST"])
def report_upload(request, pk):
    """The report as a CSV file; every bad row is listed with its line number, nothing is saved."""
    application = _member_application(request, pk)
    form = ReportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_report(request, application, upload_form=form, status=400)
    try:
        rows, errors = _parse_csv(form.cleaned_data["file"])
    except tabular.FileTooLarge as exc:
        form.add_error("file", str(exc.detail))
        return _render_report(request, application, upload_form=form, status=413)
    if rows:
        # Validate every row through the service, even when some rows could not be parsed, so that the
        # answer lists every bad row; a parse error rolls the (otherwise valid) report back.
        seen = {(e["line"], e["field"]) for e in errors}
        try:
            with transaction.atomic():
                services.accountability_submit(
                    application=application, rows=[{k: v for k, v in r.items() if k != "_line"} for r in rows],
                    by=request.user,
                )
                if errors:
                    raise DomainError([])
        except DomainError as exc:
            for error in exc.errors:
                field = error["field"]
                line, name = None, field
                if field.startswith("registrations[") and "]" in field:
                    index = int(field[len("registrations["):field.index("]")])
                    line = rows[index]["_line"] if index < len(rows) else None
                    name = field.split(".", 1)[1] if "." in field else "id"
                if (line, name) not in seen:
                    errors.append({"line": line, "field": name, "message": error["message"]})
        errors.sort(key=lambda e: (e["line"] or 0, e["field"]))
    if errors:
        return render(request, "accounting/upload_errors.html", {"application": application, "errors": errors}, status=400)
    messages.success(request, _("Your accountability report has been received."))
    return redirect("accounting:report", pk=application.pk)
