"""The project agreement (shared/api.md, "Project agreement"; R45, R46)."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from applications.selectors import applications_visible_to, serves_all_regions
from budgets.models import Period
from sectorplan.api.fields import UTCDateTimeField
from sectorplan.api.permissions import BASE_PERMISSIONS
from sectorplan.api.views import ObjectAPIView
from sectorplan.roles import Action

from .. import agreements
from ..models import AgreementDocumentKind, AgreementStatus
from ..selectors import membership_of


class AgreementDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=AgreementDocumentKind.choices)
    version = serializers.IntegerField()
    sha256 = serializers.CharField()
    size = serializers.IntegerField()
    issue_date = serializers.DateField(allow_null=True)
    uploaded_at = UTCDateTimeField()


class AgreementEventSerializer(serializers.Serializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    reason = serializers.CharField(allow_blank=True)
    at = UTCDateTimeField()


class AgreementOutSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    status = serializers.ChoiceField(choices=AgreementStatus.choices)
    due_date = serializers.DateField(allow_null=True)
    reason = serializers.CharField(allow_blank=True)
    reviewed_at = UTCDateTimeField(allow_null=True)
    documents = AgreementDocumentSerializer(many=True)
    timeline = AgreementEventSerializer(many=True)


class AgreementUploadSerializer(serializers.Serializer):
    """Schema of the multipart request; the service checks the files (type by content, size, date)."""

    signed_agreement = serializers.FileField(required=False, help_text="The signed project agreement (PDF).")
    kvk_extract = serializers.FileField(required=False, help_text="A KvK extract (PDF), at most six months old.")
    kvk_extract_date = serializers.DateField(required=False, allow_null=True, help_text="The extract's issue date.")


class AgreementReviewSerializer(serializers.Serializer):
    approved = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class LapseOutSerializer(serializers.Serializer):
    lapsed = serializers.IntegerField()


def _payload(application) -> dict:
    state = agreements.agreement_state(application)
    return {
        "application": application.pk,
        "status": state["status"],
        "due_date": state["due_date"],
        "reason": state["reason"],
        "reviewed_at": state["reviewed_at"],
        "documents": [
            {"id": d.pk, "kind": d.kind, "version": d.version, "sha256": d.sha256, "size": d.size,
             "issue_date": d.issue_date, "uploaded_at": d.uploaded_at}
            for d in state["documents"]
        ],
        "timeline": [
            {"from_status": e.from_status, "to_status": e.to_status, "reason": e.reason, "at": e.at}
            for e in state["events"]
        ],
    }


class _AgreementView(ObjectAPIView):
    permission_classes = [*BASE_PERMISSIONS]

    def get_queryset(self):
        return applications_visible_to(self.request.user).select_related("period", "employer", "region")

    def get_application(self):
        application = self.get_object()
        if not agreements.has_agreement(application):
            raise Http404  # no grant, no agreement
        return application


class AgreementView(_AgreementView):
    @extend_schema(
        summary="Read the project agreement of a granted application (R45)",
        responses={200: AgreementOutSerializer, 404: OpenApiResponse(description="Not granted, or not yours")},
    )
    def get(self, request, pk: int):
        return Response(AgreementOutSerializer(_payload(self.get_application())).data)


class AgreementPdfView(_AgreementView):
    @extend_schema(
        summary="Download the project agreement to sign (R45)",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The agreement to sign."),
            404: OpenApiResponse(description="Not granted, or not yours"),
        },
    )
    def get(self, request, pk: int):
        application = self.get_application()
        response = HttpResponse(agreements.agreement_pdf(application), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{agreements.agreement_filename(application)}"'
        response["Cache-Control"] = "private, no-store"
        return response


class AgreementDocumentsView(_AgreementView):
    @extend_schema(
        summary="Upload the signed agreement and a KvK extract (R45)",
        request={"multipart/form-data": AgreementUploadSerializer},
        responses={
            201: AgreementOutSerializer,
            403: OpenApiResponse(description="Not a member of the employer"),
            404: OpenApiResponse(description="Not granted, or not yours"),
            409: OpenApiResponse(description="Not granted (any more), or already approved"),
            413: OpenApiResponse(description="A file over 10 MB"),
        },
    )
    def post(self, request, pk: int):
        application = self.get_application()
        if membership_of(request.user, application.employer) is None:
            raise PermissionDenied(_("Only the employer's members upload the project agreement."))
        data = AgreementUploadSerializer(data={k: v for k, v in request.data.items() if k == "kvk_extract_date"})
        data.is_valid(raise_exception=True)
        agreements.agreement_upload(
            application=application, by=request.user,
            signed_agreement=request.FILES.get("signed_agreement"), kvk_extract=request.FILES.get("kvk_extract"),
            kvk_extract_date=data.validated_data.get("kvk_extract_date"),
        )
        return Response(AgreementOutSerializer(_payload(application)).data, status=status.HTTP_201_CREATED)


class AgreementReviewView(_AgreementView):
    required_roles = {"post": Action.REVIEW_AGREEMENT}

    @extend_schema(
        summary="Approve or reject the project agreement (R45)",
        request=AgreementReviewSerializer,
        responses={
            200: AgreementOutSerializer,
            404: OpenApiResponse(description="Not granted, or not visible"),
            409: OpenApiResponse(description="Not submitted"),
        },
    )
    def post(self, request, pk: int):
        application = self.get_application()
        data = AgreementReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        agreements.agreement_review(
            application=application, approved=data.validated_data["approved"], reason=data.validated_data["reason"],
            by=request.user,
        )
        return Response(AgreementOutSerializer(_payload(application)).data)


class LapseView(APIView):
    permission_classes = [*BASE_PERMISSIONS]
    required_roles = {"post": Action.LAPSE_GRANTS}

    @extend_schema(
        summary="Lapse every grant of the period without an approved project agreement (R46)",
        request=None,
        responses={
            200: LapseOutSerializer,
            404: OpenApiResponse(description="No such period"),
            409: OpenApiResponse(description="The agreement deadline has not passed"),
        },
    )
    def post(self, request, number: int):
        period = get_object_or_404(Period, number=number)
        if not serves_all_regions(request.user):
            raise PermissionDenied(_("A lapse decides on every region's employers; you serve only some regions."))
        decisions = agreements.lapse_run(period=period, by=request.user)
        return Response(LapseOutSerializer({"lapsed": len(decisions)}).data)
