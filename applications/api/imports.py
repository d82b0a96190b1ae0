"""``GET /api/v2/imports/{id}``: a background import's status (api.md "Uploads"), for whoever may see its
application (members; the scoped office); anyone else 404."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from sectorplan.api.errors import invalid_params
from sectorplan.api.permissions import BASE_PERMISSIONS

from ..models import ImportJob
from ..selectors import applications_visible_to
from .serializers import ImportJobSerializer


def import_job_state(job: ImportJob) -> dict:
    return {
        "status": job.status,
        "progress": job.progress,
        "created": job.created_count,
        "created_at": job.created_at,
        "invalid_params": invalid_params(job.errors or []),
    }


class ImportJobView(APIView):
    permission_classes = BASE_PERMISSIONS

    @extend_schema(
        summary="The status of a background import (members of its employer; office)",
        responses={200: ImportJobSerializer, 404: OpenApiResponse(description="No such import, or not yours.")},
    )
    def get(self, request, pk: int):
        job = (
            ImportJob.objects.filter(pk=pk, application__in=applications_visible_to(request.user))
            .only("status", "progress", "created_count", "created_at", "errors")
            .first()
        )
        if job is None:
            raise NotFound
        data = import_job_state(job)
        # invalidParams are already in the API's words (camelCase names): not camelized twice.
        return Response({**ImportJobSerializer(data).data, "invalid_params": data["invalid_params"]})
