"""The employer a portal user acts for (R2).

Every portal page acts for exactly one employer. Its id is kept in the session; it is only ever an
employer the user is a member of (``accounting.models.Membership``). A user with exactly one
membership gets that employer automatically. Opening an application of another employer the user is
also a member of switches the active employer to it (see ``applications.views``); anything else is a 404.
"""

from django.http import Http404

from applications.constants import MembershipRole
from applications.models import Employer, Letter
from budgets.models import Period
from sectorplan.roles import Role, has_role, is_office

SESSION_KEY = "portal_active_employer_id"
_CACHE_ATTR = "_portal_active_employer"


def member_employers(user):
    """Employers ``user`` is a member of, whatever their office roles."""
    if not user or not user.is_authenticated:
        return Employer.objects.none()
    return Employer.objects.filter(memberships__user=user).select_related("region").order_by("name")


def get_active_employer(request) -> Employer | None:
    """The employer ``request.user`` acts for, or None when they must choose (or have none)."""
    if hasattr(request, _CACHE_ATTR):
        return getattr(request, _CACHE_ATTR)
    employer = None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        employers = member_employers(user)
        employer_id = request.session.get(SESSION_KEY)
        if employer_id is not None:
            employer = employers.filter(pk=employer_id).first()
        if employer is None:
            only = list(employers[:2])
            if len(only) == 1:
                employer = only[0]
                request.session[SESSION_KEY] = employer.pk
            elif employer_id is not None:
                request.session.pop(SESSION_KEY, None)
    setattr(request, _CACHE_ATTR, employer)
    return employer


def set_active_employer(request, employer: Employer) -> Employer:
    """Act for ``employer`` from now on. Not a member: 404 (R2: not even whether it exists)."""
    if not member_employers(request.user).filter(pk=employer.pk).exists():
        raise Http404
    request.session[SESSION_KEY] = employer.pk
    setattr(request, _CACHE_ATTR, employer)
    return employer


def portal_context(request) -> dict:
    """Template context processor: the acting employer and the navigation the user's roles allow.

    Everything that needs a query is lazy (a callable or cached per request), so pages that do not
    show the header pay nothing.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count():
        return member_employers(user).count()

    def is_contact():
        return user.memberships.filter(role=MembershipRole.CONTACT).exists()

    def letters_period():
        number_field = "decision__application__period__number"
        latest = Letter.objects.order_by(f"-{number_field}").values_list(number_field, flat=True).first()
        return latest or Period.objects.order_by("-number").values_list("number", flat=True).first()

    office = is_office(user)
    return {
        "active_employer": get_active_employer(request),
        "member_employer_count": count,
        "user_is_office": office,
        "nav_is_contact": is_contact,
        "nav_is_commission": bool(user.is_staff or has_role(user, Role.COMMISSION)),
        "nav_letters_period": letters_period if office else None,
    }
