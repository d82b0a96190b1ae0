"""``POST /api/v2/periods/{number}/deadline-extensions`` (R53): an office decider extends a deadline for the whole
period or for one employer. The view lives here, not in ``budgets``, because the employer is looked up among
the employers the caller may see (regional scoping, R4); the write is ``budgets.reference_services.deadline_extend``.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from budgets.constants import DeadlineKind
from budgets.models import DeadlineExtension, Period
from budgets.reference_services import deadline_extend
from sectorplan.api.errors import DomainError
from sectorplan.api.fields import UTCDateTimeField
from sectorplan.api.permissions import BASE_PERMISSIONS
from sectorplan.roles import Action

from .. import selectors


class DeadlineExtensionInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DeadlineKind.choices)
    date = serializers.DateField()
    reason = serializers.CharField(max_length=2000, trim_whitespace=True)
    employer = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                        help_text=_("Omitted or null: the whole period."))


class DeadlineExtensionSerializer(serializers.ModelSerializer):
    period = serializers.IntegerField(source="period.number", read_only=True)
    employer = serializers.IntegerField(source="employer_id", read_only=True, allow_null=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    created_at = UTCDateTimeField(read_only=True)

    class Meta:
        model = DeadlineExtension
        fields = ["id", "period", "kind", "date", "reason", "employer", "created_by", "created_at"]


class DeadlineExtensionView(APIView):
    permission_classes = [*BASE_PERMISSIONS]
    required_roles = {"post": Action.EXTEND_DEADLINE}

    @extend_schema(
        summary="Extend a deadline for the whole period or one employer (R53)",
        request=DeadlineExtensionInputSerializer,
        responses={
            201: DeadlineExtensionSerializer,
            400: OpenApiResponse(description="Invalid input, an earlier date or an implausible one"),
            403: OpenApiResponse(description="Not allowed for this role"),
            404: OpenApiResponse(description="No such period"),
        },
    )
    def post(self, request, number: int):
        period = get_object_or_404(Period, number=number)
        data = DeadlineExtensionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        employer = None
        if values.get("employer") is not None:
            employer = selectors.employers_visible_to(request.user).filter(pk=values["employer"]).first()
            if employer is None:  # unknown or outside the caller's regions: the same answer
                raise DomainError(field="employer", code="not_found", message=_("No such employer."))
        extension = deadline_extend(
            period=period, kind=values["kind"], date=values["date"], reason=values["reason"], employer=employer,
            by=request.user,
        )
        return Response(DeadlineExtensionSerializer(extension).data, status=status.HTTP_201_CREATED)
