"""The ministry's tables through the API (R34-R37): JSON and CSV, ETag and Cache-Control.

Read by the ``ministry`` role, the office and staff; everyone else gets 403. Every response is an
aggregate: no names, no dates of birth, no ids of employers or applications.
"""

import csv
import hashlib
import io

from django.http import Http404, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from djangorestframework_camel_case.render import CamelCaseJSONRenderer
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from budgets import selectors as budget_selectors
from budgets.constants import AdviceOutcome, BudgetLineEarmark, Earmark
from budgets.models import Period, Region
from sectorplan.api.permissions import BASE_PERMISSIONS
from sectorplan.roles import Action

from .. import selectors as app_selectors
from .. import statistics
from ..constants import AgeBand, Focus

CACHE_CONTROL = "private, max-age=60"


class CSVRenderer(BaseRenderer):
    """``text/csv`` for every table (R37): ``?format=csv`` or ``Accept: text/csv``.

    The view puts the table's header and rows in ``renderer_context["csv"]`` as a callable of the
    data; an OPTIONS answer as ``name,description``. Errors never come here: they are problem+json
    (``sectorplan.api.errors``).
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        renderer_context = renderer_context or {}
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        if getattr(renderer_context.get("request"), "method", "GET") == "OPTIONS":
            # OPTIONS answers with the view's metadata, not a table: describe it as name,description.
            data = data if isinstance(data, dict) else {}
            writer.writerow(["name", "description"])
            writer.writerow([data.get("name", ""), data.get("description", "")])
        else:
            view = renderer_context.get("view")
            header, rows = view.csv_rows(data)
            writer.writerow(header)
            writer.writerows(["" if v is None else v for v in row] for row in rows)
        return out.getvalue().encode(self.charset)


def _flat_csv_rows(data) -> tuple[list[str], list[list]]:
    """A list of flat dicts (or ``{"rows": [...]}``) as CSV; nested values are written as text."""
    rows = data.get("rows", []) if isinstance(data, dict) else list(data)
    header: list[str] = []
    for row in rows:
        for key in row:
            if key not in header:
                header.append(key)
    return header, [[row.get(k) for k in header] for row in rows]


# --- query parameters ---------------------------------------------------------------------------------------


class StatisticsQuerySerializer(serializers.Serializer):
    period = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=32767), required=False)
    region = serializers.SlugField(required=False, max_length=60)
    earmark = serializers.ChoiceField(choices=Earmark.choices, required=False)
    status = serializers.ChoiceField(
        choices=statistics.TrajectoryStatus.choices, required=False, default=statistics.TrajectoryStatus.REGISTERED
    )
    group_by = serializers.ChoiceField(choices=[("region", _("region"))], required=False)

    def validate_period(self, value):
        value = sorted(set(value))
        known = set(Period.objects.filter(number__in=value).values_list("number", flat=True))
        unknown = [n for n in value if n not in known]
        if unknown:
            raise serializers.ValidationError(
                _("Unknown period: %(numbers)s.") % {"numbers": ", ".join(str(n) for n in unknown)}, code="unknown"
            )
        return value

    def validate_region(self, value):
        if not Region.objects.filter(code=value).exists():
            raise serializers.ValidationError(_("Unknown region code."), code="unknown")
        return value


SINGLE_KEYS = ("region", "earmark", "status", "group_by", "format")


def _query(request, serializer_class=StatisticsQuerySerializer) -> dict:
    params = request.query_params
    # Only ``period`` repeats; two values of another key are ambiguous, not "the last one wins".
    repeated = {k: [_("Give this parameter once.")] for k in SINGLE_KEYS if len(params.getlist(k)) > 1}
    if repeated:
        raise serializers.ValidationError(repeated, code="repeated")
    data = {k: params.get(k) for k in ("region", "earmark", "status", "group_by") if params.get(k) not in (None, "")}
    periods = [p for p in params.getlist("period") if p != ""]
    if periods:
        data["period"] = periods
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- schema ---------------------------------------------------------------------------------------------------


class TrajectoryRowSerializer(serializers.Serializer):
    focus = serializers.ChoiceField(choices=Focus.choices)
    counts = serializers.ListField(
        child=serializers.IntegerField(allow_null=True), help_text=_("One count per age band; null when suppressed.")
    )
    percentages = serializers.ListField(
        child=serializers.IntegerField(allow_null=True),
        help_text=_("Row percentages, rounded half-up to whole percents; null when suppressed."),
    )
    total = serializers.IntegerField(allow_null=True)
    suppressed = serializers.BooleanField(required=False, help_text=_("Region breakdown only (R36)."))


class TrajectoryTotalsSerializer(serializers.Serializer):
    counts = serializers.ListField(child=serializers.IntegerField(allow_null=True))
    percentages = serializers.ListField(child=serializers.IntegerField(allow_null=True))
    total = serializers.IntegerField(allow_null=True)
    suppressed = serializers.BooleanField(required=False)


class TrajectoryRegionTableSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    rows = TrajectoryRowSerializer(many=True)
    totals = TrajectoryTotalsSerializer()


class RegistrationTableSerializer(serializers.Serializer):
    periods = serializers.ListField(child=serializers.IntegerField())
    status = serializers.CharField(help_text=", ".join(statistics.TrajectoryStatus.values))
    age_bands = serializers.ListField(child=serializers.CharField(), help_text=", ".join(AgeBand.values))
    rows = TrajectoryRowSerializer(many=True, required=False, help_text=_("Without groupBy."))
    totals = TrajectoryTotalsSerializer(required=False, help_text=_("Without groupBy."))
    suppressed = serializers.BooleanField(
        required=False, help_text=_("Narrowed to one region or less: whether any cell is suppressed (R36).")
    )
    regions = TrajectoryRegionTableSerializer(many=True, required=False, help_text=_("With groupBy=region."))


FORMAT_PARAMETER = OpenApiParameter(
    "format", str, enum=["json", "csv"], description="Response format; `Accept: text/csv` works too."
)
PERIOD_PARAMETER = OpenApiParameter(
    "period", int, many=True, explode=True, description="Period number; repeat for several. Default: all periods."
)
CSV_RESPONSE = OpenApiTypes.STR

REGISTRATIONS_EXAMPLE = {
    "periods": [1, 2],
    "status": "registered",
    "ageBands": ["<25", "25-45", "45-55", "55+"],
    "rows": [
        {"focus": "new_intake", "counts": [30, 52, 12, 6], "percentages": [30, 52, 12, 6], "total": 100},
        {"focus": "upskilling", "counts": [1, 1, 1, 0], "percentages": [33, 33, 33, 0], "total": 3},
    ],
    "totals": {"counts": [31, 53, 13, 6], "percentages": [30, 51, 13, 6], "total": 103},
}
REGIONS_EXAMPLE = {
    "periods": [3],
    "status": "registered",
    "ageBands": ["<25", "25-45", "45-55", "55+"],
    "regions": [
        {
            "code": "rijnmond",
            "name": "Rijnmond",
            "rows": [
                {"focus": "new_intake", "counts": [40, 52, 12, 6], "percentages": [36, 47, 11, 5], "total": 110,
                 "suppressed": False},
                {"focus": "upskilling", "counts": [None, 20, None, 0], "percentages": [None, 74, None, 0],
                 "total": 27, "suppressed": True},
                {"focus": "practice_supervisor", "counts": [None, 30, None, 0], "percentages": [None, 83, None, 0],
                 "total": 36, "suppressed": True},
            ],
            "totals": {"counts": [49, 102, 16, 6], "percentages": [28, 59, 9, 3], "total": 173, "suppressed": False},
        }
    ],
}


# --- views ------------------------------------------------------------------------------------------------------


class StatisticsView(APIView):
    """Shared behaviour of the ministry's tables: permissions, JSON/CSV, ETag and Cache-Control."""

    ministry_allowed = True
    permission_classes = [*BASE_PERMISSIONS]
    required_roles = {"*": Action.READ_STATISTICS}  # R34: the ministry, the office and staff
    renderer_classes = [CamelCaseJSONRenderer, CSVRenderer]
    csv_filename = "table.csv"

    def csv_rows(self, data):
        return _flat_csv_rows(data)

    def perform_content_negotiation(self, request, force=False):
        """An unknown ``?format=`` is invalid input naming ``format`` (DRF answers 404)."""
        try:
            return super().perform_content_negotiation(request, force=force)
        except Http404:
            raise serializers.ValidationError(
                {"format": [_("Unknown format; use json or csv.")]}, code="invalid_choice"
            ) from None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code != 200 or not isinstance(response, Response):
            return response
        response.render()
        etag = '"' + hashlib.sha256(response.content).hexdigest()[:40] + '"'
        if request.META.get("HTTP_IF_NONE_MATCH"):
            sent = {t.strip().removeprefix("W/") for t in request.META["HTTP_IF_NONE_MATCH"].split(",")}
            if etag in sent or "*" in sent:
                not_modified = HttpResponseNotModified()
                not_modified["ETag"] = etag
                not_modified["Cache-Control"] = CACHE_CONTROL
                patch_vary_headers(not_modified, ["Accept", "Authorization"])
                return not_modified
        response["ETag"] = etag
        response["Cache-Control"] = CACHE_CONTROL
        patch_vary_headers(response, ["Accept", "Authorization"])
        if getattr(response, "accepted_renderer", None) and response.accepted_renderer.format == "csv":
            response["Content-Disposition"] = f'attachment; filename="{self.csv_filename}"'
        return response


