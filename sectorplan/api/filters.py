"""Query filters shared by the API (django-filter)."""

from django import forms
from django_filters import rest_framework as filters

#: The largest value a PostgreSQL ``bigint`` (and SQLite's INTEGER) holds: anything above is no id.
MAX_ID = 2**63 - 1


class WholeNumberFilter(filters.NumberFilter):
    """A filter on an id or number: a whole number between 1 and :data:`MAX_ID`, else a 400 naming the query key.

    django-filter's ``NumberFilter`` takes decimals (``-2.4e+274``), which reach the database as integers
    no column can hold (a 500 found by fuzzing)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
