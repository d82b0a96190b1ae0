from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from applications.constants import MembershipRole, Outcome
from sectorplan.api.fields import UTCDateTimeField

from ..models import Invitation, Objection, ObjectionStatus


class ReportRowSerializer(serializers.Serializer):
    """One registration's report (R29). Validation of the combination happens in the service."""

    id = serializers.IntegerField()
    started = serializers.BooleanField()
    outcome = serializers.ChoiceField(choices=Outcome.choices, required=False, allow_null=True, allow_blank=True)
    actual_cost = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)


class AccountabilityInputSerializer(serializers.Serializer):
    registrations = serializers.ListField(child=serializers.DictField(), allow_empty=False)

    class Meta:
        ref_name = "AccountabilityInput"


class AccountabilityDocSerializer(serializers.Serializer):
    """Schema only: the request body as documented in api.md."""

    registrations = ReportRowSerializer(many=True)


class ReportedRegistrationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    started = serializers.BooleanField(allow_null=True)
    outcome = serializers.CharField(allow_blank=True)
    actual_cost = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    reported_at = UTCDateTimeField(allow_null=True)


class AccountabilityOutputSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    deadline = serializers.DateField()
    open_until = serializers.DateField()
    submitted_at = UTCDateTimeField(allow_null=True)
    completion_statement = serializers.BooleanField()
    is_small = serializers.BooleanField()
    registrations = ReportedRegistrationSerializer(many=True)


class ReopenSerializer(serializers.Serializer):
    until = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class SettlementOutputSerializer(serializers.Serializer):
    settled_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    advances_paid = serializers.DecimalField(max_digits=14, decimal_places=2)
    payment_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text=_("Settlement minus advances paid; negative is a reclaim.")
    )
    decision = serializers.IntegerField()


class InvitationCreateSerializer(serializers.Serializer):
    """``POST /employers/{id}/invitations``: the employer is the one of the URL."""

    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=MembershipRole.choices)


class InvitationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Invitation
        fields = ["id", "employer", "email", "role", "created_at", "expires_at", "accepted_at"]


class InvitationAcceptSerializer(serializers.Serializer):
    token = serializers.CharField()


class MembershipOutSerializer(serializers.Serializer):
    employer = serializers.IntegerField(source="employer_id")
    role = serializers.CharField()


class ObjectionCreateSerializer(serializers.Serializer):
    received_on = serializers.DateField()
    grounds = serializers.CharField()


class ObjectionSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text=_("received, upheld or rejected"))

    class Meta:
        model = Objection
        fields = ["id", "decision", "received_on", "deadline", "grounds", "status", "ruling", "ruled_at", "ruling_decision"]


class ObjectionRulingSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=[ObjectionStatus.UPHELD, ObjectionStatus.REJECTED], help_text=_("upheld or rejected")
    )
    ruling = serializers.CharField()
    granted_amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True, min_value=0)
    settled_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, min_value=0,
        help_text=_("Upheld objection against a settlement: the new settled amount (R30, R33)."),
    )
