"""API of advance runs and payment batches (shared/api.md "Money runs"; R48).

A run decides on every region's employers and its payment file holds every employer's IBAN, so only office users
serving all regions take part (a scoped user: 403, like a confirmation of an allocation).
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from budgets.models import Period
from sectorplan.api.fields import UTCDateTimeField
from sectorplan.api.permissions import BASE_PERMISSIONS
from sectorplan.roles import Action

from ..models import AdvanceRun, PaymentBatch
from ..selectors import serves_all_regions
from . import advances

ERRORS = {
    403: OpenApiResponse(description="Not allowed for this role, or scoped to some regions"),
    404: OpenApiResponse(description="Not found"),
    409: OpenApiResponse(description="State conflict (four_eyes, stale, already_confirmed, discarded, nothing_due)"),
}


def _all_regions(user) -> None:
    if not serves_all_regions(user):
        raise PermissionDenied(_("An advance run concerns every region's employers; you serve only some regions."))


class AdvanceRunLineSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    reference = serializers.CharField()
    employer = serializers.IntegerField()
    employer_name = serializers.CharField()
    budget_line = serializers.CharField()
    approved_amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="Approved registrations' subsidy")
    granted_amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="Reservation at grant")
    eligible_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    cap = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="Unconditional + released reservation")
    entitled = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="Advance share of the basis")
    already_paid = serializers.DecimalField(max_digits=14, decimal_places=2)
    advance = serializers.DecimalField(max_digits=14, decimal_places=2)
    iban = serializers.CharField()
    blocked = serializers.BooleanField(help_text="Invalid IBAN: listed, not paid")
    blocked_reason = serializers.CharField(allow_blank=True)


class TotalSerializer(serializers.Serializer):
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    count = serializers.IntegerField()


class BudgetLineTotalSerializer(TotalSerializer):
    budget_line = serializers.CharField()


class EmployerTotalSerializer(TotalSerializer):
    employer = serializers.IntegerField()
    name = serializers.CharField()


class PaymentBatchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    count = serializers.IntegerField()


class PaymentBatchDetailSerializer(PaymentBatchSerializer):
    sha256 = serializers.CharField()


class AdvanceRunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    period = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["proposed", "confirmed", "discarded"])
    advance_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    total = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="Total to pay (not blocked)")
    count = serializers.IntegerField()
    blocked_total = serializers.DecimalField(max_digits=14, decimal_places=2)
    blocked_count = serializers.IntegerField()
    created_by = serializers.CharField()
    created_at = UTCDateTimeField()
    confirmed_by = serializers.CharField(allow_null=True)
    confirmed_at = UTCDateTimeField(allow_null=True)
    budget_lines = BudgetLineTotalSerializer(many=True)
    employers = EmployerTotalSerializer(many=True)
    lines = AdvanceRunLineSerializer(many=True)
    payment_batch = PaymentBatchDetailSerializer(allow_null=True)


class AdvanceRunConfirmOutSerializer(serializers.Serializer):
    payment_batch = PaymentBatchSerializer()


class AdvanceRunProposeView(APIView):
    permission_classes = [*BASE_PERMISSIONS]
    required_roles = {"post": Action.PROPOSE_ADVANCE_RUN}

    @extend_schema(
        summary="Propose the advance run of a period (R48)", request=None,
        responses={201: AdvanceRunSerializer, **ERRORS},
    )
    def post(self, request, number: int):
        period = get_object_or_404(Period, number=number)
        _all_regions(request.user)
        run = advances.advance_run_propose(period=period, by=request.user)
        return Response(AdvanceRunSerializer(advances.advance_run_summary(run)).data, status=status.HTTP_201_CREATED)


class AdvanceRunView(APIView):
    permission_classes = [*BASE_PERMISSIONS]
    required_roles = {"get": Action.OFFICE}

    @extend_schema(summary="An advance run with its lines and totals (R48)", responses={200: AdvanceRunSerializer, **ERRORS})
    def get(self, request, pk: int):
        run = get_object_or_404(AdvanceRun.objects.select_related("period", "created_by", "confirmed_by"), pk=pk)
        _all_regions(request.user)
        return Response(AdvanceRunSerializer(advances.advance_run_summary(run)).data)


class AdvanceRunConfirmView(APIView):
    permission_classes = [*BASE_PERMISSIONS]
    required_roles = {"post": Action.CONFIRM_ADVANCE_RUN}

    @extend_schema(
        summary="Confirm an advance run: advance decisions, ledger and the SEPA payment batch (R48)", request=None,
        responses={200: AdvanceRunConfirmOutSerializer, **ERRORS},
    )
    def post(self, request, pk: int):
        run = get_object_or_404(AdvanceRun, pk=pk)
        _all_regions(request.user)
        batch = advances.advance_run_confirm(run=run, by=request.user)
        return Response(
            AdvanceRunConfirmOutSerializer({"payment_batch": {"id": batch.pk, "total": batch.total, "count": batch.count}}).data
        )


def sepa_response(batch: PaymentBatch) -> HttpResponse:
    with batch.file.open("rb") as fh:
        content = fh.read()
    response = HttpResponse(content, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="sepa-T{batch.period.number}-batch-{batch.pk}.xml"'
    response["X-Content-SHA256"] = batch.sha256
    response["Cache-Control"] = "private, no-store"
    return response


class PaymentBatchSepaView(APIView):
    permission_classes = [*BASE_PERMISSIONS]
    required_roles = {"get": Action.OFFICE}

    @extend_schema(
        summary="The payment batch's SEPA credit-transfer file (pain.001.001.03; control sum = ledger, R48)",
        responses={
            (200, "application/xml"): OpenApiResponse(OpenApiTypes.BINARY, description="pain.001 credit transfers."),
            **ERRORS,
        },
    )
    def get(self, request, pk: int):
        batch = get_object_or_404(PaymentBatch.objects.select_related("period"), pk=pk)
        _all_regions(request.user)
        return sepa_response(batch)
