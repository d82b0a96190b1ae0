from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from sectorplan.api.fields import UTCDateTimeField

from ..constants import BudgetLineEarmark
from ..models import BudgetLine, Period, Region, period_window_errors
from ..reference_services import budget_lines_check

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


class PeriodSerializer(serializers.ModelSerializer):
    budget_lines = BudgetLineSerializer(many=True)
    holdback_percent = serializers.DecimalField(**PERCENT, required=False)
    advance_percent = serializers.DecimalField(**PERCENT, required=False)
    retention_max_percent = serializers.DecimalField(**PERCENT, required=False)
    small_application_limit = serializers.DecimalField(**MONEY, required=False, allow_null=True)
    oversubscription_floor = serializers.DecimalField(**MONEY, required=False)

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
        ]

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
