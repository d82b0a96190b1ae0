from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from sectorplan.api.fields import UTCDateTimeField

from ..constants import AllocationMethod, BudgetLineEarmark, DeadlineKind, EvidenceKind
from ..models import ActivityRate, BudgetLine, Period, Region, period_window_errors
from ..reference_services import budget_lines_check, deadlines_check

PERCENT = {"max_digits": 5, "decimal_places": 2, "min_value": Decimal(0), "max_value": Decimal(100)}
MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal(0)}


class RegionSerializer(serializers.ModelSerializer):
    employer_organisation = serializers.CharField(source="employer_organisation.name", read_only=True)

    class Meta:
        model = Region
        fields = ["code", "name", "employer_organisation"]


class BudgetLineSerializer(serializers.ModelSerializer):
    earmark = serializers.ChoiceField(choices=BudgetLineEarmark.choices)
    ceiling = serializers.DecimalField(**MONEY)

    class Meta:
        model = BudgetLine
        fields = ["earmark", "ceiling"]


class DeadlineSerializer(serializers.Serializer):
    """One date of the period's deadline calendar (R53)."""

    kind = serializers.ChoiceField(choices=DeadlineKind.choices)
    date = serializers.DateField()


class ActivityRateSerializer(serializers.ModelSerializer):
    """An activity type's amount and the evidence its registrations need (§3, R12, R50); read only here."""

    required_documents = serializers.ListField(child=serializers.ChoiceField(choices=EvidenceKind.choices))

    class Meta:
        model = ActivityRate
        fields = ["activity_type", "method", "amount", "reduced_amount", "min_contract_hours", "description",
                  "required_documents"]
        read_only_fields = fields


class PeriodSerializer(serializers.ModelSerializer):
    budget_lines = BudgetLineSerializer(many=True)
    activity_rates = ActivityRateSerializer(
        many=True, read_only=True, help_text=_("Activity types, their amounts and required evidence (R50).")
    )
    holdback_percent = serializers.DecimalField(**PERCENT, required=False)
    advance_percent = serializers.DecimalField(**PERCENT, required=False)
    retention_max_percent = serializers.DecimalField(**PERCENT, required=False)
    small_application_limit = serializers.DecimalField(**MONEY, required=False, allow_null=True)
    oversubscription_floor = serializers.DecimalField(**MONEY, required=False)
    application_cap = serializers.DecimalField(
        **MONEY, required=False, allow_null=True,
        help_text=_("No application is granted more than this (R12); null: no cap."),
    )
    allocation_method = serializers.ChoiceField(choices=AllocationMethod.choices, required=False)
    decision_term_weeks = serializers.IntegerField(min_value=1, max_value=104, required=False)
    deadlines = DeadlineSerializer(
        many=True, required=False,
        help_text=_(
            "The deadline calendar (R53), in the order agreement, registration, repair, accountability. The "
            "accountability date is always there (it is accountability_deadline). Given on input, the list "
            "replaces the agreement, registration and repair dates; an accountability date in it sets "
            "accountability_deadline."
        ),
    )

    class Meta:
        model = Period
        fields = [
            "number",
            "application_opens",
            "application_closes",
            "training_start_from",
            "training_start_until",
            "accountability_deadline",
            "budget_lines",
            "holdback_applies",
            "holdback_percent",
            "advance_percent",
            "retention_allowed",
            "retention_max_percent",
            "small_application_limit",
            "oversubscription_floor",
            "application_cap",
            "allocation_method",
            "decision_term_weeks",
            "deadlines",
            "activity_rates",
        ]
        extra_kwargs = {"accountability_deadline": {"required": False}}

    # Datetimes far in the past render with a local-mean-time offset (+00:19:32) that is no valid
    # ISO 8601/RFC 3339 offset, and near year 9999 they overflow in local time: keep them plausible.
    DATETIME_YEARS = (2000, 2099)

    def _plausible_datetime(self, value):
        low, high = self.DATETIME_YEARS
        if value is not None and not (low <= value.year <= high):
            raise serializers.ValidationError(
                _("The year must lie between %(low)s and %(high)s.") % {"low": low, "high": high},
                code="out_of_range",
            )
        return value

    def validate_application_opens(self, value):
        return self._plausible_datetime(value)

    def validate_application_closes(self, value):
        return self._plausible_datetime(value)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["deadlines"] = [{"kind": kind, "date": day.isoformat()} for kind, day in instance.deadline_calendar()]
        return data

    def validate(self, attrs):
        """Field-level checks across fields, so the error names the field (R38)."""
        instance = self.instance

        def value(name):
            return attrs.get(name, getattr(instance, name, None) if instance else None)

        errors = period_window_errors(
            **{name: value(name) for name in
               ("application_opens", "application_closes", "training_start_from", "training_start_until")}
        )
        lines = attrs.get("budget_lines")
        if lines is not None:
            try:
                budget_lines_check(lines)
            except DjangoValidationError as exc:
                errors.update(exc.message_dict)
        deadlines = attrs.get("deadlines")
        if deadlines is not None:
            try:
                deadlines_check(deadlines, accountability_deadline=attrs.get("accountability_deadline"))
            except DjangoValidationError as exc:
                errors.update(exc.message_dict)
        given_accountability = deadlines and any(d["kind"] == DeadlineKind.ACCOUNTABILITY for d in deadlines)
        if instance is None and "accountability_deadline" not in attrs and not given_accountability:
            errors["accountability_deadline"] = ErrorDetail(
                serializers.Field.default_error_messages["required"], code="required"
            )
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


