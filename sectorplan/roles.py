"""The office roles of R4. They are Django groups with exactly these names, created by a migration."""

from django.db import models


class Role(models.TextChoices):
    OFFICE_REVIEWER = "office_reviewer", "office_reviewer"
    OFFICE_DECIDER = "office_decider", "office_decider"
    COMMISSION = "commission", "commission"
    MINISTRY = "ministry", "ministry"


OFFICE_ROLES = (Role.OFFICE_REVIEWER, Role.OFFICE_DECIDER)


def role_names(user) -> set[str]:
    if not user or not user.is_authenticated:
        return set()
    cache = getattr(user, "_role_names_cache", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        user._role_names_cache = cache
    return cache


def has_role(user, role: Role | str) -> bool:
    return str(role) in role_names(user)


def is_office(user) -> bool:
    """Office staff: either office role, or Django staff (who may do everything an admin may)."""
    if not user or not user.is_authenticated:
        return False
    return bool(user.is_staff) or any(has_role(user, r) for r in OFFICE_ROLES)
