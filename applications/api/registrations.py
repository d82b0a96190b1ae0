"""Registrations (shared/api.md, "Registrations (accountability portal)"; R47, R49, R50, R29, R54).

``GET/PATCH /registrations/{id}``, ``POST /registrations/{id}/documents|submit|review|progress`` and
``GET /documents/{id}``. The list, create and import under ``/applications/{id}/registrations`` are actions of the
application viewset (``views.py``). Visibility goes through ``applications_visible_to``: another employer's
registration or document is a 404 (R2), a scoped office user's other regions too (R4). Members of either role
write; the office reviewer reviews; every office read of a registration or a document is logged (R54).
"""

from django.db.models import Prefetch
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from budgets.constants import evidence_file_name
from sectorplan.api.fields import UTCDateTimeField
from sectorplan.api.permissions import BASE_PERMISSIONS
from sectorplan.api.views import ObjectAPIView
from sectorplan.roles import Action, is_office

from .. import registrations, rules
from ..constants import AgeBand, DocumentKind, Outcome, ProcessingAction, RegistrationStatus
from ..models import Registration, RegistrationDocument, RegistrationTransition
from ..processing import log_processing, purpose_for
from ..selectors import applications_visible_to
from .serializers import MONEY, RegistrationInputSerializer

ERRORS = {
    400: OpenApiResponse(description="Invalid input: problem details listing every problem in invalidParams"),
    403: OpenApiResponse(description="Not allowed"),
    404: OpenApiResponse(description="Not found, or not visible to the caller"),
    409: OpenApiResponse(description="State conflict"),
}


# --- serializers ------------------------------------------------------------------------------------------


class RegistrationSerializer(serializers.ModelSerializer):
    """A registration as lists show it (R47): its fields, derived age band and amount, status and progress."""

    status = serializers.ChoiceField(choices=RegistrationStatus.choices, read_only=True)
    age_band = serializers.ChoiceField(choices=AgeBand.choices, read_only=True)
    amount = serializers.DecimalField(**MONEY, read_only=True)
    cost = serializers.DecimalField(**MONEY, read_only=True, allow_null=True)
    actual_cost = serializers.DecimalField(**MONEY, read_only=True, allow_null=True)
    outcome = serializers.ChoiceField(choices=Outcome.choices, read_only=True, allow_blank=True)
    duplicate_of = serializers.SerializerMethodField()
    reported_at = UTCDateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Registration
        fields = [
            "id", "application", "status", *rules.REGISTRATION_FIELDS, "age_band", "amount", "review_reason",
            "duplicate_of", "started", "outcome", "actual_cost", "reported_at",
        ]
        read_only_fields = fields

    def get_duplicate_of(self, obj) -> int | None:
        """R47: the id of the same person's registration (activity type, start date) in another employer's
        application, shown to the office reviewer only (it is the other employer's data, R40); members: null."""
        request = self.context.get("request")
        if request is None or not is_office(request.user):
            return None
        return obj.duplicate_of_id


class DocumentSerializer(serializers.ModelSerializer):
    uploaded_at = UTCDateTimeField(read_only=True)

    class Meta:
        model = RegistrationDocument
        fields = ["id", "kind", "version", "sha256", "size", "media_type", "scanned", "uploaded_at"]
        read_only_fields = fields


class RegistrationTimelineSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, read_only=True)
    at = UTCDateTimeField(read_only=True)

    class Meta:
        model = RegistrationTransition
        fields = ["at", "actor", "from_status", "to_status", "reason"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["from"] = data.pop("from_status") or None
        data["to"] = data.pop("to_status")
        return data


@extend_schema_field({
    "type": "array",
    "items": {"type": "object", "properties": {
        "at": {"type": "string", "format": "date-time"}, "actor": {"type": "string", "nullable": True},
        "from": {"type": "string", "nullable": True}, "to": {"type": "string"}, "reason": {"type": "string"},
    }},
})
class RegistrationTimelineField(serializers.ListSerializer):
    pass


class RegistrationDetailSerializer(RegistrationSerializer):
    """One registration with its evidence (latest version first per kind), what is still missing, and its
    timeline (R49, R50)."""

    documents = DocumentSerializer(many=True, read_only=True)
    required_documents = serializers.SerializerMethodField()
    missing_documents = serializers.SerializerMethodField()
    timeline = RegistrationTimelineField(child=RegistrationTimelineSerializer(), source="transitions", read_only=True)

    class Meta(RegistrationSerializer.Meta):
        fields = [*RegistrationSerializer.Meta.fields, "documents", "required_documents", "missing_documents",
                  "timeline"]
        read_only_fields = fields

    def get_required_documents(self, obj) -> list[str]:
        return registrations.required_documents(obj)

    def get_missing_documents(self, obj) -> list[str]:
        return registrations.missing_documents(obj)


class DocumentUploadSerializer(serializers.Serializer):
    """Schema of the multipart request; the service checks the file (type by content, size, virus scan)."""

    file = serializers.FileField(required=False, help_text=_("PDF, JPEG or PNG, at most 10 MB (R50)."))
    kind = serializers.ChoiceField(choices=DocumentKind.choices)


class RegistrationSubmitResultSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=RegistrationStatus.choices)


class ReviewInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[(s, s) for s in registrations.REVIEW_OUTCOMES])
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000,
                                   help_text=_("Required for rejected (why) and repair_requested (what to repair)."))


