"""R49: the office's review queue of registrations, per period and region, with filters and paging.

The queue lists what waits for the office (default: submitted for review), scoped to the office user's regions
(R4 through :func:`~applications.selectors.applications_visible_to`), oldest submission first. Names and dates of
birth are personal data: every page shown is written to the processing log (R54), one row per application on the
page with the ids read. The review itself (approve, reject, request a repair) is the registration's own page."""

from django import forms
from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from budgets.constants import ActivityType
from budgets.models import Period, Region
from sectorplan.roles import Action, may, role_required

from .constants import ProcessingAction, ProcessingPurpose, RegistrationStatus
from .models import Registration
from .processing import log_processing
from .selectors import applications_visible_to

PAGE_SIZE = 50


class RegistrationQueueForm(forms.Form):
    period = forms.ModelChoiceField(
        label=_("Period"), queryset=Period.objects.order_by("number"), required=False, empty_label=_("All periods"),
        to_field_name="number",
    )
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.order_by("name"), required=False, empty_label=_("All regions"),
        to_field_name="code",
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[("", _("All statuses"))] + [c for c in RegistrationStatus.choices if c[0] != RegistrationStatus.DRAFT],
    )
    activity_type = forms.ChoiceField(
        label=_("Activity type"), required=False, choices=[("", _("All activity types")), *ActivityType.choices]
    )
    duplicate = forms.ChoiceField(
        label=_("Possible duplicate"), required=False,
        choices=[("", _("All")), ("yes", _("Only possible duplicates")), ("no", _("No possible duplicates"))],
    )


def queue(user, data: dict):
    """The registrations ``user`` may review, filtered by ``data`` (a cleaned :class:`RegistrationQueueForm`);
    drafts are the employer's own and never listed."""
    qs = (
        Registration.objects.filter(application__in=applications_visible_to(user))
        .exclude(status=RegistrationStatus.DRAFT)
        .select_related("application__employer", "application__region", "application__period", "duplicate_of")
    )
    status = data.get("status") or RegistrationStatus.SUBMITTED
    qs = qs.filter(status=status)
    if data.get("period"):
        qs = qs.filter(application__period=data["period"])
    if data.get("region"):
        qs = qs.filter(application__region=data["region"])
    if data.get("activity_type"):
        qs = qs.filter(activity_type=data["activity_type"])
    if data.get("duplicate") == "yes":
        qs = qs.filter(duplicate_of__isnull=False)
    elif data.get("duplicate") == "no":
        qs = qs.filter(duplicate_of__isnull=True)
    return qs.order_by(F("updated_at").asc(), "id")


@role_required(Action.OFFICE)
def registration_queue(request):
    form = RegistrationQueueForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    page = Paginator(queue(request.user, data), PAGE_SIZE).get_page(request.GET.get("page"))
    by_application = {}
    for registration in page.object_list:
        by_application.setdefault(registration.application, []).append(registration)
    for application, registrations in by_application.items():
        log_processing(user=request.user, action=ProcessingAction.READ, objects=registrations,
                       purpose=ProcessingPurpose.REVIEW, application=application)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "office/registration_queue.html",
        {"form": form, "page": page, "querystring": params.urlencode(),
         "status": data.get("status") or RegistrationStatus.SUBMITTED,
         # Bulk approval (issue 15): reviewers, on the list of what is submitted for review.
         "can_bulk": may(request.user, Action.REVIEW_REGISTRATION)
         and (data.get("status") or RegistrationStatus.SUBMITTED) == RegistrationStatus.SUBMITTED},
        status=200 if form.is_bound is False or form.is_valid() else 400,
    )
