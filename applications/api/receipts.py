"""``GET /api/v2/receipts/{id}/pdf``: the acknowledgement of receipt (R42), for the employer's members and the
office (scoped, R4); anyone else 404."""

from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.views import APIView

from sectorplan.api.permissions import BASE_PERMISSIONS

from ..constants import ProcessingAction
from ..processing import log_processing, purpose_for
from ..receipts import receipt_filename, receipts_visible_to


def receipt_file_response(receipt, *, user) -> FileResponse:
    """The receipt's PDF; a read by an office user is written to the processing log (R54)."""
    log_processing(user=user, action=ProcessingAction.READ, objects=[receipt], purpose=purpose_for(receipt.application),
                   application=receipt.application)
    response = FileResponse(
        receipt.file.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=receipt_filename(receipt.application),
    )
    response["X-Content-SHA256"] = receipt.sha256
    response["Cache-Control"] = "private, no-store"
    return response


class ReceiptPdfView(APIView):
    permission_classes = BASE_PERMISSIONS
    # As for letters: the ministry passes the role gate only to be answered like any non-member (404).
    ministry_allowed = True

    @extend_schema(
        summary="Download the acknowledgement of receipt of a submitted application (R42)",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The receipt's PDF."),
            404: OpenApiResponse(description="No such receipt, or not yours."),
        },
    )
    def get(self, request, pk: int):
        receipt = receipts_visible_to(request.user).filter(pk=pk).first()
        if receipt is None:
            raise Http404
        return receipt_file_response(receipt, user=request.user)
