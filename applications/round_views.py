"""Portal page of redistribution rounds (R52): a contact files a request for a granted application during the
window. The employer travels with the form through the application in the URL (R2)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sectorplan.api.errors import DomainError

from .constants import ApplicationStatus
from .decisions import rounds
from .decisions.amounts import application_amounts
from .models import RevisionChange, RevisionRound, RevisionRoundStatus
from .portal import act_for
from .selectors import applications_visible_to, is_contact


class RevisionRequestForm(forms.Form):
    change = forms.ChoiceField(label=gettext_lazy("Change"), choices=RevisionChange.choices, widget=forms.RadioSelect)
    amount = forms.DecimalField(label=gettext_lazy("Amount (euro)"), max_digits=14, decimal_places=2)
    reason = forms.CharField(label=gettext_lazy("Reason (required for an increase)"), required=False,
                             widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)


@login_required
def revision_request_page(request, pk: int, application_id: int):
    revision_round = get_object_or_404(RevisionRound.objects.select_related("period"), pk=pk)
    application = applications_visible_to(request.user).filter(
        pk=application_id, period_id=revision_round.period_id, status=ApplicationStatus.GRANTED
    ).first()
    if application is None:
        raise Http404
    act_for(request, application.employer)
    contact = is_contact(request.user, application.employer)
    form = RevisionRequestForm(request.POST or None)
    if request.method == "POST":
        if not contact:
            raise PermissionDenied(_("Only a contact of the employer files a request in a round."))
        if form.is_valid():
            try:
                rounds.revision_request(revision_round=revision_round, application=application, by=request.user,
                                        **form.cleaned_data)
                messages.success(request, _("Your request has been received."))
                return redirect("rounds:request", pk=pk, application_id=application.pk)
            except DomainError as exc:
                for error in exc.errors:
                    form.add_error(error["field"] if error["field"] in form.fields else None, error["message"])
    own = rounds.latest_requests(revision_round).get(application.pk)
    return render(request, "amendments/request.html", {
        "round": revision_round, "application": application, "form": form, "contact": contact,
        "amounts": application_amounts(application), "own": own,
        "closes": rounds.window_closes_for(revision_round, application.employer_id),
        "is_open": revision_round.status == RevisionRoundStatus.OPEN
        and revision_round.opens <= timezone.localdate() <= rounds.window_closes_for(revision_round,
                                                                                      application.employer_id),
    })
