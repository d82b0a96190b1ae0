"""API tokens that expire, rotate and die (shared/api.md "Authentication"; R41; issue 16, item 6).

DRF's ``authtoken.Token`` (one per user, ``created`` stamped) is kept; what it lacked is here:

- **expiry**: a token is valid for :func:`token_lifetime` after it was issued: 24 hours for accounts with a second
  factor (office, Commission, staff), 30 days for the others (``API_TOKEN_LIFETIME*`` settings). An expired
  token is deleted on its first use and answered 401;
- **rotation**: :func:`token_issue` replaces the user's token by a new key every time (the old one stops working);
- **revocation**: ``DELETE /api/v2/auth/token`` (:func:`tokens_revoke`), and every password change
  (``sectorplan.token_revocation``, connected in ``applications.apps``: ``set_password`` then ``save``).
"""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from ..second_factor import requires_second_factor
from ..token_revocation import tokens_revoke

__all__ = ["ExpiringTokenAuthentication", "token_expires", "token_issue", "token_lifetime", "tokens_revoke"]


def token_lifetime(user):
    if requires_second_factor(user):
        return settings.API_TOKEN_LIFETIME_SECOND_FACTOR
    return settings.API_TOKEN_LIFETIME


def token_expires(token: Token) -> datetime:
    return token.created + token_lifetime(token.user)


@transaction.atomic
def token_issue(*, user) -> Token:
    """A new token for ``user``; any earlier token is revoked (a new key each time)."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)




class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``; an expired token is refused (401) and removed."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expires(token) <= timezone.now():
            token.delete()
            raise exceptions.AuthenticationFailed(_("The token has expired; ask for a new one."), code="token_expired")
        return user, token