class RegistrationStatisticsView(StatisticsView):
    """``GET /api/v2/statistics/trajectories``: registrations by focus x age band (R34, R36, R37)."""

    csv_filename = "registrations.csv"

    def csv_rows(self, data):
        return statistics.csv_rows_registrations(data)

    @extend_schema(
        operation_id="statistics_registrations",
        summary="Registrations by focus and age band (ministry table)",
        description=(
            "Counts of registrations (trajectories) by focus and age band with row percentages (rounded half-up), "
            "row totals and a totals row (R34). `status` counts by the registration's own status: `registered` "
            "(default) = submitted for review, repair requested or approved (not draft, not rejected); `approved`; "
            "`started` = approved and reported started; `completed` = approved, started and reported completed. "
            "`groupBy=region` gives one table per region with cells of 1-4 people suppressed (null, row flagged "
            "`suppressed`), plus secondary suppression so that no suppressed value follows from the totals (R36). "
            "A `region` filter (with any other filters) narrows the table to one region or less: it is then "
            "suppressed the same way, as that region's table in the breakdown, and carries `suppressed`. "
            "Responses carry `ETag` and `Cache-Control: private, max-age=60`; send `If-None-Match` for a 304."
        ),
        parameters=[
            PERIOD_PARAMETER,
            OpenApiParameter("region", str, description="Region code."),
            OpenApiParameter("earmark", str, enum=Earmark.values, description="The employers' earmark (sector)."),
            OpenApiParameter("status", str, enum=statistics.TrajectoryStatus.values, description="Default registered."),
            OpenApiParameter("group_by", str, enum=["region"], description="One table per region, with suppression."),
            FORMAT_PARAMETER,
        ],
        responses={(200, "application/json"): RegistrationTableSerializer, (200, "text/csv"): CSV_RESPONSE},
        examples=[
            OpenApiExample("National table", value=REGISTRATIONS_EXAMPLE, response_only=True),
            OpenApiExample("By region, with suppression", value=REGIONS_EXAMPLE, response_only=True),
        ],
    )
    def get(self, request):
        q = _query(request)
        kwargs = {
            "periods": q.get("period"),
            "region": q.get("region"),
            "earmark": q.get("earmark"),
            "status": q["status"],
        }
        if q.get("group_by") == "region":
            return Response(statistics.registration_table_by_region(**kwargs))
        return Response(statistics.registration_table(**kwargs))


