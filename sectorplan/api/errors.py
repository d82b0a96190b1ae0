"""One error shape for the whole API (shared/api.md, "Errors").

``{"errors": [{"field": ..., "code": ..., "message": ...}]}`` with ``"line"`` for file rows.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

NON_FIELD = "non_field_errors"


class Conflict(exceptions.APIException):
    """409: the request conflicts with the current state (submitting twice, a duplicate, ...)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The request conflicts with the current state.")
    default_code = "conflict"


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


def _flatten(detail, prefix=""):
    """Turn DRF's nested error detail into a flat list of field errors."""
    out = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int) or str(key).isdigit():
                field = f"{prefix}[{key}]"
            else:
                field = f"{prefix}.{key}" if prefix else str(key)
            out.extend(_flatten(value, field))
    elif isinstance(detail, list):
        if all(isinstance(item, exceptions.ErrorDetail) or isinstance(item, str) for item in detail):
            for item in detail:
                out.append(
                    {
                        "field": prefix or NON_FIELD,
                        "code": getattr(item, "code", "invalid") or "invalid",
                        "message": str(item),
                    }
                )
        else:
            for index, item in enumerate(detail):
                out.extend(_flatten(item, f"{prefix}[{index}]" if prefix else f"[{index}]"))
    else:
        out.append(
            {
                "field": prefix or NON_FIELD,
                "code": getattr(detail, "code", "invalid") or "invalid",
                "message": str(detail),
            }
        )
    return out


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response({"errors": exc.errors}, status=exc.status_code)
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

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        errors = [{"field": NON_FIELD, "code": code, "message": str(detail)}]
    response.data = {"errors": errors}
    return response
