"""Portal pages of the project agreement (R45) and the lapse (R46).

- ``/account/overeenkomst/<pk>/``: the agreement block of a granted application for its members: download the
  agreement to sign, upload the signed agreement and a KvK extract (the form carries the acting employer in the
  hidden ``employer`` field, ``applications.portal``), the status, the reason of a rejection and the timeline.
- ``/account/kantoor/overeenkomst/<pk>/``: the office's review page (read: office; approve/reject:
  ``office_reviewer``).
- ``/account/kantoor/tijdvak/<number>/verval/``: the lapse, with a confirmation step (``office_decider``).
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from applications.constants import ProcessingAction
from applications.portal import posted_employer
from applications.processing import log_processing, purpose_for
from applications.selectors import applications_visible_to, serves_all_regions
from budgets.models import Period
from sectorplan.api.errors import DomainError, PayloadTooLarge
from sectorplan.parsing import ParseError, parse_date
from sectorplan.roles import Action, may, role_required

from . import agreements
from .agreement_forms import AgreementReviewForm, AgreementUploadForm
from .models import AgreementDocument, AgreementDocumentKind
from .views import _member_application

#: Dutch words for the agreement's documents in downloaded file names (issue 15).
AGREEMENT_DOCUMENT_FILE_NAMES = {
    AgreementDocumentKind.SIGNED_AGREEMENT: "getekende-projectovereenkomst",
    AgreementDocumentKind.KVK_EXTRACT: "kvk-uittreksel",
}


def _granted(application):
    if not agreements.has_agreement(application):
        raise Http404
    return application


def _context(application, **extra) -> dict:
    return {"application": application, "state": agreements.agreement_state(application), **extra}


@login_required
@require_http_methods(["GET", "POST"])
def agreement(request, pk: int):
    """R45: the member's agreement block; a POST uploads the signed agreement and the KvK extract."""
    application = _granted(_member_application(request, pk))
    form = AgreementUploadForm()
    status = 200
    if request.method == "POST":
        employer = posted_employer(request)  # R2: the form names whom it was filled in for
        if employer.pk != application.employer_id:
            raise Http404
        form = AgreementUploadForm(request.POST, request.FILES)
        status = 400
        if form.is_valid():
            issue_date = None
            try:
                issue_date = parse_date(form.cleaned_data["kvk_extract_date"])
            except ParseError as exc:
                form.add_error("kvk_extract_date", exc.message)
            if not form.errors:
                try:
                    agreements.agreement_upload(
                        application=application, by=request.user,
                        signed_agreement=form.cleaned_data["signed_agreement"],
                        kvk_extract=form.cleaned_data["kvk_extract"], kvk_extract_date=issue_date,
                    )
                    messages.success(request, _("The project agreement has been submitted for review."))
                    return redirect("accounting:agreement", pk=application.pk)
                except PayloadTooLarge as exc:
                    form.add_error(None, str(exc.detail))
                    status = 413
                except DomainError as exc:
                    status = exc.status_code
                    for error in exc.errors:
                        form.add_error(error["field"] if error["field"] in form.fields else None, error["message"])
    return render(request, "agreements/agreement_page.html", _context(application, form=form), status=status)


def _pdf_response(application) -> HttpResponse:
    response = HttpResponse(agreements.agreement_pdf(application), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{agreements.agreement_filename(application)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def agreement_pdf(request, pk: int):
    """R45: the agreement to sign, for the members and the (scoped) office."""
    application = get_object_or_404(applications_visible_to(request.user), pk=pk)
    return _pdf_response(_granted(application))


@login_required
def agreement_document(request, pk: int, document_id: int):
    """R50: an uploaded document, for the members and the (scoped) office; anyone else 404."""
    application = _granted(get_object_or_404(applications_visible_to(request.user), pk=pk))
    document = get_object_or_404(AgreementDocument, pk=document_id, agreement__application=application)
    # R54: the signed agreement and the KvK extract name people; an office read is logged (members' are not).
    log_processing(user=request.user, action=ProcessingAction.READ, objects=[document],
                   purpose=purpose_for(application), application=application)
    response = FileResponse(document.file.open("rb"), content_type="application/pdf", as_attachment=True,
                            filename=f"{application.reference}-{AGREEMENT_DOCUMENT_FILE_NAMES.get(document.kind, 'document')}-v{document.version}.pdf")
    response["X-Content-SHA256"] = document.sha256
    response["Cache-Control"] = "private, no-store"
    return response


@role_required(Action.OFFICE, post=Action.REVIEW_AGREEMENT)
@require_http_methods(["GET", "POST"])
def agreement_review(request, pk: int):
    """R45: the office reads the agreement and its documents; a reviewer approves or rejects with a reason."""
    application = _granted(get_object_or_404(applications_visible_to(request.user), pk=pk))
    form = AgreementReviewForm()
    status = 200
    if request.method == "POST":
        form = AgreementReviewForm(request.POST)
        if form.is_valid():
            try:
                agreements.agreement_review(
                    application=application, approved=form.cleaned_data["outcome"] == "approve",
                    reason=form.cleaned_data["reason"], by=request.user,
                )
                messages.success(request, _("The review of the project agreement has been recorded."))
                return redirect("accounting:agreement-review", pk=application.pk)
            except DomainError as exc:
                status = exc.status_code
                for error in exc.errors:
                    form.add_error(error["field"] if error["field"] in form.fields else None, error["message"])
        else:
            status = 400
    return render(
        request, "agreements/review_page.html",
        _context(application, form=form, may_review=may(request.user, Action.REVIEW_AGREEMENT)), status=status,
    )


@role_required(Action.OFFICE, post=Action.LAPSE_GRANTS)
@require_http_methods(["GET", "POST"])
def lapse(request, number: int):
    """R46: the confirmation step, then the lapse of the period's grants without an approved agreement."""
    period = get_object_or_404(Period, number=number)
    if request.method == "POST":
        if not serves_all_regions(request.user):
            raise PermissionDenied(_("A lapse decides on every region's employers; you serve only some regions."))
        try:
            decisions = agreements.lapse_run(period=period, by=request.user)
        except DomainError as exc:
            for error in exc.errors:
                messages.error(request, error["message"])
            return redirect("accounting:lapse", number=number)
        messages.success(request, _("%(count)s grant(s) lapsed.") % {"count": len(decisions)})
        return redirect("budgets:allocation", number=number)
    lapsing = agreements.lapse_preview(period=period)
    return render(
        request, "agreements/lapse_confirm.html",
        {"period": period, "due_date": agreements.agreement_due_date(period),
         "may_lapse": may(request.user, Action.LAPSE_GRANTS), "lapsing": lapsing,
         "lapsing_total": sum((a.granted_amount for a in lapsing), start=Decimal("0.00"))},
    )