class PlannedTableSerializer(serializers.Serializer):
    periods = serializers.ListField(child=serializers.IntegerField())
    activity_types = serializers.ListField(child=serializers.CharField(), help_text="A, B, C, D, E")
    rows = TrajectoryRowSerializer(many=True, help_text=_("One row per focus; counts per activity type."))
    totals = TrajectoryTotalsSerializer()
    suppressed = serializers.BooleanField(help_text=_("Whether any cell is suppressed (narrowed to a region, R36)."))


class PlannedStatisticsView(StatisticsView):
    """``GET /api/v2/statistics/planned``: planned trajectories by focus x activity type (R34, R36, R37)."""

    csv_filename = "planned.csv"

    def csv_rows(self, data):
        header = ["focus", *data["activity_types"], "total"]
        rows = [[row["focus"], *row["counts"], row["total"]] for row in data["rows"]]
        rows.append(["total", *data["totals"]["counts"], data["totals"]["total"]])
        return header, rows

    @extend_schema(
        operation_id="statistics_planned",
        summary="Planned trajectories by focus and activity type (ministry table)",
        description=(
            "The trajectories employers planned in their submitted plans (not drafts, not withdrawn), summed per "
            "focus and activity type, with row percentages (rounded half-up), row totals and a totals row (R34). "
            "Narrowed to one region the table is suppressed as the region breakdowns are: a count of 1-4 is null, "
            "its row flagged `suppressed`, with secondary suppression so no hidden value follows from the totals "
            "(R36). `ETag` and `Cache-Control: private, max-age=60` as the other tables."
        ),
        parameters=[
            PERIOD_PARAMETER,
            OpenApiParameter("region", str, description="Region code (the table is then suppressed, R36)."),
            OpenApiParameter("earmark", str, enum=Earmark.values, description="The employers' earmark (sector)."),
            FORMAT_PARAMETER,
        ],
        responses={(200, "application/json"): PlannedTableSerializer, (200, "text/csv"): CSV_RESPONSE},
    )
    def get(self, request):
        q = _query(request)
        return Response(
            statistics.planned_table(periods=q.get("period"), region=q.get("region"), earmark=q.get("earmark"))
        )


