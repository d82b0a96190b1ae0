"""Accountability, settlement, invitations and objections (shared/api.md, "Accountability and settlement")."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from applications.constants import ProcessingAction
from applications.processing import log_processing, purpose_for
from applications.selectors import applications_visible_to, employers_visible_to
from sectorplan.api.permissions import BASE_PERMISSIONS
from sectorplan.api.views import ObjectAPIView
from sectorplan.roles import Action, may

from .. import selectors, services
from ..models import AccountabilityReport
from . import serializers as s


def _report_payload(application) -> dict:
    report = AccountabilityReport.objects.filter(application=application).first()
    return {
        "application": application.pk,
        "deadline": services.accountability_deadline(application),
        "open_until": services.accountability_open_until(application, report),
        "submitted_at": report.submitted_at if report else None,
        "completion_statement": bool(report and report.completion_statement),
        "is_small": application.is_small,
        "registrations": [
            {"id": p.pk, "started": p.started, "outcome": p.outcome, "actual_cost": p.actual_cost, "reported_at": p.reported_at}
            for p in application.registrations.order_by("pk")
        ],
    }


class AccountabilityView(APIView):
    """R29/R31/R32: members of the employer (both roles) report per registration; members and office read."""

    permission_classes = [*BASE_PERMISSIONS]

    @extend_schema(summary="Read the accountability report", responses={200: s.AccountabilityOutputSerializer})
    def get(self, request, pk):
        application = get_object_or_404(applications_visible_to(request.user), pk=pk)
        payload = _report_payload(application)
        # R54: per registration what happened and what it cost: an office read is logged (members' reads are not).
        log_processing(user=request.user, action=ProcessingAction.READ, objects=application.registrations.order_by("pk"),
                       purpose=purpose_for(application), application=application)
        return Response(s.AccountabilityOutputSerializer(payload).data)

    @extend_schema(
        summary="Submit the accountability report",
        request=s.AccountabilityDocSerializer,
        responses={200: s.AccountabilityOutputSerializer},
    )
    def post(self, request, pk):
        application = get_object_or_404(applications_visible_to(request.user), pk=pk)
        if selectors.membership_of(request.user, application.employer) is None:
            raise PermissionDenied  # office may read, but only the employer reports
        data = s.AccountabilityInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.accountability_submit(application=application, rows=data.validated_data["registrations"], by=request.user)
        application.refresh_from_db()
        return Response(s.AccountabilityOutputSerializer(_report_payload(application)).data)


class AccountabilityReopenView(ObjectAPIView):
    """R32: the office reopens reporting after the deadline."""

    permission_classes = [*BASE_PERMISSIONS]
    required_roles = {"post": Action.REOPEN_ACCOUNTABILITY}  # looked up first: another employer's is a 404 (R2)

    def get_queryset(self):
        return applications_visible_to(self.request.user)

    @extend_schema(summary="Reopen accountability after the deadline", request=s.ReopenSerializer,
                   responses={200: s.AccountabilityOutputSerializer})
    def post(self, request, pk):
        application = self.get_object()
        data = s.ReopenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.accountability_reopen(
            application=application, by=request.user, until=data.validated_data.get("until"),
            reason=data.validated_data.get("reason", ""),
        )
        return Response(s.AccountabilityOutputSerializer(_report_payload(application)).data)


class SettleView(ObjectAPIView):
    """R30: settle a reported application (``office_decider``).

    The application is looked up before the role is checked, so another employer's application is a 404
    (never a 403) for everyone, as shared/api.md requires; a member of the employer itself gets 403.
    """

    permission_classes = [*BASE_PERMISSIONS]
    required_roles = {"post": Action.SETTLE}

    def get_queryset(self):
        return applications_visible_to(self.request.user)

    @extend_schema(
        summary="Settle an application",
        request=None,
        responses={
            200: s.SettlementOutputSerializer,
            403: OpenApiResponse(description="Not an office_decider"),
            404: OpenApiResponse(description="Not found, or not visible to the caller"),
            409: OpenApiResponse(description="Not granted, not reported yet, or already settled"),
        },
    )
    def post(self, request, pk):
        application = self.get_object()
        decision, result = services.application_settle(application=application, by=request.user)
        return Response(
            s.SettlementOutputSerializer(
                {
                    "settled_amount": result.settled_amount,
                    "advances_paid": result.advances_paid,
                    "payment_amount": result.payment_amount,
                    "decision": decision.pk,
                }
            ).data
        )


class InvitationCreateView(ObjectAPIView):
    """R3: a contact (or the office) invites an e-mail address for the employer of the URL; an employer the caller
    may not see is a 404 (R2)."""

    permission_classes = [*BASE_PERMISSIONS]

    def get_queryset(self):
        return employers_visible_to(self.request.user)

    @extend_schema(summary="Invite an account", request=s.InvitationCreateSerializer, responses={201: s.InvitationSerializer})
    def post(self, request, pk):
        employer = self.get_object()
        data = s.InvitationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not may(request.user, Action.MANAGE_EMPLOYERS) and not selectors.employers_user_may_invite_for(request.user).filter(pk=employer.pk).exists():
            raise PermissionDenied
        invitation, _token = services.invitation_create(
            employer=employer, email=data.validated_data["email"], role=data.validated_data["role"], by=request.user,
            accept_base=request.build_absolute_uri("/account/uitnodiging/"),
        )
        return Response(s.InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


class InvitationAcceptView(APIView):
    """R3: the logged-in account accepts an invitation; the employer is added to it."""

    permission_classes = [*BASE_PERMISSIONS]

    @extend_schema(summary="Accept an invitation", request=s.InvitationAcceptSerializer, responses={200: s.MembershipOutSerializer})
    def post(self, request):
        data = s.InvitationAcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.invitation_accept(token=data.validated_data["token"], user=request.user)
        return Response(s.MembershipOutSerializer(membership).data)


class ObjectionCreateView(ObjectAPIView):
    """R33: the office records an objection to a decision."""

    permission_classes = [*BASE_PERMISSIONS]
    required_roles = {"post": Action.RECORD_OBJECTION}  # looked up first: another employer's is a 404 (R2)

    def get_queryset(self):
        return selectors.decisions_visible_to(self.request.user)

    @extend_schema(summary="Record an objection", request=s.ObjectionCreateSerializer, responses={201: s.ObjectionSerializer})
    def post(self, request, pk):
        decision = self.get_object()
        data = s.ObjectionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        objection = services.objection_record(decision=decision, by=request.user, **data.validated_data)
        return Response(s.ObjectionSerializer(objection).data, status=status.HTTP_201_CREATED)


class ObjectionRulingView(ObjectAPIView):
    """R33: ``office_decider`` rules; upheld gives a new decision replacing the old one, with a letter."""

    permission_classes = [*BASE_PERMISSIONS]
    required_roles = {"post": Action.RULE_ON_OBJECTION}  # looked up first: another employer's is a 404 (R2)

    def get_queryset(self):
        return selectors.objections_visible_to(self.request.user)

    @extend_schema(summary="Rule on an objection", request=s.ObjectionRulingSerializer, responses={200: s.ObjectionSerializer})
    def post(self, request, pk):
        objection = self.get_object()
        data = s.ObjectionRulingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        objection = services.objection_rule(objection=objection, by=request.user, **data.validated_data)
        return Response(s.ObjectionSerializer(objection).data)
