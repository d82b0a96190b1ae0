"""``GET /api/v2/letters/{id}/pdf``: the employer's members and the office; anyone else 404 (R28)."""

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.views import APIView

from sectorplan.api.errors import StateConflict
from sectorplan.api.permissions import BASE_PERMISSIONS

from ..constants import LetterStatus, ProcessingAction, decision_file_name
from ..decisions.letters import letters_visible_to
from ..processing import log_processing, purpose_for


def letter_file_response(letter, *, user) -> FileResponse:
    """The letter's PDF; a read by an office user is written to the processing log (R54)."""
    application = letter.decision.application
    log_processing(user=user, action=ProcessingAction.READ, objects=[letter], purpose=purpose_for(application),
                   application=application)
    response = FileResponse(
        letter.file.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"{letter.decision.application.reference}-{decision_file_name(letter.decision.kind)}-v{letter.version}.pdf",
    )
    response["X-Content-SHA256"] = letter.sha256
    response["Cache-Control"] = "private, no-store"
    return response


class LetterPdfView(APIView):
    permission_classes = BASE_PERMISSIONS
    # api.md: "404 for anyone else". The ministry passes the role gate here only to be answered like
    # every other non-member: the letter is not found (it never sees a letter).
    ministry_allowed = True

    @extend_schema(
        summary="Download a decision letter as PDF",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The letter's PDF."),
            404: OpenApiResponse(description="No such letter, or not yours."),
            409: OpenApiResponse(description="The letter has not been generated yet."),
        },
    )
    def get(self, request, pk: int):
        letter = letters_visible_to(request.user).filter(pk=pk).first()
        if letter is None:
            raise Http404
        if letter.status != LetterStatus.DONE:
            raise StateConflict(field="status", code="letter_not_ready", message=_("The letter has not been generated yet."))
        return letter_file_response(letter, user=request.user)
