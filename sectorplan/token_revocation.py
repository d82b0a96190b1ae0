"""API tokens die with a password change (R41; shared/api.md "Authentication").

Kept apart from :mod:`sectorplan.api.tokens` and free of model imports, so ``applications.apps`` can import it
before the app registry is ready and connect :func:`revoke_on_password_change` to the user model's ``post_save``.
"""

from django.apps import apps


def tokens_revoke(*, user) -> int:
    """Delete every API token of ``user`` (``DELETE /api/v2/auth/token``, a password change)."""
    deleted, _rows = apps.get_model("authtoken", "Token").objects.filter(user=user).delete()
    return deleted


def revoke_on_password_change(sender, instance, created, **kwargs):
    """``post_save`` of the user model: ``set_password`` leaves ``_password`` set until after the save."""
    if not created and getattr(instance, "_password", None) is not None:
        tokens_revoke(user=instance)
