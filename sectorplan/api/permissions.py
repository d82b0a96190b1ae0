"""The API side of the permission vocabulary of ``sectorplan.roles`` (R4).

Every API view starts its ``permission_classes`` with ``BASE_PERMISSIONS`` (the default classes are the same).
A view declares what its actions need as data, the way open-zaak declares ``required_scopes``::

    class SettleView(ObjectAPIView):
        required_roles = {"post": Action.SETTLE}

The key is the viewset action (``"create"``, ``"assessment"``) or, on a plain ``APIView``, the HTTP method in
lower case (``HEAD`` counts as ``"get"``); ``"*"`` covers every action not listed. An action not listed needs no
office role (membership checks, where they apply, are the view's). A user without the action's roles gets 403;
but when the view addresses one object (a detail action, or a ``sectorplan.api.views.ObjectAPIView``), the object
is looked up first, so that what the caller may not see is a 404 and never a 403 (R2).
"""

from rest_framework import permissions

from sectorplan.roles import Action, Role, has_role, is_office, may, refusal


def required_action(view, request) -> Action | None:
    """The :class:`~sectorplan.roles.Action` ``view.required_roles`` names for this request, if any."""
    required = getattr(view, "required_roles", None) or {}
    key = getattr(view, "action", None)
    if key is None:
        key = "get" if request.method == "HEAD" else request.method.lower()
    return required.get(key, required.get("*"))


def _addresses_object(view) -> bool:
    """A detail action of a viewset, or an ``ObjectAPIView`` (``sectorplan.api.views``): a view with
    ``get_object()`` whose URL names the object."""
    lookup = getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", None)
    return hasattr(view, "get_object") and lookup in (getattr(view, "kwargs", None) or {})


class HasRequiredRoles(permissions.BasePermission):
    """Reads ``view.required_roles`` (action -> :class:`~sectorplan.roles.Action`) and checks it with
    :func:`~sectorplan.roles.may`; an object the caller may not see is a 404 before the 403."""

    def has_permission(self, request, view):
        action = required_action(view, request)
        if action is None or may(request.user, action):
            return True
        if _addresses_object(view):
            view.get_object()  # Http404 for what the caller may not see (R2)
        self.message = refusal(action)
        return False


class MinistryOnlyWhereAllowed(permissions.BasePermission):
    """R34/R40: the ``ministry`` role reads aggregated tables and reference data only.

    A view the ministry may use sets ``ministry_allowed = True`` (and is read-only for it). Every
    other view refuses a user whose only office-side role is ``ministry``.
    """

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated) or user.is_staff:
            return True
        if not has_role(user, Role.MINISTRY) or is_office(user):
            return True
        return bool(getattr(view, "ministry_allowed", False)) and request.method in permissions.SAFE_METHODS


#: Every API view starts its ``permission_classes`` with these: ``[*BASE_PERMISSIONS, ...]``.
BASE_PERMISSIONS = [permissions.IsAuthenticated, MinistryOnlyWhereAllowed, HasRequiredRoles]
