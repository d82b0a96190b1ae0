"""R49: the office's review of one registration, and the bulk approval from the queue.

**The review page** (``/kantoor/registraties/<id>/``) shows what the reviewer needs beside the decision: the
registration's data, its application and employer, the required and the uploaded evidence documents (every version;
each downloadable through this page's own address), the duplicate flag (R47) with the other registration's
application, and the timeline. A form approves, rejects with a reason, or asks for a repair naming what to repair,
through :func:`applications.registrations.registration_review` (the only writer). Office users read
(``Action.OFFICE``, scoped to their regions, R4: another region's registration is a 404); only
``office_reviewer`` (and staff) review (``Action.REVIEW_REGISTRATION``; a decider reads the page without the form,
and a decider's POST is a 403). Drafts are the employer's own and are not on these pages (404).

**R54**: every page shown is a read of the registration (one processing-log row), every document download a read
of the document; the bulk confirmation page reads the names it lists (one row per application).

**Bulk approval** (issue 15 item 2), without JavaScript: the queue (status "submitted") has a checkbox per row and
"approve selected"; that POST shows a **confirmation page** listing what will be approved (and what cannot be, named
per registration); its "confirm" POST approves each registration through the same service, **one transaction per
registration** (the service's own): the registrations are independent, so one that changed in the meantime (a
colleague reviewed it) is named with its reason and the others are approved, rather than the reviewer losing the
whole page's work. The outcome comes back on the queue as one message per failed registration and a count of the
approved ones. At most :data:`BULK_LIMIT` registrations per request (a queue page holds fewer).
"""

from django import forms
from django.contrib import messages
from django.http import FileResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from sectorplan.api.errors import DomainError
from sectorplan.roles import Action, may, role_required

from . import registrations
from .constants import DocumentKind, ProcessingAction, RegistrationStatus
from .forms import add_domain_errors
from .models import Registration, RegistrationDocument
from .processing import log_processing, purpose_for
from .selectors import applications_visible_to

#: The most registrations one bulk approval takes (a queue page shows 50).
BULK_LIMIT = 200
#: The reviewer's outcomes as the form offers them (R49), in the order shown.
OUTCOME_CHOICES = [
    (RegistrationStatus.APPROVED, gettext_lazy("Approve")),
    (RegistrationStatus.REPAIR_REQUESTED, gettext_lazy("Request a repair")),
    (RegistrationStatus.REJECTED, gettext_lazy("Reject")),
]


class FirstRadioSelect(forms.RadioSelect):
    """Radios whose field "label" is the first radio, so the error summary's link lands on the group."""

    def id_for_label(self, id_, index=None):
        return super().id_for_label(id_, "0" if index is None else index)


class RegistrationReviewForm(forms.Form):
    """R49: the reviewer's outcome and, for a rejection or a repair, the reason or what to repair."""

    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome of the review"), choices=OUTCOME_CHOICES, widget=FirstRadioSelect,
        error_messages={"required": gettext_lazy("Choose approve, request a repair or reject.")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason, or what to repair"), required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Required when you reject the registration or request a repair; the employer sees it."),
    )

    def clean_reason(self):
        reason = self.cleaned_data.get("reason", "")
        if "\x00" in reason:  # PostgreSQL refuses NUL in text
            raise forms.ValidationError(_("Null characters are not allowed."))
        return reason


def reviewable(user):
    """The registrations ``user`` may open on the office pages: of the applications in their scope (R4), not the
    employer's drafts."""
    return Registration.objects.filter(application__in=applications_visible_to(user)).exclude(
        status=RegistrationStatus.DRAFT
    )


def _page(request, registration: Registration, *, form=None, status=200):
    application = registration.application
    log_processing(user=request.user, action=ProcessingAction.READ, objects=[registration],
                   purpose=purpose_for(application), application=application)  # R54
    can_review = may(request.user, Action.REVIEW_REGISTRATION) and registration.status == RegistrationStatus.SUBMITTED
    visible = applications_visible_to(request.user)
    duplicate = None
    if registration.duplicate_of_id:
        # R47: the other registration; its application named only when it is in the user's scope (R4).
        other = Registration.objects.select_related("application__employer").get(pk=registration.duplicate_of_id)
        duplicate = {"registration": other, "visible": visible.filter(pk=other.application_id).exists()}
    flagged_here = list(
        Registration.objects.filter(duplicate_of=registration, application__in=visible)
        .exclude(status=RegistrationStatus.DRAFT)
        .select_related("application__employer")
        .order_by("id")
    )
    return render(
        request,
        "office/registration_review.html",
        {
            "application": application,
            "registration": registration,
            "documents": registration.documents.select_related("uploaded_by").order_by("kind", "-version"),
            "required": [DocumentKind(k) for k in registrations.required_documents(registration, application=application)],
            "missing": [DocumentKind(k) for k in registrations.missing_documents(registration, application=application)],
            "transitions": registration.transitions.select_related("actor"),
            "duplicate": duplicate,
            "flagged_here": flagged_here,
            "can_review": can_review,
            "form": form or (RegistrationReviewForm() if can_review else None),
        },
        status=status,
    )


