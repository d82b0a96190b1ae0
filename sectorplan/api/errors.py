"""One error shape for the whole API: problem details (RFC 9457), ``application/problem+json``.

``{"type", "title", "status", "detail", "code", "instance"}``; invalid input (and a rule violation that names
fields) adds ``"invalidParams": [{"name", "code", "reason"}]`` listing every problem, ``name`` the camelCase path
of the field (``registrations[3].dateOfBirth``) and ``"line"`` for a row of a file.

Services raise :class:`DomainError` / :class:`StateConflict` with ``field``/``code``/``message`` in their own
(snake_case) words; the conversion to problem details, camelCase included, happens here at the edge. Every error
of an API view (DRF's own 401/403/404/405/415/parse errors, Django's ``Http404``, ``PermissionDenied``,
``ValidationError`` and ``RequestDataTooBig``) goes through :func:`exception_handler`; a path under the API that
matches nothing is answered by :func:`not_found` (``sectorplan.api_urls``), so the API never answers HTML.
"""

import json
import re

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from djangorestframework_camel_case.util import camelize_re, underscore_to_camel
from rest_framework import exceptions, status
from rest_framework.utils.encoders import JSONEncoder

NON_FIELD = "non_field_errors"
PROBLEM_CONTENT_TYPE = "application/problem+json"

#: Where each status is defined; the problem ``type`` (RFC 9457 §4.2: a URI that identifies the problem type).
STATUS_TYPES = {
    400: "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.1",
    401: "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.2",
    403: "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.4",
    404: "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.5",
    405: "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.6",
    406: "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.7",
    409: "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.10",
    413: "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.14",
    415: "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.16",
    429: "https://www.rfc-editor.org/rfc/rfc6585#section-4",
    500: "https://www.rfc-editor.org/rfc/rfc9110#section-15.6.1",
}

STATUS_TITLES = {
    400: _("Invalid input."),
    401: _("Not authenticated."),
    403: _("Not allowed."),
    404: _("Not found."),
    405: _("Method not allowed."),
    406: _("Not acceptable."),
    409: _("Conflict with the current state."),
    413: _("Request too large."),
    415: _("Unsupported media type."),
    429: _("Too many requests."),
    500: _("Internal server error."),
}


class Conflict(exceptions.APIException):
    """409: the request conflicts with the current state (submitting twice, a duplicate, ...)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The request conflicts with the current state.")
    default_code = "conflict"


class PayloadTooLarge(exceptions.APIException):
    """413: a file or request body over the limit."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request or file is larger than allowed.")
    default_code = "too_large"


class ServiceUnavailable(exceptions.APIException):
    """503: a service the request needs (the virus scanner) does not answer; nothing was saved."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("The service is temporarily unavailable; nothing has been saved. Please try again later.")
    default_code = "service_unavailable"


class DomainError(Exception):
    """Raised by services for a rule violation; the API renders it as a 400 or 409.

    ``errors`` is a list of dicts with ``field``, ``code`` and ``message`` (and ``line`` for files).
    """

    status_code = 400

    def __init__(self, errors=None, *, field=NON_FIELD, code="invalid", message=""):
        if errors is None:
            errors = [{"field": field, "code": code, "message": str(message)}]
        self.errors = [dict(e, message=str(e["message"])) for e in errors]
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in self.errors))


class StateConflict(DomainError):
    """A rule violation that is a state conflict: HTTP 409."""

    status_code = 409


# --- names -------------------------------------------------------------------------------------------------------

_SEGMENT = re.compile(r"[^.\[\]]+")


def camel_field(path: str) -> str:
    """A field path as the API names it: ``registrations[1].actual_cost`` -> ``registrations[1].actualCost``.

    Uses djangorestframework-camel-case's own rule, so names match the rendered properties.
    """
    path = str(path or NON_FIELD)
    return _SEGMENT.sub(lambda m: camelize_re.sub(underscore_to_camel, m.group()), path)


def _flatten(detail, prefix=""):
    """Turn DRF's nested error detail into a flat list of ``{"field", "code", "message"}``."""
    out = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int) or str(key).isdigit():
                field = f"{prefix}[{key}]"
            else:
                field = f"{prefix}.{key}" if prefix else str(key)
            out.extend(_flatten(value, field))
    elif isinstance(detail, list):
        if all(isinstance(item, exceptions.ErrorDetail | str) for item in detail):
            for item in detail:
                out.append(
                    {"field": prefix or NON_FIELD, "code": getattr(item, "code", None) or "invalid", "message": str(item)}
                )
        else:
            for index, item in enumerate(detail):
                out.extend(_flatten(item, f"{prefix}[{index}]" if prefix else f"[{index}]"))
    else:
        out.append(
            {"field": prefix or NON_FIELD, "code": getattr(detail, "code", None) or "invalid", "message": str(detail)}
        )
    return out