class PeriodQuerySerializer(serializers.Serializer):
    period = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=32767), required=False)

    def validate_period(self, value):
        return StatisticsQuerySerializer.validate_period(self, value)


class _MoneyField(serializers.DecimalField):
    def __init__(self, **kwargs):
        super().__init__(max_digits=14, decimal_places=2, coerce_to_string=True, **kwargs)


class BudgetRowSerializer(serializers.Serializer):
    period = serializers.IntegerField()
    earmark = serializers.CharField(help_text=", ".join(BudgetLineEarmark.values))
    ceiling = _MoneyField()
    requested = _MoneyField(help_text=_("Requested by applications submitted and not withdrawn."))
    eligible = _MoneyField()
    budget_line = serializers.CharField(help_text=", ".join(BudgetLineEarmark.values))
    granted = _MoneyField(help_text=_("Granted in total, including the held-back part."))
    unconditional = _MoneyField(help_text=_("Reserved unconditionally now (state)."))
    reserved_at_allocation = _MoneyField(help_text=_("Reserved by the allocation's grants (flow)."))
    lapsed = _MoneyField(help_text=_("Reservations that lapsed without an approved project agreement (flow, R46)."))
    lowered = _MoneyField(help_text=_("Lowered after the registration deadline (flow, R51)."))
    redistributed = _MoneyField(help_text=_("Committed again in redistribution rounds (flow, R52)."))
    held = _MoneyField(help_text=_("Still held back."))
    released = _MoneyField()
    forfeited = _MoneyField()
    available = _MoneyField()
    advances_paid = _MoneyField()
    settled = _MoneyField()
    reclaimed = _MoneyField()


class BudgetTableSerializer(serializers.Serializer):
    periods = serializers.ListField(child=serializers.IntegerField())
    rows = BudgetRowSerializer(many=True)


