"""Input and output shapes of the employers and applications API (shared/api.md).

Serializers only parse and shape; the rules live in ``applications.rules`` and the writes in
``applications.services``.
"""


from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from budgets.constants import Earmark
from budgets.models import Period, Region
from sectorplan.api.fields import UTCDateTimeField

from .. import rules
from ..constants import ApplicationStatus, MembershipRole
from ..models import Application, ApplicationTransition, CompletionRequest, Employer, PlanLine
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
    small = serializers.BooleanField(required=False, default=False, help_text=_("R14: a small application."))


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


class ReceiptRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sha256 = serializers.CharField()
    received_at = UTCDateTimeField()


class CompletionRequestSerializer(serializers.ModelSerializer):
    """R43: a completion request as the API shows it."""

    requested_by = serializers.CharField(source="requested_by.username", read_only=True)
    expired = serializers.SerializerMethodField()

    class Meta:
        model = CompletionRequest
        fields = ["id", "missing", "due_date", "requested_by", "requested_at", "completed_at", "explanation", "expired"]
        read_only_fields = fields

    def get_expired(self, obj) -> bool:
        return obj.is_expired()


class ApplicationSerializer(serializers.ModelSerializer):
    employer = serializers.IntegerField(source="employer_id", read_only=True)
    employer_name = serializers.CharField(source="employer.name", read_only=True)
    kvk_number = serializers.CharField(source="employer.kvk_number", read_only=True)
    region = serializers.CharField(source="region.code", read_only=True)
    period = serializers.IntegerField(source="period.number", read_only=True)
    status = serializers.ChoiceField(choices=ApplicationStatus.choices, read_only=True)
    small = serializers.BooleanField(read_only=True)
    requested_amount = serializers.DecimalField(**MONEY, read_only=True)
    eligible_amount = serializers.DecimalField(**MONEY, read_only=True, allow_null=True)
    granted_amount = serializers.DecimalField(**MONEY, read_only=True)
    held_amount = serializers.DecimalField(**MONEY, read_only=True)
    is_small = serializers.SerializerMethodField()
    registration_count = serializers.IntegerField(read_only=True)
    received_at = UTCDateTimeField(source="submitted_at", read_only=True, allow_null=True)
    decision_due = serializers.DateField(read_only=True, allow_null=True)
    receipt = serializers.SerializerMethodField()
    completion_requests = serializers.SerializerMethodField()
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
            "small",
            "requested_amount",
            "eligible_amount",
            "granted_amount",
            "held_amount",
            "is_small",
            "registration_count",
            "created_at",
            "submitted_at",
            "assessed_at",
            "received_at",
            "decision_due",
            "receipt",
            "completion_requests",
            "timeline",
        ]

    def get_is_small(self, obj) -> bool:
        """R14: the employer's choice when applying (same as ``small``)."""
        return obj.is_small

    def get_receipt(self, obj) -> ReceiptRefSerializer(allow_null=True):  # type: ignore[valid-type]
        """R42: the acknowledgement of receipt, once submitted."""
        receipt = getattr(obj, "receipt", None)
        return ReceiptRefSerializer(receipt).data if receipt is not None else None

    def get_completion_requests(self, obj) -> CompletionRequestSerializer(many=True):  # type: ignore[valid-type]
        """R43: the completion requests, oldest first."""
        return CompletionRequestSerializer(obj.completion_requests.all(), many=True).data


# --- Registrations ------------------------------------------------------------------------------


#: The serializer field class of each kind of registration input; the limits come from ``rules.REGISTRATION_INPUT``.
API_FIELD_CLASSES = {
    rules.Kind.TEXT: serializers.CharField,
    rules.Kind.DATE: serializers.DateField,
    rules.Kind.CHOICE: serializers.ChoiceField,
    rules.Kind.DECIMAL: serializers.DecimalField,
    rules.Kind.INTEGER: serializers.IntegerField,
}


def registration_api_field(rule: rules.InputRule) -> serializers.Field:
    optional = {} if rule.required else {"allow_null": True}
    return API_FIELD_CLASSES[rule.kind](**rule.field_kwargs(), **optional)


