"""API of lowering (R51) and redistribution rounds (R52), section "Money runs" of shared/api.md.

``POST /periods/{number}/lowerings`` is, as api.md lists it, the decider's act that lowers the reservations; by
issue 13 every money step is a proposal and a confirmation by a different decider, so it **confirms the period's
open lowering proposal** made by another office user through ``POST /periods/{number}/lowering-proposals`` (409
``no_proposal`` without one, ``four_eyes`` for the proposer). ``GET /periods/{number}/lowering-proposals`` shows
the open proposal.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from budgets.api.serializers import MONEY_OUT
from budgets.models import Period
from sectorplan.api.errors import DomainError
from sectorplan.api.permissions import BASE_PERMISSIONS
from sectorplan.money import ZERO
from sectorplan.roles import Action, is_office

from ..models import Application, RevisionChange, RevisionRound
from ..selectors import applications_visible_to, is_contact, serves_all_regions
from . import lowering, rounds

ERRORS = {
    403: OpenApiResponse(description="Not allowed for this role"),
    404: OpenApiResponse(description="Not found"),
    409: OpenApiResponse(description="State conflict"),
}
INPUT_ERRORS = {400: OpenApiResponse(description="Invalid input"), **ERRORS}


class LoweringLineOutSerializer(serializers.Serializer):
    application = serializers.IntegerField(source="application_id")
    reference = serializers.CharField()
    approved_amount = serializers.DecimalField(**MONEY_OUT)
    previous_reserved = serializers.DecimalField(**MONEY_OUT)
    new_reserved = serializers.DecimalField(**MONEY_OUT)
    previous_held = serializers.DecimalField(**MONEY_OUT)
    new_held = serializers.DecimalField(**MONEY_OUT)
    freed = serializers.DecimalField(**MONEY_OUT)


class LoweringProposalOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    freed = serializers.DecimalField(**MONEY_OUT)
    lines = LoweringLineOutSerializer(many=True)


class LoweringOutSerializer(serializers.Serializer):
    lowered = serializers.IntegerField()
    freed = serializers.DecimalField(**MONEY_OUT)


def _lowering_summary(proposal) -> dict:
    lines = list(proposal.lines.select_related("application__period").order_by("application_id"))
    rows = [
        {"application_id": line.application_id, "reference": line.application.reference,
         "approved_amount": line.approved_amount, "previous_reserved": line.previous_reserved,
         "new_reserved": line.new_reserved, "previous_held": line.previous_held, "new_held": line.new_held,
         "freed": line.freed}
        for line in lines
    ]
    return {"id": proposal.pk, "status": proposal.status, "freed": sum((r["freed"] for r in rows), ZERO), "lines": rows}


def _all_regions(user) -> None:
    if not serves_all_regions(user):
        raise PermissionDenied(_("This decides on every region's employers; you serve only some regions."))


class LoweringProposalView(APIView):
    permission_classes = [*BASE_PERMISSIONS]
    required_roles = {"get": Action.PROPOSE_AMENDMENTS, "post": Action.PROPOSE_AMENDMENTS}

    @extend_schema(summary="The period's open lowering proposal (R51)", responses={200: LoweringProposalOutSerializer,
                                                                                   **ERRORS})
    def get(self, request, number: int):
        period = get_object_or_404(Period, number=number)
        _all_regions(request.user)
        proposal = lowering.open_proposal(period)
        if proposal is None:
            raise NotFound(_("This period has no open lowering proposal."))
        return Response(LoweringProposalOutSerializer(_lowering_summary(proposal)).data)

    @extend_schema(summary="Propose the lowering of the period's reservations (R51)", request=None,
                   responses={201: LoweringProposalOutSerializer, **ERRORS})
    def post(self, request, number: int):
        period = get_object_or_404(Period, number=number)
        _all_regions(request.user)
        proposal = lowering.lowering_propose(period=period, by=request.user)
        return Response(LoweringProposalOutSerializer(_lowering_summary(proposal)).data, status=status.HTTP_201_CREATED)


class LoweringConfirmView(APIView):
    permission_classes = [*BASE_PERMISSIONS]
    required_roles = {"post": Action.CONFIRM_AMENDMENTS}

    @extend_schema(
        summary="Lower the reservations (R51): confirms the open lowering proposal of another office user",
        request=None, responses={200: LoweringOutSerializer, **ERRORS},
    )
    def post(self, request, number: int):
        period = get_object_or_404(Period, number=number)
        _all_regions(request.user)
        _proposal, decisions = lowering.lowering_confirm(period=period, by=request.user)
        freed = sum(((d.previous_reserved or ZERO) - d.granted_amount for d in decisions), ZERO)
        return Response(LoweringOutSerializer({"lowered": len(decisions), "freed": freed}).data)


class RoundInSerializer(serializers.Serializer):
    opens = serializers.DateField()
    closes = serializers.DateField()


class RoundOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    period = serializers.IntegerField(source="period.number")
    opens = serializers.DateField()
    closes = serializers.DateField()
    status = serializers.CharField()


class RoundOpenView(APIView):
    permission_classes = [*BASE_PERMISSIONS]
    required_roles = {"post": Action.PROPOSE_AMENDMENTS}

    @extend_schema(summary="Open a redistribution round (R52)", request=RoundInSerializer,
                   responses={201: RoundOutSerializer, **INPUT_ERRORS})
    def post(self, request, number: int):
        period = get_object_or_404(Period, number=number)
        _all_regions(request.user)
        serializer = RoundInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        revision_round = rounds.round_open(period=period, by=request.user, **serializer.validated_data)
        return Response(RoundOutSerializer(revision_round).data, status=status.HTTP_201_CREATED)


class RequestInSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    change = serializers.ChoiceField(choices=RevisionChange.choices)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class RequestOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    application = serializers.IntegerField(source="application_id")
    change = serializers.CharField()
    amount = serializers.DecimalField(**MONEY_OUT)
    reason = serializers.CharField()


def _visible_round(user, pk: int) -> RevisionRound:
    """A round is no secret to the office and to members of an employer with an application in its period."""
    revision_round = get_object_or_404(RevisionRound.objects.select_related("period"), pk=pk)
    if not is_office(user) and not applications_visible_to(user).filter(period_id=revision_round.period_id).exists():
        raise NotFound
    return revision_round


class RoundRequestView(APIView):
    permission_classes = [*BASE_PERMISSIONS]

    @extend_schema(summary="Request an increase or announce a decrease in a round (R52; contacts)",
                   request=RequestInSerializer, responses={201: RequestOutSerializer, **INPUT_ERRORS})
    def post(self, request, pk: int):
        revision_round = _visible_round(request.user, pk)
        serializer = RequestInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        application = applications_visible_to(request.user).filter(pk=data["application"]).first()
        if application is None:
            raise DomainError(field="application", code="not_found", message=_("No such application."))
        if not is_contact(request.user, application.employer):
            raise PermissionDenied(_("Only a contact of the employer files a request in a round."))
        req = rounds.revision_request(
            revision_round=revision_round, application=application, change=data["change"], amount=data["amount"],
            reason=data["reason"], by=request.user,
        )
        return Response(RequestOutSerializer(req).data, status=status.HTTP_201_CREATED)


class RoundLineOutSerializer(serializers.Serializer):
    application = serializers.IntegerField(source="application_id")
    reference = serializers.CharField()
    change = serializers.CharField()
    requested = serializers.DecimalField(**MONEY_OUT)
    granted = serializers.DecimalField(**MONEY_OUT)
    previous_reserved = serializers.DecimalField(**MONEY_OUT)
    new_reserved = serializers.DecimalField(**MONEY_OUT)


class RoundProposalOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    available = serializers.DecimalField(**MONEY_OUT)
    lines = RoundLineOutSerializer(many=True)


def round_summary(proposal, available) -> dict:
    references = dict(
        Application.objects.filter(pk__in=proposal.lines.values("application_id")).values_list("pk", "number")
    )
    number = proposal.round.period.number
    lines = [
        {**row, "reference": Application.make_reference(number, references[row["application_id"]])}
        for row in proposal.lines.order_by("application_id").values(
            "application_id", "change", "requested", "granted", "previous_reserved", "new_reserved"
        )
    ]
    return {"id": proposal.pk, "available": available, "lines": lines}


class RoundProposalView(APIView):
    permission_classes = [*BASE_PERMISSIONS]
    required_roles = {"post": Action.PROPOSE_AMENDMENTS}

    @extend_schema(summary="Propose the outcome of a closed redistribution round (R52)", request=None,
                   responses={201: RoundProposalOutSerializer, **ERRORS})
    def post(self, request, pk: int):
        revision_round = get_object_or_404(RevisionRound.objects.select_related("period"), pk=pk)
        _all_regions(request.user)
        proposal, available = rounds.round_propose(revision_round=revision_round, by=request.user)
        return Response(RoundProposalOutSerializer(round_summary(proposal, available)).data,
                        status=status.HTTP_201_CREATED)


class RoundConfirmOutSerializer(serializers.Serializer):
    decisions = serializers.IntegerField()


class RoundConfirmView(APIView):
    permission_classes = [*BASE_PERMISSIONS]
    required_roles = {"post": Action.CONFIRM_AMENDMENTS}

    @extend_schema(summary="Confirm a round's proposal: amendment decisions (R52; not the proposer)", request=None,
                   responses={200: RoundConfirmOutSerializer, **ERRORS})
    def post(self, request, pk: int):
        revision_round = get_object_or_404(RevisionRound.objects.select_related("period"), pk=pk)
        _all_regions(request.user)
        decisions = rounds.round_confirm(revision_round=revision_round, by=request.user)
        return Response(RoundConfirmOutSerializer({"decisions": len(decisions)}).data)
