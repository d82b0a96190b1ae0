"""Employers, memberships, applications and registrations (shared/api.md).

Visibility: every lookup goes through ``applications.selectors`` so that an employer's objects are a
404 for anyone not linked to it (R2). Permissions on what a visible object allows are 403s.

``POST /api/v2/applications`` with an employer the caller may not see answers ``400`` with field
``employer`` and code ``not_found`` (the same answer as for an id that does not exist), so it reveals
nothing.
"""

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from djangorestframework_camel_case.parser import CamelCaseFormParser, CamelCaseMultiPartParser
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from sectorplan.api.errors import DomainError
from sectorplan.api.filters import WholeNumberFilter
from sectorplan.api.permissions import BASE_PERMISSIONS
from sectorplan.roles import Action, is_office, may

from .. import completion, selectors, services
from ..constants import ApplicationStatus, ProcessingAction
from ..decisions.amounts import with_amounts
from ..decisions.services import not_considered_decide
from ..importing import import_plan_lines, import_registrations
from ..models import Application, ApplicationTransition, CompletionRequest
from ..processing import log_processing, purpose_for
from .serializers import (
    ApplicationCreateSerializer,
    ApplicationSerializer,
    AssessmentInputSerializer,
    AssessmentResultSerializer,
    CompletionInputSerializer,
    CompletionRequestInputSerializer,
    CompletionRequestSerializer,
    EmployerSerializer,
    ImportInputSerializer,
    ImportResultSerializer,
    MemberInputSerializer,
    MemberSerializer,
    NotConsideredResultSerializer,
    OfficeUserSerializer,
    PlanLineInputSerializer,
    PlanLineSerializer,
    RegistrationInputSerializer,
    RegistrationSerializer,
    StatusSerializer,
    SubmitInputSerializer,
    SubmitResultSerializer,
    WithdrawInputSerializer,
)

ERROR_RESPONSES = {
    400: OpenApiResponse(description="Invalid input: problem details listing every problem in invalidParams"),
    403: OpenApiResponse(description="Not allowed"),
    404: OpenApiResponse(description="Not found, or not visible to the caller"),
    409: OpenApiResponse(description="State conflict"),
}


