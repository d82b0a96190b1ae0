from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from sectorplan.api.permissions import BASE_PERMISSIONS
from sectorplan.roles import Action

from .. import reference_services
from ..models import Period, Region
from .serializers import PeriodSerializer, RegionSerializer


@extend_schema_view(list=extend_schema(summary="List the 28 RAAT regions"))
class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Region.objects.select_related("employer_organisation").order_by("name")
    serializer_class = RegionSerializer
    lookup_field = "code"
    ministry_allowed = True


@extend_schema_view(
    list=extend_schema(summary="List periods with their windows, budget lines and settings"),
    create=extend_schema(summary="Create a period (staff)"),
    partial_update=extend_schema(summary="Edit a period (staff)"),
)
class PeriodViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Period.objects.prefetch_related("budget_lines", "deadlines", "activity_rates").order_by("number")
    serializer_class = PeriodSerializer
    permission_classes = [*BASE_PERMISSIONS]
    required_roles = {"create": Action.EDIT_REFERENCE_DATA, "partial_update": Action.EDIT_REFERENCE_DATA}
    ministry_allowed = True
    lookup_field = "number"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        period = reference_services.period_create(data=serializer.validated_data, by=request.user)
        return Response(self.get_serializer(period).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        period = self.get_object()
        serializer = self.get_serializer(period, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        period = reference_services.period_update(period=period, data=serializer.validated_data, by=request.user)
        return Response(self.get_serializer(Period.objects.get(pk=period.pk)).data)
