"""django-axes' answer to a locked-out account or address (``AXES_LOCKOUT_CALLABLE``, R41): under the API a 429
problem with ``Retry-After``; elsewhere (portal, admin) the Dutch page, also 429 with ``Retry-After``."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from ..second_factor import cool_off_seconds
from .errors import problem
from .middleware import is_api_request


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out account or address (``AXES_LOCKOUT_CALLABLE``)."""
    retry_after = str(cool_off_seconds())
    if is_api_request(request):
        return problem(
            429, code="locked_out", request=request, headers={"Retry-After": retry_after},
            detail=_("Too many failed logins for this account or address; try again in %(minutes)d minutes.")
            % {"minutes": cool_off_seconds() // 60},
        )
    response = render(
        request, "registration/locked_out.html", {"minutes": cool_off_seconds() // 60}, status=429
    )
    response["Retry-After"] = retry_after
    return response
