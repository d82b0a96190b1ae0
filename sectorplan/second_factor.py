"""Login security (R41; issue 16, item 6): who needs a second factor, checking a TOTP code, the session rule and
the lockout answer.

- **Who**: every office account (``office_reviewer``, ``office_decider``), the Commission and staff
  (:func:`requires_second_factor`). Employer accounts and the ministry log in with a password.
- **How**: django-otp with TOTP devices (``django_otp.plugins.otp_totp``). A device is provisioned by staff in the
  admin ("TOTP devices") or, for the demo accounts, by ``seed_demo``, which prints the secret.
- **Sessions**: a session of such an account counts as logged in only once a device verified it
  (``django_otp.login`` stores the device on the session; ``OTPMiddleware`` reads it back as
  ``request.user.is_verified()``). :class:`SecondFactorMiddleware` treats an unverified session of such an account
  as anonymous, on the portal and for the API's session authentication alike.
- **Lockout** (django-axes): :data:`settings.AXES_FAILURE_LIMIT` failed logins lock the account and, separately,
  the address for ``AXES_COOLOFF_TIME``. A wrong second-factor code is a failed login too
  (:func:`record_failed_login`), so codes cannot be guessed either. ``sectorplan.api.lockout`` answers a lockout:
  a 429 problem with ``Retry-After`` under the API, the Dutch page elsewhere.
"""

from django.conf import settings
from django.contrib.auth import user_login_failed
from django.contrib.auth.models import AnonymousUser
from django_otp import devices_for_user

from .roles import Role, role_names

#: The roles whose accounts need a second factor, besides staff.
SECOND_FACTOR_ROLES = frozenset({Role.OFFICE_REVIEWER, Role.OFFICE_DECIDER, Role.COMMISSION})


def requires_second_factor(user) -> bool:
    """Office, Commission and staff accounts log in with a second factor (R41)."""
    if not user or not user.is_authenticated:
        return False
    return bool(user.is_staff or user.is_superuser or not role_names(user).isdisjoint(SECOND_FACTOR_ROLES))


def confirmed_devices(user) -> list:
    return list(devices_for_user(user, confirmed=True))


def verified_device(user, code: str):
    """The user's confirmed device that accepts ``code`` (a TOTP code is used once), or None."""
    code = (code or "").strip().replace(" ", "")
    if not code:
        return None
    for device in confirmed_devices(user):
        if device.verify_token(code):
            return device
    return None


def record_failed_login(request, username: str) -> None:
    """A wrong second-factor code counts as a failed login (django-axes listens to ``user_login_failed``)."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)


def cool_off_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


class SecondFactorMiddleware:
    """After ``OTPMiddleware``: an account that needs a second factor and whose session no device verified is
    treated as anonymous (it is sent to the login page, and the API's session authentication sees nobody)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and requires_second_factor(user) and not user.is_verified():
            request.user = AnonymousUser()
        return self.get_response(request)