class HoldbackRowSerializer(serializers.Serializer):
    period = serializers.IntegerField()
    region = serializers.CharField(help_text=_("Region code."))
    region_name = serializers.CharField()
    advice = serializers.ChoiceField(choices=AdviceOutcome.choices, allow_null=True,
                                     help_text=_("The Commission's latest advice; null when none yet."))
    advice_date = serializers.DateField(allow_null=True)
    held = _MoneyField(help_text=_("Still held back."))
    released = _MoneyField()
    forfeited = _MoneyField()


class HoldbackTableSerializer(serializers.Serializer):
    periods = serializers.ListField(child=serializers.IntegerField())
    rows = HoldbackRowSerializer(many=True)


BUDGET_EXAMPLE = {
    "periods": [3],
    "rows": [
        {"period": 3, "earmark": "pooled", "budget_line": "pooled", "ceiling": "95000000.00",
         "requested": "120000000.00", "eligible": "110000000.00", "granted": "95000000.00",
         "unconditional": "71250000.00", "reserved_at_allocation": "95000000.00", "lapsed": "0.00",
         "lowered": "0.00", "redistributed": "0.00", "held": "5000000.00", "released": "18750000.00",
         "forfeited": "0.00", "available": "0.00", "advances_paid": "67500000.00", "settled": "0.00",
         "reclaimed": "0.00"},
    ],
}
HOLDBACK_EXAMPLE = {
    "periods": [3],
    "rows": [
        {"period": 3, "region": "rijnmond", "region_name": "Rijnmond", "advice": "positive",
         "advice_date": "2019-11-14", "held": "0.00", "released": "1250000.00", "forfeited": "0.00"},
    ],
}


def _table_periods(requested) -> list[int]:
    if requested:
        return list(requested)
    return list(Period.objects.order_by("number").values_list("number", flat=True))


class BudgetStatisticsView(StatisticsView):
    """``GET /api/v2/statistics/budgets``: per period and earmark (R35), from the budgets app's ledger."""

    csv_filename = "budgets.csv"

    @extend_schema(
        operation_id="statistics_budgets",
        summary="Budget table per period and earmark (ministry table)",
        description=(
            "Per period and budget line (earmark, or `pooled`): ceiling, requested, eligible, granted, held, "
            "released, forfeited, available, advances paid, settled and reclaimed (R35), derived from the ledger. "
            "Money as strings with two decimals. ETag and Cache-Control as for the registrations table."
        ),
        parameters=[PERIOD_PARAMETER, FORMAT_PARAMETER],
        responses={(200, "application/json"): BudgetTableSerializer, (200, "text/csv"): CSV_RESPONSE},
        examples=[OpenApiExample("Budget table", value=BUDGET_EXAMPLE, response_only=True)],
    )
    def get(self, request):
        q = _query(request, PeriodQuerySerializer)
        rows = app_selectors.budget_table(periods=q.get("period"))
        return Response(BudgetTableSerializer({"periods": _table_periods(q.get("period")), "rows": rows}).data)


class HoldbackStatisticsView(StatisticsView):
    """``GET /api/v2/statistics/holdbacks``: per region its latest advice, held, released, forfeited (R35)."""

    csv_filename = "holdbacks.csv"

    @extend_schema(
        operation_id="statistics_holdbacks",
        summary="Holdback table per region (ministry table)",
        description=(
            "Per holdback period and region: the Commission's latest advice and its date, and the amounts still "
            "held back, released and forfeited (R35)."
        ),
        parameters=[PERIOD_PARAMETER, FORMAT_PARAMETER],
        responses={(200, "application/json"): HoldbackTableSerializer, (200, "text/csv"): CSV_RESPONSE},
        examples=[OpenApiExample("Holdback table", value=HOLDBACK_EXAMPLE, response_only=True)],
    )
    def get(self, request):
        q = _query(request, PeriodQuerySerializer)
        rows = budget_selectors.holdback_table(periods=q.get("period"))
        return Response(HoldbackTableSerializer({"periods": _table_periods(q.get("period")), "rows": rows}).data)


__all__ = [
    "BudgetStatisticsView",
    "CSVRenderer",
    "HoldbackStatisticsView",
    "RegistrationStatisticsView",
]