@role_required(Action.OFFICE, post=Action.REVIEW_REGISTRATION)
@require_http_methods(["GET", "POST"])
def registration_review(request, pk):
    """R49: one registration for the office, with the review form for reviewers."""
    registration = get_object_or_404(
        reviewable(request.user).select_related("application__employer", "application__period",
                                                "application__region"),
        pk=pk,
    )
    if request.method == "GET":
        return _page(request, registration)
    form = RegistrationReviewForm(request.POST)
    if form.is_valid():
        try:
            registrations.registration_review(
                registration=registration, outcome=form.cleaned_data["outcome"],
                reason=form.cleaned_data["reason"], by=request.user,
            )
        except DomainError as exc:
            add_domain_errors(form, exc.errors)
        else:
            outcome = RegistrationStatus(form.cleaned_data["outcome"])
            messages.success(request, _("%(name)s: %(outcome)s.") % {"name": _name(registration),
                                                                      "outcome": outcome.label})
            return redirect("portal:registration_review", pk=registration.pk)
    registration.refresh_from_db()
    return _page(request, registration, form=form, status=400)


@role_required(Action.OFFICE)
@require_http_methods(["GET"])
def registration_review_document(request, pk, document_pk):
    """R50, R54: an evidence document of a registration in the user's scope, its read logged."""
    registration = get_object_or_404(reviewable(request.user).select_related("application"), pk=pk)
    document = get_object_or_404(RegistrationDocument.objects.filter(registration=registration), pk=document_pk)
    application = registration.application
    log_processing(user=request.user, action=ProcessingAction.READ, objects=[document],
                   purpose=purpose_for(application), application=application)
    extension = document.file.name.rsplit(".", 1)[-1]
    response = FileResponse(document.file.open("rb"), content_type=document.media_type, as_attachment=True,
                            filename=f"{document.get_kind_display()}-v{document.version}.{extension}")
    response["Cache-Control"] = "private, no-store"
    return response


# --- bulk approval ----------------------------------------------------------------------------------------------


def _name(registration: Registration) -> str:
    """How a registration is named in messages: the application's reference, the person and the id."""
    return _("%(ref)s, %(initials)s %(surname)s (registration %(id)s)") % {
        "ref": registration.application.reference, "initials": registration.initials,
        "surname": registration.surname, "id": registration.pk,
    }


def _queue_url(posted_querystring: str) -> str:
    """The queue with the filters the reviewer came from (re-encoded: only a query string, never another
    address)."""
    params = QueryDict(posted_querystring[:2000]).copy()
    params.pop("page", None)  # what was approved leaves the queue: back to its first page
    query = params.urlencode()
    return reverse("portal:registration_queue") + (f"?{query}" if query else "")


def _selected(request) -> tuple[list[int], list[str]]:
    """The posted registration ids (distinct, in order) and the errors of the selection itself."""
    raw = request.POST.getlist("registration")
    ids: list[int] = []
    for value in raw:
        if not value.isdigit() or len(value) > 12:
            return [], [_("The selection is not valid; select the registrations again.")]
        if int(value) not in ids:
            ids.append(int(value))
    if not ids:
        return [], [_("Select at least one registration to approve.")]
    if len(ids) > BULK_LIMIT:
        return [], [_("Select at most %(n)s registrations at a time.") % {"n": BULK_LIMIT}]
    return ids, []


def _log_reads(user, registrations_read: list[Registration]) -> None:
    """R54: one processing-log row per application for the names a page lists."""
    by_application: dict = {}
    for registration in registrations_read:
        by_application.setdefault(registration.application, []).append(registration)
    for application, rows in by_application.items():
        log_processing(user=user, action=ProcessingAction.READ, objects=rows, purpose=purpose_for(application),
                       application=application)


@role_required(Action.REVIEW_REGISTRATION)
@require_http_methods(["POST"])
def registration_bulk_approve(request):
    """R49, issue 15: approve the selected registrations, after a confirmation page (see the module docstring)."""
    back = _queue_url(request.POST.get("querystring", ""))
    querystring = QueryDict(back.partition("?")[2]).urlencode()
    ids, errors = _selected(request)
    if errors:
        return render(request, "office/registration_bulk_approve.html",
                      {"errors": errors, "back": back, "querystring": querystring}, status=400)
    found = {
        r.pk: r for r in reviewable(request.user)
        .filter(pk__in=ids).select_related("application__employer", "application__region")
    }
    # Ids outside the user's scope (R4) or unknown are named by number only: nothing of them is shown.
    unknown = [pk for pk in ids if pk not in found]
    ready = [found[pk] for pk in ids if pk in found and found[pk].status == RegistrationStatus.SUBMITTED]
    not_ready = [found[pk] for pk in ids if pk in found and found[pk].status != RegistrationStatus.SUBMITTED]
    if request.POST.get("step") != "confirm":
        _log_reads(request.user, ready + not_ready)
        return render(
            request, "office/registration_bulk_approve.html",
            {"ready": ready, "not_ready": not_ready, "unknown": unknown, "back": back, "querystring": querystring},
            status=200 if ready else 400,
        )
    approved = 0
    for registration in ready:
        try:
            registrations.registration_review(registration=registration, outcome=RegistrationStatus.APPROVED,
                                              reason="", by=request.user)
        except DomainError as exc:  # one transaction each: the others stand (see the module docstring)
            messages.error(request, f"{_name(registration)}: {' '.join(e['message'] for e in exc.errors)}")
        else:
            approved += 1
    for registration in not_ready:
        messages.error(request, _("%(name)s: not approved, its status is %(status)s.") % {
            "name": _name(registration), "status": registration.get_status_display()})
    for pk in unknown:
        messages.error(request, _("Registration %(id)s: not found.") % {"id": pk})
    if approved:
        messages.success(request, ngettext("%(n)s registration has been approved.",
                                           "%(n)s registrations have been approved.", approved) % {"n": approved})
    return redirect(back)
