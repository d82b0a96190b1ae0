"""Decisions and their letters as the API shows them (shared/api.md)."""

from rest_framework import serializers

from budgets.api.serializers import MONEY_OUT


class LetterRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    sha256 = serializers.CharField()


class DecisionOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    date = serializers.DateField()
    granted_amount = serializers.DecimalField(**MONEY_OUT)
    held_amount = serializers.DecimalField(**MONEY_OUT)
    released_amount = serializers.DecimalField(**MONEY_OUT)
    forfeited_amount = serializers.DecimalField(**MONEY_OUT)
    advance_amount = serializers.DecimalField(**MONEY_OUT)
    letter = serializers.SerializerMethodField()

    def get_letter(self, decision) -> LetterRefSerializer(allow_null=True):  # type: ignore[valid-type]
        letters = list(decision.letters.all())
        if not letters:
            return None
        latest = max(letters, key=lambda letter: letter.version)
        return {"id": latest.pk, "status": latest.status, "sha256": latest.sha256}
