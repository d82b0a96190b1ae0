from rest_framework.routers import SimpleRouter

from .views import ApplicationViewSet, EmployerViewSet

router = SimpleRouter(trailing_slash="")  # NLGov ADR: no trailing slash
router.register("employers", EmployerViewSet, basename="employer")
router.register("applications", ApplicationViewSet, basename="application")

urlpatterns = router.urls
