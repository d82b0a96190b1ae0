from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView

from .api.errors import not_found
from .views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # The public API, version 2 (shared/api.md): no trailing slashes; anything else under it is a 404 problem.
    path("api/v2/", include(("sectorplan.api_urls", "api"), namespace="api")),
    re_path(r"^api/v2$", not_found),
    # Pages for people, outside the API: Swagger UI and ReDoc read /api/v2/openapi.json.
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api:openapi"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api:openapi"), name="api-redoc"),
    path("inloggen/", auth_views.LoginView.as_view(template_name="registration/login.html"), name="login"),
    path("uitloggen/", auth_views.LogoutView.as_view(), name="logout"),
    path("kantoor/budget/", include("applications.decisions.urls")),
    path("herverdeling/", include("applications.round_urls")),
    path("brieven/", include("applications.letter_urls")),
    path("berichten/", include("applications.message_urls")),
    path("account/", include("accounting.urls")),
    path("", include("applications.urls")),
]