# --- Allocation, decisions, holdback ------------------------------------------------------------

MONEY_OUT = {"max_digits": 14, "decimal_places": 2, "read_only": True}


class AllocationLineOutSerializer(serializers.Serializer):
    earmark = serializers.CharField()
    ceiling = serializers.DecimalField(**MONEY_OUT)
    requested = serializers.DecimalField(**MONEY_OUT)
    factor = serializers.DecimalField(max_digits=13, decimal_places=10, read_only=True)
    granted = serializers.DecimalField(**MONEY_OUT)


class AllocationApplicationOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    earmark = serializers.CharField()
    eligible_amount = serializers.DecimalField(**MONEY_OUT)
    granted_amount = serializers.DecimalField(**MONEY_OUT)


class AllocationOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    method = serializers.ChoiceField(
        choices=AllocationMethod.choices, read_only=True, help_text=_("The period's method the proposal used (R16).")
    )
    application_cap = serializers.DecimalField(
        **MONEY_OUT, allow_null=True,
        help_text=_("The period's cap per application the proposal used (R12); null: none. Line totals are "
                    "after the cap."),
    )
    floor = serializers.DecimalField(**MONEY_OUT, help_text=_("The oversubscription floor the proposal used."))
    lines = AllocationLineOutSerializer(many=True)
    applications = AllocationApplicationOutSerializer(many=True)


class AllocationConfirmOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    decisions = serializers.IntegerField(help_text="Number of decisions created.")


class AdviceInSerializer(serializers.Serializer):
    period = serializers.IntegerField(min_value=1, help_text="Period number.")
    outcome = serializers.ChoiceField(choices=["positive", "negative"])
    date = serializers.DateField()
    reference = serializers.CharField(max_length=200)


class AdviceOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    region = serializers.CharField(source="region.code")
    period = serializers.IntegerField(source="period.number")
    outcome = serializers.CharField()
    date = serializers.DateField()
    reference = serializers.CharField()
    recorded_at = UTCDateTimeField()


class HoldbackForfeitOutSerializer(serializers.Serializer):
    period = serializers.IntegerField()
    region = serializers.CharField()
    decisions = serializers.IntegerField()
    forfeited = serializers.DecimalField(**MONEY_OUT)
