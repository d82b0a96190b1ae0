"""The employer a portal user acts for (R2).

Every portal page acts for exactly one employer. Its id is kept in the session; it is only ever an
employer the user is a member of (``Membership``). A user with exactly one membership gets that employer
automatically. Reading a page of an application of another employer the user is also a member of switches
the active employer to it; anything of an employer the user is not linked to is a 404.

**The employer travels with every form** (R2: "a form submitted for one employer never lands on another").
A form that acts on an application names its employer through the application in its URL; a form that acts
for the employer itself (a new application, an invitation) carries it in a hidden field ``employer``
(``portal/_acting_employer.html``). When the employer a form was opened for is not the one the session acts
for now (the user switched in another tab), the form is refused with a Dutch explanation and nothing is
saved: :class:`EmployerMismatch`, answered by :class:`EmployerMismatchMiddleware` with a 409 page.
"""

from django.http import Http404
from django.shortcuts import render

from budgets.models import Period
from sectorplan.roles import Action, is_office, may

from .constants import MembershipRole
from .decisions.messages import unread_count
from .models import Employer, Letter

SESSION_KEY = "portal_active_employer_id"
#: The hidden field that carries the employer with a form (``portal/_acting_employer.html``).
EMPLOYER_FIELD = "employer"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_CACHE_ATTR = "_portal_active_employer"


class EmployerMismatch(Exception):
    """R2: a form opened for ``form_employer`` was posted while the session acts for ``acting_employer``."""

    def __init__(self, *, form_employer: Employer | None, acting_employer: Employer | None):
        self.form_employer = form_employer
        self.acting_employer = acting_employer
        super().__init__("form employer differs from the acting employer")


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


def act_for(request, employer: Employer) -> Employer:
    """The request acts on something of ``employer``, an employer the user is a member of (the caller looked
    the object up among the user's own).

    Reading (GET) switches the acting employer to it, so the header always shows whom the page is for. A posted
    form for another employer than the session acts for is refused (:class:`EmployerMismatch`), never applied.
    """
    active = get_active_employer(request)
    if active is not None and active.pk == employer.pk:
        return employer
    if request.method in SAFE_METHODS:
        return set_active_employer(request, employer)
    raise EmployerMismatch(form_employer=employer, acting_employer=active)


def posted_employer(request) -> Employer:
    """The employer a posted form carries in its hidden ``employer`` field, checked against the memberships and
    the session: not a member's employer is a 404 (R2); missing, or not the acting employer, is refused
    (:class:`EmployerMismatch`)."""
    value = str(request.POST.get(EMPLOYER_FIELD, "")).strip()
    employer = None
    if value:
        if not (value.isdigit() and len(value) <= 18):
            raise Http404
        employer = member_employers(request.user).filter(pk=int(value)).first()
        if employer is None:
            raise Http404
    active = get_active_employer(request)
    if employer is None or active is None or employer.pk != active.pk:
        raise EmployerMismatch(form_employer=employer, acting_employer=active)
    return employer


class EmployerMismatchMiddleware:
    """Answers :class:`EmployerMismatch` with a 409 page that says whom the form was for, whom the user acts
    for now, that nothing was saved, and offers to switch back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, EmployerMismatch):
            return None
        return render(
            request,
            "portal/employer_mismatch.html",
            {"form_employer": exception.form_employer, "acting_employer": exception.acting_employer,
             "return_to": request.path},
            status=409,
        )


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
        "nav_is_commission": may(user, Action.RECORD_ADVICE),
        "nav_is_ministry": may(user, Action.READ_STATISTICS),
        "nav_letters_period": letters_period if office else None,
        "nav_unread_messages": lambda: unread_count(user),
    }
