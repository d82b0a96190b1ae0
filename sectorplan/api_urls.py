"""Version 2 of the public API (shared/api.md, NLGov REST API Design Rules). Each app contributes its own URLs.

Paths have no trailing slash; a path that matches nothing here (a trailing slash included) is a 404 problem
document, never a redirect and never HTML.
"""

from django.urls import include, path, re_path
from djangorestframework_camel_case.parser import CamelCaseFormParser, CamelCaseMultiPartParser
from djangorestframework_camel_case.render import CamelCaseJSONRenderer
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken

from .api.errors import not_found
from .api.parsers import JSONBodyParser
from .api.schema import SchemaView


class TokenView(ObtainAuthToken):
    """``POST /api/v2/auth/token`` with username and password; wrong credentials give 400."""

    parser_classes = (JSONBodyParser, CamelCaseFormParser, CamelCaseMultiPartParser)
    renderer_classes = (CamelCaseJSONRenderer,)

    @extend_schema(
        summary="Obtain an API token",
        request=inline_serializer("TokenRequest", {"username": serializers.CharField(), "password": serializers.CharField()}),
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


urlpatterns = [
    path("openapi.json", SchemaView.as_view(), name="openapi"),
    path("auth/token", TokenView.as_view(), name="api-token"),
    path("", include("budgets.api.urls")),
    path("", include("applications.decisions.api_urls")),
    path("", include("applications.api.urls")),
    path("", include("applications.api.letter_urls")),
    path("", include("applications.api.statistics_urls")),
    path("", include("accounting.api.urls")),
    re_path(r"^.*$", not_found),
]