# --- Employers ---------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Employers the caller is a member of (the office: all)"),
    retrieve=extend_schema(summary="One employer"),
    create=extend_schema(summary="Create an employer (staff, office)", responses={201: EmployerSerializer, **ERROR_RESPONSES}),
)
class EmployerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = EmployerSerializer
    permission_classes = [*BASE_PERMISSIONS]
    required_roles = {"create": Action.MANAGE_EMPLOYERS}

    def get_queryset(self):
        return selectors.employers_visible_to(self.request.user).select_related("region").order_by("name", "id")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        employer = services.employer_create(by=request.user, **serializer.validated_data)
        return Response(self.get_serializer(employer).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Link an account to the employer (staff, office; a contact invites instead)",
        request=MemberInputSerializer,
        responses={201: MemberSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def members(self, request, pk=None):
        employer = self.get_object()
        user = request.user
        # Issue 16, item 6: an account joins an employer only with its consent (an invitation it accepts, R3);
        # linking directly is the office's administrative act, recorded with who linked it (created_by/at).
        if not may(user, Action.MANAGE_EMPLOYERS):
            raise PermissionDenied(_("Only the office links accounts directly; a contact invites colleagues."))
        serializer = MemberInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.membership_add(
            employer=employer, user=serializer.validated_data["username"], role=serializer.validated_data["role"], by=user
        )
        return Response(MemberSerializer(membership).data, status=status.HTTP_201_CREATED)


# --- Applications ------------------------------------------------------------------------------


class ApplicationFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=ApplicationStatus.choices)
    period = WholeNumberFilter(field_name="period__number", max_value=32767)
    region = filters.CharFilter(field_name="region__code")
    employer = WholeNumberFilter(field_name="employer_id")
    reference = filters.CharFilter(field_name="reference", lookup_expr="icontains")

    class Meta:
        model = Application
        fields = ["status", "period", "region", "employer", "reference"]


@extend_schema_view(
    list=extend_schema(summary="Applications of the caller's employers (the office: all)"),
    retrieve=extend_schema(summary="One application with its amounts and timeline (R39)"),
    create=extend_schema(
        summary="Draft an application (a contact of the employer)",
        request=ApplicationCreateSerializer,
        responses={201: ApplicationSerializer, **ERROR_RESPONSES},
    ),
)
class ApplicationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = ApplicationSerializer
    permission_classes = [*BASE_PERMISSIONS]
    required_roles = {
        "assessment": Action.ASSESS,
        "completion_requests": Action.ASSESS,
        "not_considered": Action.NOT_CONSIDER,
    }
    filterset_class = ApplicationFilter

    def get_queryset(self):
        qs = selectors.applications_visible_to(self.request.user)
        if self.action in ("list", "retrieve", "create"):
            qs = (
                with_amounts(qs)
                .select_related("receipt")
                .prefetch_related(
                    Prefetch("transitions", queryset=ApplicationTransition.objects.select_related("actor")),
                    Prefetch("completion_requests", queryset=CompletionRequest.objects.select_related("requested_by")),
                )
            )
        return qs.order_by("period__number", "number")

    def _fresh(self, application: Application) -> dict:
        """The application as the detail endpoint shows it."""
        obj = (
            with_amounts(selectors.applications_visible_to(self.request.user))
            .select_related("receipt")
            .prefetch_related(
                Prefetch("transitions", queryset=ApplicationTransition.objects.select_related("actor")),
                Prefetch("completion_requests", queryset=CompletionRequest.objects.select_related("requested_by")),
            )
            .get(pk=application.pk)
        )
        return ApplicationSerializer(obj, context=self.get_serializer_context()).data

    def _require_contact(self, application: Application) -> None:
        if not selectors.is_contact(self.request.user, application.employer):
            raise PermissionDenied(_("Only a contact of the employer can do this."))

    def create(self, request, *args, **kwargs):
        serializer = ApplicationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        employer = selectors.employers_visible_to(request.user).filter(pk=data["employer"]).first()
        if employer is None:
            raise DomainError(field="employer", code="not_found", message=_("No employer with this id was found."))
        if not (request.user.is_staff or selectors.is_contact(request.user, employer)):
            raise PermissionDenied(_("Only a contact of the employer can create an application."))
        application = services.application_create(
            employer=employer, region=data["region"], period=data["period"], small=data["small"], by=request.user
        )
        return Response(self._fresh(application), status=status.HTTP_201_CREATED)

    # --- plan lines (R8, R12, R13) ---

    @extend_schema(
        methods=["GET"],
        summary="List the application's plan lines (members, office)",
        responses={200: PlanLineSerializer(many=True)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Add one plan line or a list (contacts, while draft; R8, R12)",
        request=PlanLineInputSerializer(many=True),
        responses={201: {"type": "array", "items": {"$ref": "#/components/schemas/PlanLine"}}, **ERROR_RESPONSES},
        description="Send one plan line object or a list of them; all or nothing. The answer is a list.",
    )
    @action(detail=True, methods=["get", "post"], url_path="plan-lines", url_name="plan-lines")
    def plan_lines(self, request, pk=None):
        application = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(application.plan_lines.order_by("activity_type", "focus", "id"))
            return self.get_paginated_response(PlanLineSerializer(page, many=True).data)
        self._require_contact(application)
        many = isinstance(request.data, list)
        extra = {"allow_empty": False} if many else {}
        serializer = PlanLineInputSerializer(data=request.data, many=many, **extra)
        serializer.is_valid(raise_exception=True)
        rows = serializer.validated_data if many else [serializer.validated_data]
        created = services.plan_lines_add(application=application, rows=[dict(r) for r in rows], by=request.user)
        return Response(PlanLineSerializer(created, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Remove a plan line (contacts, while draft)", request=None,
                   responses={204: None, **ERROR_RESPONSES})
    @action(detail=True, methods=["delete"], url_path=r"plan-lines/(?P<line_id>\d+)", url_name="plan-line")
    def plan_line(self, request, pk=None, line_id=None):
        application = self.get_object()
        line = application.plan_lines.filter(pk=int(line_id)).first()
        if line is None:
            raise NotFound
        self._require_contact(application)
        services.plan_line_delete(line=line, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Import plan lines from a CSV (UTF-8, Dutch Excel) or XLSX file (contacts, while draft; R13)",
        request={"multipart/form-data": ImportInputSerializer},
        responses={201: ImportResultSerializer, **ERROR_RESPONSES},
        description="Header row activity_type;focus;count;planned_cost. All or nothing: any bad row gives 400 "
        "listing every bad row with line, field, code, message.",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="plan-lines/import",
        url_name="plan-lines-import",
        parser_classes=[MultiPartParser, FormParser],
    )
    def plan_lines_import(self, request, pk=None):
        application = self.get_object()
        self._require_contact(application)
        serializer = ImportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = import_plan_lines(
            application=application, uploaded_file=serializer.validated_data["file"], by=request.user
        )
        return Response({"created": len(created)}, status=status.HTTP_201_CREATED)

    # --- registrations (proto-registrations of a granted application) ---

    @extend_schema(
        methods=["GET"],
        summary="List the application's registrations (members, office)",
        responses={200: RegistrationSerializer(many=True)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Add one registration or a list (contacts, once granted)",
        request=RegistrationInputSerializer(many=True),
        # A plain (unpaginated) list: RegistrationSerializer(many=True) would be documented as a page.
        responses={201: {"type": "array", "items": {"$ref": "#/components/schemas/Registration"}}, **ERROR_RESPONSES},
        description="Send one registration object or a list of them; all or nothing. The answer is a list.",
    )
    @action(detail=True, methods=["get", "post"])
    def registrations(self, request, pk=None):
        application = self.get_object()
        if request.method == "GET":
            qs = application.registrations.order_by("id")
            page = self.paginate_queryset(qs)
            log_processing(user=request.user, action=ProcessingAction.READ, objects=page,
                           purpose=purpose_for(application), application=application)  # R54
            return self.get_paginated_response(RegistrationSerializer(page, many=True).data)
        self._require_contact(application)
        many = isinstance(request.data, list)
        extra = {"allow_empty": False} if many else {}  # an empty list is bad input, not "201 []"
        serializer = RegistrationInputSerializer(data=request.data, many=many, **extra)
        serializer.is_valid(raise_exception=True)
        rows = serializer.validated_data if many else [serializer.validated_data]
        created = services.registrations_add(application=application, rows=[dict(r) for r in rows], by=request.user)
        return Response(RegistrationSerializer(created, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Import registrations from a CSV (UTF-8) or XLSX file (contacts, once granted)",
        request={"multipart/form-data": ImportInputSerializer},
        responses={201: ImportResultSerializer, **ERROR_RESPONSES},
        description="All or nothing: any bad row gives 400 listing every bad row with line, field, code, message.",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="registrations/import",
        url_name="registrations-import",
        parser_classes=[CamelCaseMultiPartParser, CamelCaseFormParser],
    )
    def import_file(self, request, pk=None):
        application = self.get_object()
        self._require_contact(application)
        serializer = ImportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = import_registrations(
            application=application, uploaded_file=serializer.validated_data["file"], by=request.user
        )
        return Response({"created": len(created)}, status=status.HTTP_201_CREATED)

    # --- transitions ---

    @extend_schema(
        summary="Submit the application inside the period's window (contacts; R6, R7), with its receipt (R42)",
        request=SubmitInputSerializer,
        responses={200: SubmitResultSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        application = self.get_object()
        self._require_contact(application)
        application = services.application_submit(application=application, by=request.user)
        receipt = application.receipt  # R42: written in the submission's transaction
        return Response(
            SubmitResultSerializer(
                {"status": application.status, "received_at": application.submitted_at, "receipt": receipt}
            ).data
        )

    @extend_schema(
        summary="Withdraw the application until it is decided (contacts; R7)",
        request=WithdrawInputSerializer,
        responses={200: StatusSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        application = self.get_object()
        self._require_contact(application)
        serializer = WithdrawInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = services.application_withdraw(
            application=application, by=request.user, reason=serializer.validated_data.get("reason", "")
        )
        return Response({"status": application.status})

    @extend_schema(
        summary="Assess every plan line: eligible count, with a reason when lower (office_reviewer; R15)",
        request=AssessmentInputSerializer,
        responses={200: AssessmentResultSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def assessment(self, request, pk=None):
        application = self.get_object()
        serializer = AssessmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = services.application_assess(
            application=application,
            verdicts=[dict(v) for v in serializer.validated_data["lines"]],
            by=request.user,
        )
        return Response(
            AssessmentResultSerializer({"status": application.status, "eligible_amount": application.eligible_amount}).data
        )


    # --- completion and not considering (R43) ---

    @extend_schema(
        summary="Ask the employer to complete the application by a due date (office_reviewer; R43)",
        request=CompletionRequestInputSerializer,
        responses={201: CompletionRequestSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"], url_path="completion-requests", url_name="completion-requests")
    def completion_requests(self, request, pk=None):
        application = self.get_object()
        serializer = CompletionRequestInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = completion.completion_request_create(
            application=application, missing=serializer.validated_data["missing"],
            due_date=serializer.validated_data.get("due_date"), by=request.user,
        )
        return Response(CompletionRequestSerializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Complete the open completion request (contacts; R43)",
        request=CompletionInputSerializer,
        responses={200: CompletionRequestSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def completion(self, request, pk=None):
        application = self.get_object()
        self._require_contact(application)
        serializer = CompletionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        done = completion.completion_complete(
            application=application, explanation=serializer.validated_data["explanation"], by=request.user
        )
        return Response(CompletionRequestSerializer(done).data)

    @extend_schema(
        summary="Decide not to consider the application after an expired completion request (office_decider; R43)",
        request=None,
        responses={200: NotConsideredResultSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"], url_path="not-considered", url_name="not-considered")
    def not_considered(self, request, pk=None):
        application = self.get_object()
        decision = not_considered_decide(application=application, by=request.user)
        return Response({"status": ApplicationStatus.NOT_CONSIDERED, "decision": decision.pk})


# --- Office users (R4) -------------------------------------------------------------------------


class OfficeUserView(APIView):
    """``PATCH /office-users/{username}/`` (staff): the regional employer organisations an office user serves."""

    permission_classes = [*BASE_PERMISSIONS]
    required_roles = {"get": Action.SCOPE_OFFICE_USERS, "patch": Action.SCOPE_OFFICE_USERS}

    def _user(self, username: str):
        user = get_user_model().objects.filter(username=username).first()
        if user is None or not is_office(user):
            raise Http404
        return user

    @extend_schema(summary="The regions an office user serves (staff; R4)", responses={200: OfficeUserSerializer})
    def get(self, request, username: str):
        user = self._user(username)
        return Response({"username": user.username, "employer_organisations": selectors.office_scope_codes(user)})

    @extend_schema(
        summary="Scope an office user to regional employer organisations; empty: all regions (staff; R4)",
        request=OfficeUserSerializer,
        responses={200: OfficeUserSerializer, **ERROR_RESPONSES},
    )
    def patch(self, request, username: str):
        user = self._user(username)
        serializer = OfficeUserSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        codes = services.office_scope_set(
            user=user, codes=serializer.validated_data["employer_organisations"], by=request.user
        )
        return Response({"username": user.username, "employer_organisations": codes})
