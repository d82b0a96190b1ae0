from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django_otp.admin import OTPAdminSite
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

from .api.errors import not_found
from .login import LoginView
from .pages import html_lang, page_urls, password_reset_urls
from .views import healthz

# R41: the admin asks for the second factor too (django-otp's documented way to make the default site an OTP site).
admin.site.__class__ = OTPAdminSite

#: Swagger UI and ReDoc style themselves inline and ReDoc runs a web worker from a blob: only their pages allow it.
_API_DOCS_CSP = csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["blob:"]})
#: The API documentation (Swagger UI's controls, the schema's texts) is English: said explicitly on the page.
_API_DOCS_LANG = html_lang("en")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # The public API, version 2 (shared/api.md): no trailing slashes; anything else under it is a 404 problem.
    path("api/v2/", include(("sectorplan.api_urls", "api"), namespace="api")),
    re_path(r"^api/v2$", not_found),
    # Pages for people, outside the API: Swagger UI and ReDoc read /api/v2/openapi.json.
    # The split view serves Swagger UI's start script as a file, so no inline script is needed (CSP).
    path("api/docs/", _API_DOCS_LANG(_API_DOCS_CSP(SpectacularSwaggerSplitView.as_view(url_name="api:openapi"))), name="api-docs"),
    path("api/redoc/", _API_DOCS_LANG(_API_DOCS_CSP(SpectacularRedocView.as_view(url_name="api:openapi"))), name="api-redoc"),
    path("inloggen/", LoginView.as_view(), name="login"),
    path("uitloggen/", auth_views.LogoutView.as_view(), name="logout"),
    *password_reset_urls,
    path("", include((page_urls, "pages"))),
    path("kantoor/budget/", include("applications.decisions.urls")),
    path("herverdeling/", include("applications.round_urls")),
    path("brieven/", include("applications.letter_urls")),
    path("berichten/", include("applications.message_urls")),
    path("account/", include("accounting.urls")),
    path("", include("applications.urls")),
]