#: One registration as sent to ``POST .../registrations/`` (R8), in JSON: fields made from ``rules.REGISTRATION_INPUT``
#: as the portal form's and the import's are. Ranges and rules across fields are checked by the service.
RegistrationInputSerializer = type(serializers.Serializer)(
    "RegistrationInputSerializer",
    (serializers.Serializer,),
    {
        "__module__": __name__,
        "__doc__": "One registration as sent to ``POST .../registrations/`` (R8). Rules are checked by the service.",
        **{name: registration_api_field(rule) for name, rule in rules.REGISTRATION_INPUT.items()},
    },
)


# --- Plan lines --------------------------------------------------------------------------------


#: One plan line as sent to ``POST .../plan-lines/`` (R8): fields made from ``rules.PLAN_LINE_INPUT``, as the
#: matrix's and the import's are. The rules (count, cost per activity type, retention, duplicates) are the service's.
PlanLineInputSerializer = type(serializers.Serializer)(
    "PlanLineInputSerializer",
    (serializers.Serializer,),
    {
        "__module__": __name__,
        "__doc__": "One plan line as sent to ``POST .../plan-lines/`` (R8). Rules are checked by the service.",
        **{name: registration_api_field(rule) for name, rule in rules.PLAN_LINE_INPUT.items()},
    },
)


class PlanLineSerializer(serializers.ModelSerializer):
    planned_cost = serializers.DecimalField(**MONEY, read_only=True, allow_null=True)
    amount_per_trajectory = serializers.DecimalField(**MONEY, read_only=True)
    requested_amount = serializers.DecimalField(**MONEY, read_only=True)

    class Meta:
        model = PlanLine
        fields = ["id", *rules.PLAN_LINE_FIELDS, "amount_per_trajectory", "requested_amount", "eligible_count", "reason"]
        read_only_fields = fields


class ImportInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("CSV (UTF-8) or .xlsx with a header row of the registration fields."))


class ImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()


class ImportJobRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField(help_text="pending, running, done or failed")


class ImportJobStartedSerializer(serializers.Serializer):
    # "import" is a Python keyword: declared through the fields dict.
    def get_fields(self):
        return {"import": ImportJobRefSerializer(help_text="The background import; poll GET /imports/{id}.")}


class ImportJobSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["pending", "running", "done", "failed"])
    progress = serializers.IntegerField(help_text="0-100")
    created = serializers.IntegerField(allow_null=True, help_text="Rows created, once done.")
    created_at = serializers.DateTimeField()
    invalid_params = serializers.ListField(
        child=serializers.DictField(), help_text="When failed: every problem, as a synchronous import's 400 lists them."
    )


# --- Transitions -------------------------------------------------------------------------------


class SubmitInputSerializer(serializers.Serializer):
    """Submitting takes no input."""


class StatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ApplicationStatus.choices)


class SubmitResultSerializer(serializers.Serializer):
    """R42: the submission with its acknowledgement of receipt."""

    status = serializers.ChoiceField(choices=ApplicationStatus.choices)
    received_at = UTCDateTimeField()
    receipt = ReceiptRefSerializer()


class CompletionRequestInputSerializer(serializers.Serializer):
    missing = serializers.CharField(max_length=5000)
    due_date = serializers.DateField(required=False, allow_null=True, help_text=_("Default: two weeks from today."))


class CompletionInputSerializer(serializers.Serializer):
    explanation = serializers.CharField(max_length=5000)


class NotConsideredResultSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ApplicationStatus.choices)
    decision = serializers.IntegerField()


class OfficeUserSerializer(serializers.Serializer):
    """R4: the regional employer organisations an office user serves (empty: all regions)."""

    username = serializers.CharField(read_only=True)
    employer_organisations = serializers.ListField(child=serializers.CharField(max_length=40), allow_empty=True)


class WithdrawInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class LineVerdictSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    eligible_count = serializers.IntegerField(min_value=0)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class AssessmentInputSerializer(serializers.Serializer):
    """R15: a verdict per plan line; a reason is required where fewer trajectories are eligible than planned."""

    lines = LineVerdictSerializer(many=True, allow_empty=False)


class AssessmentResultSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ApplicationStatus.choices)
    eligible_amount = serializers.DecimalField(**MONEY)
