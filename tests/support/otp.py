"""Logging office, Commission and staff accounts in with their second factor (R41) in tests.

``login_verified(client, user)`` is ``client.force_login(user)`` plus what ``django_otp.login`` stores: the id of a
confirmed TOTP device on the session, so ``OTPMiddleware`` counts the session as verified. Accounts without a
second factor are simply logged in. ``totp_code(device)`` is the real code of the device (``django_otp.oath.totp``),
for the tests that go through the login forms and the token endpoint.
"""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from sectorplan.second_factor import requires_second_factor


def totp_device(user) -> TOTPDevice:
    """The user's confirmed TOTP device (made on first use)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def totp_code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the authenticator app shows now (``steps_ahead`` steps of 30 s later: a code is used only once,
    and the device accepts one step of drift)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift + steps_ahead):0{device.digits}d}"


def login_verified(client, user):
    """Log ``user`` into the test ``client``'s session, verified by a TOTP device when the account needs one."""
    client.force_login(user)
    if requires_second_factor(user):
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
        session.save()
    return client
