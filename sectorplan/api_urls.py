"""Version 1 of the public API (shared/api.md). Each app contributes its own ``api/urls.py``."""

from django.urls import include, path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken


class TokenView(ObtainAuthToken):
    """``POST /api/v1/auth/token/`` with username and password; wrong credentials give 400."""

    @extend_schema(
        summary="Obtain an API token",
        request=inline_serializer("TokenRequest", {"username": serializers.CharField(), "password": serializers.CharField()}),
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("", include("budgets.api.urls")),
    path("", include("applications.decisions.api_urls")),
    path("", include("applications.api.urls")),
    path("", include("applications.api.letter_urls")),
    path("", include("applications.api.statistics_urls")),
    path("", include("accounting.api.urls")),
]
