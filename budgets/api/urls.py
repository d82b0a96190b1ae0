from rest_framework.routers import SimpleRouter

from .views import PeriodViewSet, RegionViewSet

router = SimpleRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("periods", PeriodViewSet, basename="period")

urlpatterns = [*router.urls]
