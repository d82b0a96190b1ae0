"""Date-times as shared/api.md v2 writes them: RFC 3339 in UTC with ``Z`` (``2026-12-02T08:00:00Z``).

The rest of the system keeps Europe/Amsterdam (windows, letters, the portal); only the API's representation is UTC.
Input with an offset means the same instant whatever the offset; input without one is read as UTC.
"""

import datetime

from django.db import models
from rest_framework import serializers


class UTCDateTimeField(serializers.DateTimeField):
    """A ``DateTimeField`` rendered in UTC; DRF's ISO 8601 output then ends in ``Z``."""

    def default_timezone(self):
        return datetime.UTC


def use_utc_date_times() -> None:
    """Every ``ModelSerializer`` maps a model ``DateTimeField`` to :class:`UTCDateTimeField` (called once, by
    ``budgets.apps``, the lowest app)."""
    serializers.ModelSerializer.serializer_field_mapping[models.DateTimeField] = UTCDateTimeField
