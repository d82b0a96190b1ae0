"""Accountability, settlement, invitations and objections (shared/api.md, "Accountability and settlement")."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from applications import samples
from applications.constants import ProcessingAction
from applications.models import Application, SampleDraw
from applications.processing import log_processing, purpose_for
from applications.selectors import applications_visible_to, employers_visible_to, serves_all_regions
from budgets.models import Period
from sectorplan.api.errors import DomainError
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
        return Response(s.SettlementOutputSerializer(settlement_payload(decision, result)).data)


def settlement_payload(decision, result) -> dict:
    return {
        "settled_amount": result.settled_amount,
        "advances_paid": result.advances_paid,
        "payment_amount": result.payment_amount,
        "payment_due": decision.payment_due,
        "factor": result.factor,
        "decision": decision.pk,
        "computation": {
            "realised_other": result.realised_other,
            "realised_retention": result.realised_retention,
            "retention_counted": result.retention_counted,
            "realised": result.realised,
            "reserved_at_grant": result.reserved_at_grant,
            "eligible_amount": result.eligible_amount,
            "before_cap": result.before_cap,
            "cap": result.cap,
            "lines": result.lines,
        },
    }


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
        values = dict(data.validated_data)
        reserved = values.pop("reserved_amount", None)
        if reserved is not None:
            if values.get("granted_amount") not in (None, reserved):
                raise DomainError(field="reserved_amount", code="conflict",
                                  message=_("reservedAmount and grantedAmount differ; give one."))
            values["granted_amount"] = reserved
        objection = services.objection_rule(objection=objection, by=request.user, **values)
        return Response(s.ObjectionSerializer(objection).data)


class ObjectionHearingView(ObjectAPIView):
    """Awb 7:2 (R33): the office records the hearing, or that it was waived."""

    permission_classes = [*BASE_PERMISSIONS]
    required_roles = {"post": Action.RECORD_OBJECTION}

    def get_queryset(self):
        return selectors.objections_visible_to(self.request.user)

    @extend_schema(summary="Record the hearing on an objection", request=s.HearingSerializer,
                   responses={200: s.ObjectionSerializer})
    def post(self, request, pk):
        objection = self.get_object()
        data = s.HearingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        objection = services.objection_hearing_record(objection=objection, by=request.user, **data.validated_data)
        return Response(s.ObjectionSerializer(objection).data)


class ObjectionAdjournmentView(ObjectAPIView):
    """Awb 7:10 lid 3 (R33): a decider adjourns the ruling by six weeks."""

    permission_classes = [*BASE_PERMISSIONS]
    required_roles = {"post": Action.RULE_ON_OBJECTION}

    def get_queryset(self):
        return selectors.objections_visible_to(self.request.user)

    @extend_schema(summary="Adjourn the ruling on an objection", request=s.AdjournmentSerializer,
                   responses={200: s.ObjectionSerializer})
    def post(self, request, pk):
        objection = self.get_object()
        data = s.AdjournmentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        objection = services.objection_adjourn(objection=objection, by=request.user, **data.validated_data)
        return Response(s.ObjectionSerializer(objection).data)


class ObjectionDetailView(ObjectAPIView):
    """R33: an objection with its hearing and the Awb 7:10 ruling term (members of the employer; office)."""

    permission_classes = [*BASE_PERMISSIONS]

    def get_queryset(self):
        return selectors.objections_visible_to(self.request.user)

    @extend_schema(summary="Read an objection", responses={200: s.ObjectionSerializer})
    def get(self, request, pk):
        return Response(s.ObjectionSerializer(self.get_object()).data)


def _sample_payload(sample) -> dict:
    references = dict(Application.objects.filter(pk__in=sample.drawn).values_list("pk", "reference"))
    return {
        "id": sample.pk, "period": sample.period, "seed": sample.seed, "percent": sample.percent,
        "method": sample.method, "population": sample.population, "drawn_at": sample.drawn_at,
        "applications": [{"id": i, "reference": references.get(i, "")} for i in sample.drawn],
    }


class SampleDrawView(APIView):
    """R31: the office draws the documented, reproducible sample of a period's small applications."""

    permission_classes = [*BASE_PERMISSIONS]
    required_roles = {"post": Action.DRAW_SAMPLE}

    @extend_schema(
        summary="Draw the sample of small applications (R31)", request=s.SampleDrawInputSerializer,
        responses={201: s.SampleDrawSerializer, 404: OpenApiResponse(description="No such period"),
                   409: OpenApiResponse(description="No small application left to draw")},
    )
    def post(self, request, number: int):
        period = get_object_or_404(Period, number=number)
        if not serves_all_regions(request.user):
            raise PermissionDenied(_("A sample is drawn over every region's employers; you serve only some regions."))
        data = s.SampleDrawInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        sample = samples.sample_draw(period=period, by=request.user, percent=data.validated_data.get("percent"))
        return Response(s.SampleDrawSerializer(_sample_payload(sample)).data, status=status.HTTP_201_CREATED)


class SampleCheckView(APIView):
    """R31: a reviewer records the evidence check of a drawn application; its settlement waits for it."""

    permission_classes = [*BASE_PERMISSIONS]
    required_roles = {"post": Action.CHECK_SAMPLE}

    @extend_schema(summary="Record the evidence check of a drawn application (R31)",
                   request=s.SampleCheckInputSerializer, responses={201: s.SampleCheckSerializer})
    def post(self, request, pk: int):
        sample = get_object_or_404(SampleDraw, pk=pk)
        data = s.SampleCheckInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        application = applications_visible_to(request.user).filter(pk=data.validated_data["application"]).first()
        if application is None:
            raise DomainError(field="application", code="not_found", message=_("No such application."))
        check = samples.sample_check_record(
            sample=sample, application=application, outcome=data.validated_data["outcome"],
            notes=data.validated_data["notes"], unsupported=data.validated_data["unsupported"], by=request.user,
        )
        return Response(s.SampleCheckSerializer(check).data, status=status.HTTP_201_CREATED)
