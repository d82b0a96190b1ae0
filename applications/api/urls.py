from rest_framework.routers import SimpleRouter

from .views import ApplicationViewSet, EmployerViewSet

router = SimpleRouter()
router.register("employers", EmployerViewSet, basename="employer")
router.register("applications", ApplicationViewSet, basename="application")

urlpatterns = router.urls
