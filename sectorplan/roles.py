"""The office roles of R4 and what each may do: the one permission vocabulary of the project.

Roles are Django groups with exactly the names of :class:`Role`, created by a migration. What a role may do is
data: :data:`ACTION_ROLES` maps every office :class:`Action` to the roles that may take it (the README's table
"Roles"); staff (``is_staff``) may take every action. Nothing else names a role for a permission:

- API views declare ``required_roles = {<viewset action or HTTP method>: Action.X}``, read by
  ``sectorplan.api.permissions.HasRequiredRoles`` (part of ``BASE_PERMISSIONS``), as open-zaak declares
  ``required_scopes``;
- portal views are decorated with :func:`role_required` (``@role_required(Action.X, post=Action.Y)``);
- templates and code ask :func:`may` (``may(user, Action.X)``).

One answer for a page a role may not open: a logged-in user without the role gets **403** with the Dutch
page ``templates/403.html`` (not a 404: office pages are no secret, and the answer does not depend on any id).
What belongs to an employer the user is not linked to stays a **404** (R2): API views addressing such an
object look it up before the role is checked, and employer pages look up among the user's own employers.

Employer-side rights (``contact`` or ``accountability_officer`` of one employer) are memberships, not roles:
``applications.selectors.is_contact`` answers them.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICE_REVIEWER = "office_reviewer", "office_reviewer"
    OFFICE_DECIDER = "office_decider", "office_decider"
    COMMISSION = "commission", "commission"
    MINISTRY = "ministry", "ministry"


OFFICE_ROLES = (Role.OFFICE_REVIEWER, Role.OFFICE_DECIDER)


class Action(models.TextChoices):
    """What an office user can do (R4; README "Roles"). The label completes "Not allowed for your role: ..."."""

    #: Office work: see every employer's applications, the queue, review, allocation and letters pages.
    OFFICE = "office", _("office work")
    ASSESS = "assess", _("assess applications")  # R15; also asks for completion (R43)
    NOT_CONSIDER = "not_consider", _("decide not to consider an application")  # R43
    PROPOSE_ALLOCATION = "propose_allocation", _("propose an allocation")  # R16-R18
    CONFIRM_ALLOCATION = "confirm_allocation", _("confirm an allocation")  # R18, four-eyes
    FORFEIT_HOLDBACK = "forfeit_holdback", _("forfeit held-back amounts")  # R24
    REVIEW_AGREEMENT = "review_agreement", _("review project agreements")  # R45
    REVIEW_REGISTRATION = "review_registration", _("review registrations")  # R49
    LAPSE_GRANTS = "lapse_grants", _("let grants without an approved agreement lapse")  # R46
    SETTLE = "settle", _("settle a subsidy")  # R30
    RULE_ON_OBJECTION = "rule_on_objection", _("rule on an objection")  # R33
    RECORD_OBJECTION = "record_objection", _("record an objection")  # R33
    REOPEN_ACCOUNTABILITY = "reopen_accountability", _("reopen accountability")  # R32
    EXTEND_DEADLINE = "extend_deadline", _("extend a deadline")  # R53
    DRAW_SAMPLE = "draw_sample", _("draw a sample of small applications")  # R31
    CHECK_SAMPLE = "check_sample", _("record a sample check")  # R31
    PROPOSE_ADVANCE_RUN = "propose_advance_run", _("propose an advance run")  # R48
    CONFIRM_ADVANCE_RUN = "confirm_advance_run", _("confirm an advance run")  # R48, four-eyes
    RECORD_ADVICE = "record_advice", _("record the Commission's advice")  # R21
    #: Lowering proposals (R51), opening redistribution rounds and their proposals (R52).
    PROPOSE_AMENDMENTS = "propose_amendments", _("propose lowerings and redistributions")
    #: Confirming a lowering or a round's proposal (R51, R52), four-eyes.
    CONFIRM_AMENDMENTS = "confirm_amendments", _("confirm lowerings and redistributions")
    #: The budget overview and the holdback table (the Commission reads them too).
    READ_BUDGETS = "read_budgets", _("read the budget pages")
    READ_STATISTICS = "read_statistics", _("read the statistics tables")  # R34
    #: Create employers, link accounts to any employer, invite for any employer (R1-R3).
    MANAGE_EMPLOYERS = "manage_employers", _("manage employers and their accounts")
    #: The office's letters pages: overview per period, a new version of a letter (R28).
    MANAGE_LETTERS = "manage_letters", _("manage letters")
    #: Periods and their settings: staff only.
    EDIT_REFERENCE_DATA = "edit_reference_data", _("edit reference data")
    #: Which regions an office user serves (R4): staff only.
    SCOPE_OFFICE_USERS = "scope_office_users", _("scope office users to regions")


_OFFICE = frozenset(OFFICE_ROLES)
_REVIEWER = frozenset({Role.OFFICE_REVIEWER})
_DECIDER = frozenset({Role.OFFICE_DECIDER})

#: Who may take each action, besides staff. Every action is listed (a test checks it).
ACTION_ROLES: dict[Action, frozenset[Role]] = {
    Action.OFFICE: _OFFICE,
    Action.ASSESS: _REVIEWER,
    Action.NOT_CONSIDER: _DECIDER,
    Action.PROPOSE_ALLOCATION: _OFFICE,
    Action.CONFIRM_ALLOCATION: _DECIDER,
    Action.FORFEIT_HOLDBACK: _DECIDER,
    Action.REVIEW_AGREEMENT: _REVIEWER,
    Action.REVIEW_REGISTRATION: _REVIEWER,
    Action.LAPSE_GRANTS: _DECIDER,
    Action.SETTLE: _DECIDER,
    Action.RULE_ON_OBJECTION: _DECIDER,
    Action.RECORD_OBJECTION: _OFFICE,
    Action.REOPEN_ACCOUNTABILITY: _OFFICE,
    Action.EXTEND_DEADLINE: _DECIDER,
    Action.DRAW_SAMPLE: _OFFICE,
    Action.CHECK_SAMPLE: _REVIEWER,
    Action.PROPOSE_ADVANCE_RUN: _OFFICE,
    Action.CONFIRM_ADVANCE_RUN: _DECIDER,
    Action.RECORD_ADVICE: frozenset({Role.COMMISSION}),
    Action.PROPOSE_AMENDMENTS: _OFFICE,
    Action.CONFIRM_AMENDMENTS: _DECIDER,
    Action.READ_BUDGETS: _OFFICE | {Role.COMMISSION},
    Action.READ_STATISTICS: _OFFICE | {Role.MINISTRY},
    Action.MANAGE_EMPLOYERS: _OFFICE,
    Action.MANAGE_LETTERS: _OFFICE,
    Action.EDIT_REFERENCE_DATA: frozenset(),
    Action.SCOPE_OFFICE_USERS: frozenset(),
}


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


def may(user, action: Action) -> bool:
    """Whether ``user`` may take ``action``: staff always, others through one of the action's roles."""
    if not user or not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    return not role_names(user).isdisjoint(ACTION_ROLES[action])


def refusal(action: Action) -> str:
    """The message of a 403 for ``action``."""
    return gettext_now("Not allowed for your role: %(action)s.") % {"action": action.label}


def is_office(user) -> bool:
    """Office staff: either office role, or Django staff (who may do everything an admin may)."""
    return may(user, Action.OFFICE)


def role_required(action: Action, *, post: Action | None = None):
    """Decorator for portal views: log in first; without ``action`` (and, for a POST, ``post``) a 403 with the
    Dutch page. A page one role reads and another changes names both: ``@role_required(Action.OFFICE,
    post=Action.ASSESS)``."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not may(request.user, action):
                raise PermissionDenied(refusal(action))
            if request.method == "POST" and post is not None and not may(request.user, post):
                raise PermissionDenied(refusal(post))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
