"""Middleware of the API (NLGov ADR): the ``API-Version`` header, camelCase query keys, never an HTML error.

Only requests under ``settings.API_PATH_PREFIX`` (``/api/v2``) are touched; the portal is left as it is.
"""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.utils.translation import gettext
from djangorestframework_camel_case.middleware import CamelCaseMiddleWare

from .errors import problem

logger = logging.getLogger("sectorplan.api")


def is_api_request(request) -> bool:
    prefix = settings.API_PATH_PREFIX
    return request.path == prefix or request.path.startswith(prefix + "/")


class APIVersionMiddleware:
    """Every API response, errors included, carries ``API-Version`` (the full ``info.version``, ``API_VERSION``).

    An exception no view handled becomes a 500 problem+json (logged), never Django's HTML page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_api_request(request):
            response["API-Version"] = settings.API_VERSION
        return response

    def process_exception(self, request, exception):
        if not is_api_request(request):
            return None
        if isinstance(exception, RequestDataTooBig):
            return problem(413, code="too_large", detail=gettext("The request is larger than allowed."), request=request)
        if isinstance(exception, SuspiciousOperation):  # a body Django refuses to read, outside a DRF view
            return problem(400, code="malformed_body", detail=gettext("The request body could not be read."), request=request)
        logger.exception("Unhandled error in %s %s", request.method, request.path)
        return problem(500, code="server_error", detail=gettext("Something went wrong on our side."), request=request)


class CamelCaseQueryMiddleware(CamelCaseMiddleWare):
    """djangorestframework-camel-case's query-key middleware (``pageSize`` -> ``page_size``), for the API only.

    drf-spectacular's ``camelize_serializer_fields`` hook sees this subclass and documents the query keys in
    camelCase."""

    def __call__(self, request):
        if is_api_request(request):
            return super().__call__(request)
        return self.get_response(request)
