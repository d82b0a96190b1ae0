from django.urls import path
from rest_framework.routers import SimpleRouter

from .deadlines import DeadlineExtensionView
from .imports import ImportJobView
from .receipts import ReceiptPdfView
from .registrations import DocumentView, RegistrationViewSet
from .views import ApplicationViewSet, EmployerViewSet, OfficeUserView

router = SimpleRouter(trailing_slash="")  # NLGov ADR: no trailing slash
router.register("employers", EmployerViewSet, basename="employer")
router.register("applications", ApplicationViewSet, basename="application")
router.register("registrations", RegistrationViewSet, basename="registration")

urlpatterns = [
    *router.urls,
    path("documents/<int:pk>", DocumentView.as_view(), name="registration-document"),
    path("imports/<int:pk>", ImportJobView.as_view(), name="import-job"),
    path("receipts/<int:pk>/pdf", ReceiptPdfView.as_view(), name="receipt-pdf"),
    path("office-users/<str:username>", OfficeUserView.as_view(), name="office-user"),
    path("periods/<int:number>/deadline-extensions", DeadlineExtensionView.as_view(), name="deadline-extensions"),
]
