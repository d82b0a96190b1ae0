from rest_framework.routers import SimpleRouter

from .views import PeriodViewSet, RegionViewSet

router = SimpleRouter(trailing_slash="")  # NLGov ADR: no trailing slash
router.register("regions", RegionViewSet, basename="region")
router.register("periods", PeriodViewSet, basename="period")

urlpatterns = [*router.urls]
