"""Version 2 of the public API (shared/api.md, NLGov REST API Design Rules). Each app contributes its own URLs.

Paths have no trailing slash; a path that matches nothing here (a trailing slash included) is a 404 problem
document, never a redirect and never HTML.
"""

from django.contrib.auth import authenticate
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from djangorestframework_camel_case.parser import CamelCaseFormParser, CamelCaseMultiPartParser
from djangorestframework_camel_case.render import CamelCaseJSONRenderer
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import Throttled
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .api.errors import NON_FIELD, DomainError, not_found
from .api.parsers import JSONBodyParser
from .api.schema import SchemaView
from .api.tokens import token_expires, token_issue, tokens_revoke
from .second_factor import (
    confirmed_devices,
    cool_off_seconds,
    record_failed_login,
    requires_second_factor,
    verified_device,
)


class LockedOut(Throttled):
    """429 with ``Retry-After``: too many failed logins for the account or the address (django-axes)."""

    default_detail = _("Too many failed logins for this account or address; try again later.")
    default_code = "locked_out"


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, trim_whitespace=False)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})
    otp = serializers.CharField(
        max_length=12, required=False, allow_blank=True,
        help_text="The TOTP code: required for office, Commission and staff accounts (R41).",
    )


class TokenView(APIView):
    """``POST /api/v2/auth/token`` (username, password and, for accounts with a second factor, ``otp``) issues a new
    token, revoking the previous one; ``DELETE`` revokes the caller's (shared/api.md "Authentication", R41).

    Wrong credentials are one 400 whether or not the account exists; a missing or wrong code for an account with a
    second factor is a 400 on ``otp`` (asked only once the password was right, so it tells nothing more);
    django-axes counts both, and a locked-out account or address is a 429 with ``Retry-After``."""

    parser_classes = (JSONBodyParser, CamelCaseFormParser, CamelCaseMultiPartParser)
    renderer_classes = (CamelCaseJSONRenderer,)

    def get_authenticators(self):
        # Logging in needs no (and ignores any) credentials; revoking needs the token being revoked.
        return [] if getattr(self.request, "method", None) == "POST" else super().get_authenticators()

    def get_permissions(self):
        return [] if getattr(self.request, "method", None) == "POST" else [IsAuthenticated()]

    @extend_schema(
        summary="Obtain an API token",
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer("TokenResponse", {"token": serializers.CharField(), "expires": serializers.DateTimeField()}),
            400: OpenApiResponse(description="Invalid credentials, or the second factor is missing or wrong"),
            429: OpenApiResponse(description="Too many failed logins for this account or address"),
        },
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        username, password = data.validated_data["username"], data.validated_data["password"]
        user = authenticate(request=request._request, username=username, password=password)
        if getattr(request._request, "axes_locked_out", False):
            raise LockedOut(wait=cool_off_seconds())
        if user is None or not user.is_active:
            raise DomainError(field=NON_FIELD, code="invalid_credentials", message=_("Unable to log in with the given credentials."))
        if requires_second_factor(user):
            if not confirmed_devices(user):
                raise DomainError(field="otp", code="no_second_factor", message=_(
                    "This account needs a second factor, but has no confirmed authenticator; ask the office's staff."))
            code = data.validated_data.get("otp", "")
            if not code:
                raise DomainError(field="otp", code="required", message=_("Give the code of your authenticator app."))
            if verified_device(user, code) is None:
                record_failed_login(request._request, username)
                if getattr(request._request, "axes_locked_out", False):
                    raise LockedOut(wait=cool_off_seconds())
                raise DomainError(field="otp", code="invalid", message=_("The code is not right."))
        token = token_issue(user=user)
        return Response({"token": token.key, "expires": token_expires(token)})

    @extend_schema(summary="Revoke the caller's API token", request=None, responses={204: None})
    def delete(self, request, *args, **kwargs):
        tokens_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


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
