"""Letter previews on the office pages before a confirmation (R28): the allocation, an advance run, a lowering and a
redistribution round each link one rendered letter of every variant their confirmation will produce, built by the
service from **unsaved** decisions with the same code the confirmation uses (``allocation_preview_decisions``,
``advance_run_preview_decisions``, ``lowering_preview_decisions``, ``round_preview_decisions``). Nothing is written
but the processing-log row of the office's read (R54).
"""

from django.http import Http404, HttpResponse
from django.utils.translation import gettext_lazy

from ..constants import ProcessingAction, decision_file_name
from ..pdf import html_to_pdf
from ..processing import log_processing, purpose_for
from .rendering import preview_letters, preview_variant

#: The label of each letter variant the office pages offer to preview, in this order.
PREVIEW_LABELS = {
    "grant": gettext_lazy("grant"),
    "rejection": gettext_lazy("rejection"),
    "advance": gettext_lazy("advance"),
    "amendment_lowered": gettext_lazy("lowered reservation"),
    "amendment_increased": gettext_lazy("increased reservation"),
}


def preview_links(decisions) -> list[tuple[str, str]]:
    """(variant, label) for each letter variant among ``decisions``, in :data:`PREVIEW_LABELS`' order."""
    variants = {preview_variant(d) for d in decisions}
    return [(variant, label) for variant, label in PREVIEW_LABELS.items() if variant in variants]


def preview_response(request, *, decisions, variant: str, purpose: str | None = None) -> HttpResponse:
    """The letter of ``variant`` of the first such decision among ``decisions`` (unsaved), as HTML, or as PDF with
    ``?pdf=1``; 404 when the confirmation produces no letter of that variant. Logs the office's read (R54)."""
    picked = [d for d in decisions if preview_variant(d) == variant]
    if variant not in PREVIEW_LABELS or not picked:
        raise Http404
    preview = preview_letters(decisions=picked[:1])[0]
    application = picked[0].application
    log_processing(user=request.user, action=ProcessingAction.READ, objects=[application],
                   purpose=purpose or purpose_for(application), application=application)
    if request.GET.get("pdf"):
        response = HttpResponse(html_to_pdf(preview["html"]), content_type="application/pdf")
        name = decision_file_name(picked[0].kind)
        response["Content-Disposition"] = f'inline; filename="voorbeeld-{name}-{application.reference}.pdf"'
        return response
    return HttpResponse(preview["html"], content_type="text/html; charset=utf-8")