class ProgressInputSerializer(serializers.Serializer):
    started = serializers.BooleanField()
    outcome = serializers.ChoiceField(choices=Outcome.choices, required=False, allow_null=True, allow_blank=True,
                                      help_text=_("Omitted when not started."))
    actual_cost = serializers.DecimalField(**MONEY, required=False, allow_null=True, min_value=0)


# --- views -------------------------------------------------------------------------------------------------


def visible_registrations(user):
    return Registration.objects.filter(application__in=applications_visible_to(user))


def _require_member(request, registration) -> None:
    if not registrations.is_member(request.user, registration.application.employer):
        raise PermissionDenied(_("Only the employer's members can do this."))


class RegistrationViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = RegistrationDetailSerializer
    permission_classes = [*BASE_PERMISSIONS]
    required_roles = {"review": Action.REVIEW_REGISTRATION}
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return visible_registrations(self.request.user).select_related(
            "application__employer", "application__period", "application__region"
        )

    def _detail(self, registration, *, log: bool = False, status_code: int = 200) -> Response:
        registration = (
            self.get_queryset()
            .prefetch_related(Prefetch("documents", queryset=RegistrationDocument.objects.order_by("kind", "-version")),
                              "transitions__actor")
            .get(pk=registration.pk)
        )
        if log:  # R54: an office read of a registration (its person and documents' metadata)
            log_processing(user=self.request.user, action=ProcessingAction.READ, objects=[registration],
                           purpose=purpose_for(registration.application), application=registration.application)
        data = RegistrationDetailSerializer(registration, context=self.get_serializer_context()).data
        return Response(data, status=status_code)

    @extend_schema(summary="One registration with its documents, timeline and duplicate flag (members; office, "
                           "logged R54)", responses={200: RegistrationDetailSerializer, **ERRORS})
    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object(), log=True)

    @extend_schema(
        summary="Change a registration while draft or repair requested (members; R47)",
        request=RegistrationInputSerializer, responses={200: RegistrationDetailSerializer, **ERRORS},
    )
    def partial_update(self, request, *args, **kwargs):
        registration = self.get_object()
        _require_member(request, registration)
        serializer = RegistrationInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        registrations.registration_update(registration=registration, values=dict(serializer.validated_data),
                                          by=request.user)
        return self._detail(registration)

    @extend_schema(
        summary="Upload an evidence document (members; R50): PDF, JPEG or PNG by content, at most 10 MB",
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={201: DocumentSerializer, 413: OpenApiResponse(description="A file over 10 MB"), **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def documents(self, request, pk=None):
        registration = self.get_object()
        _require_member(request, registration)
        data = DocumentUploadSerializer(data={k: v for k, v in request.data.items() if k == "kind"})
        data.is_valid(raise_exception=True)
        document = registrations.document_upload(
            registration=registration, kind=data.validated_data["kind"], upload=request.FILES.get("file"),
            by=request.user,
        )
        return Response(DocumentSerializer(document).data, status=201)

    @extend_schema(
        summary="Submit for review (members; once the project agreement is approved, R46; every required "
                "document, R50)",
        request=None, responses={200: RegistrationSubmitResultSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        registration = self.get_object()
        _require_member(request, registration)
        registration = registrations.registration_submit(registration=registration, by=request.user)
        return Response({"status": registration.status})

    @extend_schema(
        summary="Approve, reject with a reason, or request a repair naming what to repair (office_reviewer; R49)",
        request=ReviewInputSerializer, responses={200: RegistrationDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        registration = self.get_object()
        data = ReviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        registrations.registration_review(registration=registration, outcome=data.validated_data["outcome"],
                                          reason=data.validated_data["reason"], by=request.user)
        return self._detail(registration)

    @extend_schema(
        summary="Report progress of an approved registration until the accountability deadline (members; R29)",
        request=ProgressInputSerializer, responses={200: RegistrationDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        registration = self.get_object()
        _require_member(request, registration)
        data = ProgressInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        registrations.progress_report(
            registration=registration, started=data.validated_data["started"],
            outcome=data.validated_data.get("outcome"), actual_cost=data.validated_data.get("actual_cost"),
            by=request.user,
        )
        return self._detail(registration)


class DocumentView(ObjectAPIView):
    """``GET /documents/{id}``: an evidence document for the employer's members and the (scoped) office, whose
    read is logged (R50, R54); anyone else 404."""

    permission_classes = [*BASE_PERMISSIONS]

    def get_queryset(self):
        return RegistrationDocument.objects.filter(
            registration__application__in=applications_visible_to(self.request.user)
        ).select_related("registration__application")

    @extend_schema(
        summary="Download an evidence document (members; office, logged R54)",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The file."),
            404: OpenApiResponse(description="No such document, or not yours."),
        },
    )
    def get(self, request, pk: int):
        document = get_object_or_404(self.get_queryset(), pk=pk)
        application = document.registration.application
        log_processing(user=request.user, action=ProcessingAction.READ, objects=[document],
                       purpose=purpose_for(application), application=application)
        response = FileResponse(document.file.open("rb"), content_type=document.media_type, as_attachment=True,
                                filename=f"{evidence_file_name(document.kind)}-v{document.version}.{document.file.name.rsplit('.', 1)[-1]}")
        response["X-Content-SHA256"] = document.sha256
        response["Cache-Control"] = "private, no-store"
        return response
