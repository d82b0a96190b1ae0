from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from applications.constants import MembershipRole, Outcome
from applications.models import SampleOutcome
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


class SettlementLineSerializer(serializers.Serializer):
    registration = serializers.IntegerField(source="id")
    basis = serializers.CharField(
        help_text=_("not_approved, not_reported, not_started, unsupported, fixed, actual_cost or registered_amount")
    )
    realised = serializers.DecimalField(max_digits=14, decimal_places=2)
    retention = serializers.BooleanField()


class SettlementDetailSerializer(serializers.Serializer):
    """The settlement computation as the decision used it (R30, R31)."""

    realised_other = serializers.DecimalField(max_digits=14, decimal_places=2)
    realised_retention = serializers.DecimalField(max_digits=14, decimal_places=2)
    retention_counted = serializers.DecimalField(max_digits=14, decimal_places=2)
    realised = serializers.DecimalField(max_digits=14, decimal_places=2)
    reserved_at_grant = serializers.DecimalField(max_digits=14, decimal_places=2)
    eligible_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    before_cap = serializers.DecimalField(max_digits=14, decimal_places=2)
    cap = serializers.DecimalField(max_digits=14, decimal_places=2)
    lines = SettlementLineSerializer(many=True)


class SettlementOutputSerializer(serializers.Serializer):
    settled_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    advances_paid = serializers.DecimalField(max_digits=14, decimal_places=2)
    payment_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text=_("Settlement minus advances paid; negative is a reclaim.")
    )
    payment_due = serializers.DateField(allow_null=True, help_text=_("A reclaim is to be paid by this day (Awb 4:57)."))
    factor = serializers.DecimalField(max_digits=12, decimal_places=10, allow_null=True)
    computation = SettlementDetailSerializer()
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


class HearingSerializer(serializers.Serializer):
    """Awb 7:2: the hearing held (date, who, summary), or waived with the reason."""

    held_on = serializers.DateField(required=False, allow_null=True)
    attendees = serializers.CharField(required=False, allow_blank=True, default="")
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    waived = serializers.BooleanField(required=False, default=False)
    waived_reason = serializers.CharField(required=False, allow_blank=True, default="")


class AdjournmentSerializer(serializers.Serializer):
    reason = serializers.CharField()


class ObjectionCreateSerializer(serializers.Serializer):
    received_on = serializers.DateField()
    grounds = serializers.CharField()


class ObjectionSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text=_("received, upheld or rejected"))
    ruling_due = serializers.DateField(
        read_only=True, help_text=_("Awb 7:10: six weeks after the objection term ended, six more when adjourned.")
    )
    adjourned = serializers.SerializerMethodField()
    hearing = serializers.SerializerMethodField()

    class Meta:
        model = Objection
        fields = [
            "id", "decision", "received_on", "deadline", "grounds", "status", "ruling", "ruled_at", "ruling_decision",
            "ruling_due", "adjourned", "adjournment_reason", "hearing",
        ]

    def get_adjourned(self, obj) -> bool:
        return obj.adjourned_at is not None

    @extend_schema_field(HearingSerializer(allow_null=True))
    def get_hearing(self, obj):
        if not obj.hearing_recorded:
            return None
        return HearingSerializer(
            {"held_on": obj.hearing_on, "attendees": obj.hearing_attendees, "summary": obj.hearing_summary,
             "waived": obj.hearing_waived, "waived_reason": obj.hearing_waived_reason}
        ).data


class ObjectionRulingSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=[ObjectionStatus.UPHELD, ObjectionStatus.REJECTED], help_text=_("upheld or rejected")
    )
    ruling = serializers.CharField()
    reserved_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, min_value=0,
        help_text=_("Upheld objection against a grant, a rejection or an amendment: the new reservation (api.md's name); "
                    "for an amendment, without it the reservation before the amendment is restored."),
    )
    granted_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, min_value=0,
        help_text=_("The same as reservedAmount (kept for existing callers)."),
    )
    settled_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, min_value=0,
        help_text=_("Upheld objection against a settlement: the new settled amount (R30, R33)."),
    )


class SampleDrawInputSerializer(serializers.Serializer):
    percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True, min_value=0, max_value=100,
        help_text=_("Share to draw, default 10; at least one application is drawn."),
    )


class SampleApplicationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()


class SampleDrawSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    period = serializers.IntegerField(source="period.number")
    seed = serializers.CharField()
    percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    method = serializers.CharField()
    population = serializers.ListField(child=serializers.IntegerField())
    drawn_at = UTCDateTimeField()
    applications = SampleApplicationSerializer(many=True)


class SampleCheckInputSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=SampleOutcome.choices)
    notes = serializers.CharField()
    unsupported = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)


class SampleCheckSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sample = serializers.IntegerField(source="draw_id")
    application = serializers.IntegerField(source="application_id")
    outcome = serializers.CharField()
    notes = serializers.CharField()
    unsupported = serializers.SerializerMethodField()
    checked_at = UTCDateTimeField()

    def get_unsupported(self, obj) -> list[int]:
        return sorted(obj.unsupported.values_list("pk", flat=True))
