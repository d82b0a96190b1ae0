"""API of the section "Allocation, decisions, holdback" of shared/api.md (R16-R24): the decisions' endpoints."""

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from budgets import selectors
from budgets.api.serializers import (
    AdviceInSerializer,
    AdviceOutSerializer,
    AllocationConfirmOutSerializer,
    AllocationOutSerializer,
    HoldbackForfeitOutSerializer,
)
from budgets.models import Allocation, Period, Region
from sectorplan.api.errors import DomainError
from sectorplan.api.permissions import BASE_PERMISSIONS
from sectorplan.roles import Action

from ..models import Decision, Letter
from ..selectors import applications_visible_to, region_in_scope, serves_all_regions, visible_allocation_summary
from . import services
from .serializers import DecisionOutSerializer

ERRORS = {
    403: OpenApiResponse(description="Not allowed for this role"),
    404: OpenApiResponse(description="Not found"),
    409: OpenApiResponse(description="State conflict"),
}


class AllocationProposeView(APIView):
    permission_classes = [*BASE_PERMISSIONS]
    required_roles = {"post": Action.PROPOSE_ALLOCATION}

    @extend_schema(
        summary="Compute the allocation proposal of a period (R16-R18)",
        request=None,
        responses={201: AllocationOutSerializer, **ERRORS},
    )
    def post(self, request, number: int):
        period = get_object_or_404(Period, number=number)
        allocation = services.allocation_propose(period=period, by=request.user)
        summary = visible_allocation_summary(selectors.allocation_summary(allocation=allocation), request.user)
        return Response(AllocationOutSerializer(summary).data, status=status.HTTP_201_CREATED)  # a new proposal


class AllocationConfirmView(APIView):
    permission_classes = [*BASE_PERMISSIONS]
    required_roles = {"post": Action.CONFIRM_ALLOCATION}

    @extend_schema(
        summary="Confirm an allocation proposal: one decision per application (R18-R22)",
        request=None,
        responses={200: AllocationConfirmOutSerializer, **ERRORS},
    )
    def post(self, request, number: int, pk: int):
        allocation = get_object_or_404(Allocation, pk=pk, period__number=number)
        if not serves_all_regions(request.user):
            raise PermissionDenied(_("A confirmation decides on every region's employers; you serve only some regions."))
        allocation = services.allocation_confirm(allocation=allocation, by=request.user)
        return Response(
            AllocationConfirmOutSerializer(
                {"id": allocation.pk, "status": allocation.status, "decisions": allocation.decisions.count()}
            ).data
        )


class AdviceView(APIView):
    permission_classes = [*BASE_PERMISSIONS]
    required_roles = {"post": Action.RECORD_ADVICE}

    @extend_schema(
        summary="Record the Commission's advice for a region (R21); a positive advice releases (R23)",
        request=AdviceInSerializer,
        responses={201: AdviceOutSerializer, 400: OpenApiResponse(description="Invalid input"), **ERRORS},
    )
    def post(self, request, code: str):
        region = get_object_or_404(Region, code=code)
        serializer = AdviceInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        period = Period.objects.filter(number=data["period"]).first()
        if period is None:
            raise DomainError(field="period", code="does_not_exist", message=_("No period with this number."))
        advice = services.advice_record(
            region=region, period=period, outcome=data["outcome"], date=data["date"],
            reference=data["reference"], by=request.user,
        )
        return Response(AdviceOutSerializer(advice).data, status=status.HTTP_201_CREATED)


class HoldbackForfeitView(APIView):
    permission_classes = [*BASE_PERMISSIONS]
    required_roles = {"post": Action.FORFEIT_HOLDBACK}

    @extend_schema(
        summary="Forfeit a region's held-back amounts after a negative advice (R24)",
        request=None,
        responses={200: HoldbackForfeitOutSerializer, **ERRORS},
    )
    def post(self, request, number: int, region_code: str):
        period = get_object_or_404(Period, number=number)
        region = get_object_or_404(Region, code=region_code)
        if not region_in_scope(request.user, region):
            raise Http404  # R4: another region
        decisions = services.holdback_forfeit(period=period, region=region, by=request.user)
        total = sum((d.forfeited_amount for d in decisions), start=0)
        return Response(
            HoldbackForfeitOutSerializer(
                {"period": period.number, "region": region.code, "decisions": len(decisions), "forfeited": total}
            ).data
        )


class ApplicationDecisionsView(APIView):
    permission_classes = [*BASE_PERMISSIONS]

    @extend_schema(
        summary="The decisions on an application, each with its latest letter",
        responses={200: DecisionOutSerializer(many=True), 404: OpenApiResponse(description="Not found")},
    )
    def get(self, request, pk: int):
        application = get_object_or_404(applications_visible_to(request.user), pk=pk)
        decisions = (
            Decision.objects.filter(application=application)
            .prefetch_related(Prefetch("letters", queryset=Letter.objects.order_by("version")))
            .order_by("decided_at", "id")
        )
        return Response(DecisionOutSerializer(decisions, many=True).data)


