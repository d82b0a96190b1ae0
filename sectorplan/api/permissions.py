"""Role checks shared by every app (R4). Roles are Django groups with exactly these names."""

from rest_framework import permissions

from sectorplan.roles import Role, has_role, is_office


class IsStaffOrReadOnly(permissions.BasePermission):
    """Read for any authenticated user; write for staff only."""

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user.is_staff)


class IsOffice(permissions.BasePermission):
    """Staff, ``office_reviewer`` or ``office_decider``."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and is_office(request.user))


def role_permission(*roles: Role, allow_staff: bool = True):
    """A permission class admitting users in any of ``roles`` (and staff unless told otherwise)."""

    class _HasRole(permissions.BasePermission):
        def has_permission(self, request, view):
            user = request.user
            if not (user and user.is_authenticated):
                return False
            if allow_staff and user.is_staff:
                return True
            return any(has_role(user, role) for role in roles)

    _HasRole.__name__ = "HasRole_" + "_".join(r.value for r in roles)
    return _HasRole


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
BASE_PERMISSIONS = [permissions.IsAuthenticated, MinistryOnlyWhereAllowed]