def invalid_params(errors) -> list[dict]:
    """``[{"field", "code", "message", "line"?}]`` (the services' words) as ``invalidParams`` items."""
    out = []
    for e in errors:
        item = {"name": camel_field(e.get("field")), "code": e.get("code") or "invalid", "reason": str(e["message"])}
        if e.get("line") is not None:
            item["line"] = e["line"]
        out.append(item)
    return out


# --- responses ---------------------------------------------------------------------------------------------------


def problem(status_code: int, *, code: str, detail, request=None, params=None, headers=None) -> HttpResponse:
    """A problem-details response. Rendered here, not by DRF's content negotiation: an error of a CSV table is
    problem+json too."""
    body = {
        "type": STATUS_TYPES.get(status_code, "about:blank"),
        "title": str(STATUS_TITLES.get(status_code, _("Error."))),
        "status": status_code,
        "detail": str(detail),
        "code": code,
    }
    if request is not None:
        body["instance"] = request.path
    if params is not None:
        body["invalidParams"] = params
    response = HttpResponse(
        json.dumps(body, cls=JSONEncoder, ensure_ascii=False), status=status_code, content_type=PROBLEM_CONTENT_TYPE
    )
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def _from_errors(status_code, errors, request, headers=None):
    codes = {e.get("code") or "invalid" for e in errors}
    code = (errors[0].get("code") or "invalid") if (len(codes) == 1 or status_code != 400) else "invalid"
    if len(errors) == 1:
        detail = errors[0]["message"]
    else:
        detail = gettext("%(count)d problems were found; see invalidParams.") % {"count": len(errors)}
    return problem(status_code, code=code, detail=detail, request=request, params=invalid_params(errors), headers=headers)


def exception_handler(exc, context):
    request = context.get("request") if context else None
    if isinstance(exc, DomainError):
        return _from_errors(exc.status_code, exc.errors, request)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
        else:
            detail = {NON_FIELD: exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, SuspiciousOperation):  # too many form fields, a malformed multipart body, ...
        exc = exceptions.ParseError(_("The request body could not be read."), code="malformed_body")
    if not isinstance(exc, exceptions.APIException):
        return None  # a bug: the middleware answers 500 problem+json and logs it

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))

    if isinstance(exc, exceptions.ValidationError):
        return _from_errors(exc.status_code, _flatten(exc.detail), request, headers)
    detail = exc.detail
    if isinstance(detail, list | dict):  # an APIException raised with a structure: list it
        return _from_errors(exc.status_code, _flatten(detail), request, headers)
    code = getattr(detail, "code", None) or exc.default_code
    return problem(exc.status_code, code=code, detail=detail, request=request, headers=headers)


@csrf_exempt  # as every API view: a POST to a wrong path is a 404 problem, not the CSRF middleware's HTML 403
def not_found(request, *args, **kwargs):
    """Any path under the API that matches no endpoint, a trailing slash included (never a redirect)."""
    return problem(
        404, code="not_found", detail=gettext("No endpoint at this address (paths have no trailing slash)."), request=request
    )
