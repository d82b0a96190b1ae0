"""Input and output shapes of the employers and applications API (shared/api.md).

Serializers only parse and shape; the rules live in ``applications.rules`` and the writes in
``applications.services``.
"""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from budgets.constants import ActivityType, Earmark
from budgets.models import Period, Region

from ..constants import AgeBand, ApplicationStatus, Focus, MembershipRole
from ..models import Application, ApplicationTransition, Employer, Participant
from ..rules import PARTICIPANT_FIELDS
from ..validators import normalise_iban

MONEY = {"max_digits": 14, "decimal_places": 2}


class CodeRelatedField(serializers.SlugRelatedField):
    """A ``SlugRelatedField`` that refuses a NUL character before it reaches PostgreSQL (a 400, not a 500)."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("invalid")
        return super().to_internal_value(data)


# --- Employers ---------------------------------------------------------------------------------


class EmployerSerializer(serializers.ModelSerializer):
    region = CodeRelatedField(slug_field="code", queryset=Region.objects.all())
    earmark = serializers.ChoiceField(choices=Earmark.choices)

    class Meta:
        model = Employer
        fields = [
            "id",
            "name",
            "kvk_number",
            "region",
            "earmark",
            "iban",
            "account_holder",
            "contact_name",
            "contact_email",
            "address",
            "postal_code",
            "city",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {"iban": {"max_length": 42}}

    def validate_iban(self, value):
        return normalise_iban(value)


class MemberInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=MembershipRole.choices)

    def validate_username(self, value):
        user = get_user_model().objects.filter(username=value).first()
        if user is None:
            raise serializers.ValidationError(_("No account with this username exists."), code="not_found")
        return user


class MemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    employer = serializers.IntegerField(source="employer_id", read_only=True)
    role = serializers.ChoiceField(choices=MembershipRole.choices, read_only=True)


# --- Applications ------------------------------------------------------------------------------


class ApplicationCreateSerializer(serializers.Serializer):
    employer = serializers.IntegerField(min_value=1)
    region = CodeRelatedField(slug_field="code", queryset=Region.objects.all())
    period = CodeRelatedField(slug_field="number", queryset=Period.objects.all())


class TimelineEntrySerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, read_only=True)
    # ``from`` is a Python keyword: the fields are renamed in to_representation.
    from_status = serializers.CharField(read_only=True)
    to_status = serializers.CharField(read_only=True)

    class Meta:
        model = ApplicationTransition
        fields = ["at", "actor", "from_status", "to_status", "reason"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["from"] = data.pop("from_status") or None
        data["to"] = data.pop("to_status")
        return data


@extend_schema_field(
    {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "at": {"type": "string", "format": "date-time"},
                "actor": {"type": "string", "nullable": True},
                "from": {"type": "string", "nullable": True},
                "to": {"type": "string"},
                "reason": {"type": "string"},
            },
        },
    }
)
class TimelineField(serializers.ListSerializer):
    pass


class ApplicationSerializer(serializers.ModelSerializer):
    employer = serializers.IntegerField(source="employer_id", read_only=True)
    employer_name = serializers.CharField(source="employer.name", read_only=True)
    kvk_number = serializers.CharField(source="employer.kvk_number", read_only=True)
    region = serializers.CharField(source="region.code", read_only=True)
    period = serializers.IntegerField(source="period.number", read_only=True)
    status = serializers.ChoiceField(choices=ApplicationStatus.choices, read_only=True)
    requested_amount = serializers.DecimalField(**MONEY, read_only=True)
    eligible_amount = serializers.DecimalField(**MONEY, read_only=True, allow_null=True)
    granted_amount = serializers.DecimalField(**MONEY, read_only=True)
    held_amount = serializers.DecimalField(**MONEY, read_only=True)
    is_small = serializers.SerializerMethodField()
    participant_count = serializers.IntegerField(read_only=True)
    timeline = TimelineField(child=TimelineEntrySerializer(), source="transitions", read_only=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "reference",
            "employer",
            "employer_name",
            "kvk_number",
            "region",
            "period",
            "status",
            "requested_amount",
            "eligible_amount",
            "granted_amount",
            "held_amount",
            "is_small",
            "participant_count",
            "created_at",
            "submitted_at",
            "assessed_at",
            "timeline",
        ]

    def get_is_small(self, obj) -> bool:
        """R14: at most the period's small-application limit (no limit: never small)."""
        return obj.is_small


# --- Participants ------------------------------------------------------------------------------


class ParticipantInputSerializer(serializers.Serializer):
    """One participant as sent to ``POST .../participants/`` (R8). Rules are checked by the service."""

    initials = serializers.CharField(max_length=20)
    surname = serializers.CharField(max_length=100)
    date_of_birth = serializers.DateField()
    focus = serializers.ChoiceField(choices=Focus.choices)
    activity_type = serializers.ChoiceField(choices=ActivityType.choices)
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    contract_hours = serializers.DecimalField(max_digits=4, decimal_places=1, min_value=Decimal(0))
    employed_since = serializers.DateField()
    planned_cost = serializers.DecimalField(**MONEY, required=False, allow_null=True, min_value=Decimal(0))


class ParticipantSerializer(serializers.ModelSerializer):
    age_band = serializers.ChoiceField(choices=AgeBand.choices, read_only=True)
    requested_amount = serializers.DecimalField(**MONEY, read_only=True)
    planned_cost = serializers.DecimalField(**MONEY, read_only=True, allow_null=True)

    class Meta:
        model = Participant
        fields = [
            "id",
            *PARTICIPANT_FIELDS,
            "age_band",
            "requested_amount",
            "eligible",
            "eligibility_reason",
        ]
        read_only_fields = fields


class ImportInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("CSV (UTF-8) or .xlsx with a header row of the participant fields."))


class ImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()


# --- Transitions -------------------------------------------------------------------------------


class SubmitInputSerializer(serializers.Serializer):
    """Submitting takes no input."""


class StatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ApplicationStatus.choices)


class WithdrawInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class VerdictSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    eligible = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class AssessmentInputSerializer(serializers.Serializer):
    participants = VerdictSerializer(many=True, allow_empty=False)


class AssessmentResultSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ApplicationStatus.choices)
    eligible_amount = serializers.DecimalField(**MONEY)
