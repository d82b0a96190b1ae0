"""Writes on accounts, invitations, accountability, settlement, reminders and objections (R2, R3, R29-R33).

Keyword-only, one transaction each, locking what they change; mail and letters start on commit.
"""

import hashlib
import logging
import secrets
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, Sum
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.constants import ApplicationStatus, DecisionKind, MembershipRole, Outcome
from applications.models import Application, Decision, Employer, Participant
from applications.rules import Rate
from budgets.constants import RateMethod
from sectorplan.api.errors import DomainError, StateConflict
from sectorplan.money import ZERO, format_eur, percent_of, round_half_up
from sectorplan.parsing import ParseError, parse_decimal
from sectorplan.roles import is_office

from . import deadlines
from .models import AccountabilityReport, Invitation, Membership, Objection, ObjectionStatus, ReminderKind, ReminderSent
from .settlement import ParticipantActuals, Settlement, settle

logger = logging.getLogger(__name__)

INVITATION_VALID_DAYS = 14
MAX_COST = Decimal("1000000000")  # well within MoneyField(14, 2); larger is a typing error


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- Invitations (R3) -----------------------------------------------------------------------------


@transaction.atomic
def invitation_create(*, employer: Employer, email: str, role: str, by, accept_base: str = "") -> tuple[Invitation, str]:
    """A contact (or the office) invites ``email`` to ``employer`` with ``role``. Returns the invitation and
    its token; the token is mailed on commit and stored only as a hash."""
    if not (is_office(by) or Membership.objects.filter(user=by, employer=employer, role=MembershipRole.CONTACT).exists()):
        raise DomainError(field="employer", code="not_contact", message=_("Only a contact of the employer may invite."))
    if role not in MembershipRole.values:
        raise DomainError(field="role", code="invalid_choice", message=_("This is not a known role."))
    email = (email or "").strip().lower()
    try:
        from django.core.validators import validate_email

        validate_email(email)
    except ValidationError:
        raise DomainError(field="email", code="invalid", message=_("Enter a valid e-mail address.")) from None
    if Membership.objects.filter(employer=employer, user__email__iexact=email).exists():
        raise StateConflict(field="email", code="already_member", message=_("This address already belongs to a member."))
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        employer=employer,
        email=email,
        role=role,
        token_hash=_hash(token),
        created_by=by,
        expires_at=timezone.now() + timedelta(days=INVITATION_VALID_DAYS),
    )
    invitation_id = invitation.pk
    transaction.on_commit(lambda: _send_invitation(invitation_id=invitation_id, token=token, accept_base=accept_base))
    return invitation, token


def _send_invitation(*, invitation_id: int, token: str, accept_base: str) -> None:
    invitation = Invitation.objects.select_related("employer").get(pk=invitation_id)
    url = f"{accept_base or '/account/uitnodiging/'}{token}/"
    context = {"invitation": invitation, "url": url, "days": INVITATION_VALID_DAYS}
    send_mail(
        subject=_("Invitation to act for %(employer)s in SectorplanPlus") % {"employer": invitation.employer.name},
        message=render_to_string("accounting/email/invitation.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invitation.email],
    )
    logger.info("invitation %s mailed", invitation_id)


def invitation_check(invitation: Invitation | None, *, now: datetime | None = None) -> Invitation:
    """Raise unless ``invitation`` can still be accepted."""
    now = now or timezone.now()
    if invitation is None:
        raise DomainError(field="token", code="invalid", message=_("This invitation does not exist."))
    if invitation.accepted_at is not None:
        raise StateConflict(field="token", code="used", message=_("This invitation has already been used."))
    if invitation.expires_at <= now:
        raise DomainError(field="token", code="expired", message=_("This invitation has expired."))
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user, now: datetime | None = None) -> Membership:
    """The logged-in ``user`` accepts: the employer is added to the account (single use, R3)."""
    invitation = Invitation.objects.select_for_update().filter(token_hash=_hash(token or "")).first()
    invitation = invitation_check(invitation, now=now)
    membership = Membership.objects.filter(user=user, employer=invitation.employer).first()
    if membership is None:
        membership = Membership.objects.create(
            user=user, employer=invitation.employer, role=invitation.role, created_by=invitation.created_by
        )
    invitation.accepted_at = now or timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    logger.info("invitation %s accepted", invitation.pk)
    return membership


@transaction.atomic
def invitation_accept_new_account(*, token: str, username: str, password: str, now: datetime | None = None):
    """A new person registers a username and password on accepting; the account gets the invited address."""
    User = get_user_model()
    invitation = Invitation.objects.select_for_update().filter(token_hash=_hash(token or "")).first()
    invitation = invitation_check(invitation, now=now)
    username = (username or "").strip()
    if not username:
        raise DomainError(field="username", code="required", message=_("This field is required."))
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(field="username", code="taken", message=_("This username is already taken."))
    user = User(username=username, email=invitation.email)
    try:
        User._meta.get_field("username").run_validators(username)
        validate_password(password, user=user)
    except ValidationError as exc:
        field = "password" if password is not None else "username"
        raise DomainError(field=field, code="invalid", message=" ".join(exc.messages)) from None
    user.set_password(password)
    user.save()
    invitation_accept(token=token, user=user, now=now)
    return user


# --- Accountability (R29, R31, R32) --------------------------------------------------------------


def is_small(application: Application) -> bool:
    limit = application.period.small_application_limit
    return limit is not None and application.requested_amount <= limit


def accountability_open_until(application: Application, report: AccountabilityReport | None) -> date:
    """The last day a report is accepted: the period's deadline, or the office's reopening if later."""
    deadline = application.period.accountability_deadline
    if report is not None and report.reopened_until and report.reopened_until > deadline:
        return report.reopened_until
    return deadline


def _rates(application: Application) -> dict[str, Rate]:
    return {r.activity_type: Rate.from_model(r) for r in application.period.activity_rates.all()}


def _parse_cost(value):
    """None when blank, else the amount read by the one parser (``1.234,56``, ``1234,56``, ``1234.56``)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_decimal(value)


def _validate_rows(application: Application, rows: list[dict], participants: dict[int, Participant], small: bool):
    """Validate the report rows; return ``(errors, cleaned)``. Field names are ``participants[i].field``."""
    errors: list[dict] = []
    cleaned: dict[int, dict] = {}
    rates = _rates(application)

    def err(i, field, code, message):
        errors.append({"field": f"participants[{i}].{field}", "code": code, "message": str(message)})

    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            errors.append({"field": f"participants[{i}]", "code": "invalid", "message": _("Expected an object.")})
            continue
        pid = row.get("id")
        try:
            pid = int(pid)
        except (TypeError, ValueError):
            err(i, "id", "required", _("The participant's id is required."))
            continue
        if pid not in participants:
            err(i, "id", "unknown", _("This participant is not part of the application."))
            continue
        if pid in cleaned:
            err(i, "id", "duplicate", _("This participant is reported more than once."))
            continue
        started = row.get("started")
        if not isinstance(started, bool):
            err(i, "started", "required", _("State whether the participant started (true or false)."))
            continue
        outcome = row.get("outcome") or ""
        if outcome and outcome not in Outcome.values:
            err(i, "outcome", "invalid_choice", _("Choose completed, dropped out or still running."))
        elif started and not outcome:
            err(i, "outcome", "required", _("Choose completed, dropped out or still running."))
        elif not started and outcome:
            err(i, "outcome", "not_started", _("A participant who did not start has no outcome."))
        try:
            cost = _parse_cost(row.get("actual_cost"))
        except ParseError as exc:
            err(i, "actual_cost", "invalid", exc.message)
            continue
        participant = participants[pid]
        rate = rates.get(participant.activity_type)
        if small:
            if cost is not None:
                err(i, "actual_cost", "not_for_small", _("Small applications report completion only, without costs."))
        else:
            if cost is not None and cost < 0:
                err(i, "actual_cost", "negative", _("The actual cost may not be negative."))
            elif cost is not None and cost >= MAX_COST:
                err(i, "actual_cost", "too_large", _("This amount is implausibly large."))
            elif cost is not None and cost != round_half_up(cost):
                err(i, "actual_cost", "invalid", _("An amount has at most two decimals."))
            elif started and rate is not None and rate.method == RateMethod.ACTUAL_COST and cost is None:
                err(i, "actual_cost", "required", _("The actual cost is required for this activity type."))
        cleaned[pid] = {"started": started, "outcome": outcome if started else "", "actual_cost": cost}
    missing = [pid for pid in participants if pid not in cleaned]
    if missing and not errors:
        errors.append(
            {
                "field": "participants",
                "code": "incomplete",
                "message": _("Report on every participant of the application (%(n)s missing).") % {"n": len(missing)},
            }
        )
    return errors, cleaned


@transaction.atomic
def accountability_submit(*, application: Application, rows: list[dict], by, now: datetime | None = None) -> AccountabilityReport:
    """R29/R31: the employer reports per participant. All or nothing; late reports are refused (R32)."""
    now = now or timezone.now()
    application = Application.objects.select_for_update().select_related("period").get(pk=application.pk)
    if application.status != ApplicationStatus.GRANTED:
        raise StateConflict(
            field="status", code="not_granted", message=_("Only a granted, not yet settled application can be reported on.")
        )
    report, _created = AccountabilityReport.objects.select_for_update().get_or_create(application=application)
    open_until = accountability_open_until(application, report)
    if deadlines.is_past(open_until, now):
        raise DomainError(
            field="non_field_errors",
            code="deadline_passed",
            message=_("The accountability deadline (%(date)s) has passed.") % {"date": open_until.strftime("%d-%m-%Y")},
        )
    if not isinstance(rows, list) or not rows:
        raise DomainError(field="participants", code="required", message=_("Report on every participant."))
    participants = {p.pk: p for p in application.participants.select_for_update().order_by("pk")}
    small = is_small(application)
    errors, cleaned = _validate_rows(application, rows, participants, small)
    if errors:
        raise DomainError(errors)
    for pid, values in cleaned.items():
        p = participants[pid]
        p.started, p.outcome, p.actual_cost, p.reported_at = values["started"], values["outcome"], values["actual_cost"], now
    Participant.objects.bulk_update(participants.values(), ["started", "outcome", "actual_cost", "reported_at"])
    report.submitted_at, report.submitted_by, report.completion_statement = now, by, small
    report.save(update_fields=["submitted_at", "submitted_by", "completion_statement"])
    logger.info("accountability report for application %s submitted", application.pk)
    return report


@transaction.atomic
def accountability_reopen(*, application: Application, by, until: date | None = None, reason: str = "") -> AccountabilityReport:
    """The office reopens reporting after the deadline, until ``until`` (default: 14 days from today)."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != ApplicationStatus.GRANTED:
        raise StateConflict(field="status", code="not_granted", message=_("Only a granted application can be reopened."))
    until = until or timezone.localdate() + timedelta(days=14)
    report, _created = AccountabilityReport.objects.select_for_update().get_or_create(application=application)
    report.reopened_until, report.reopened_by, report.reopened_at, report.reopen_reason = until, by, timezone.now(), reason
    report.save()
    return report


# --- Settlement (R30) ------------------------------------------------------------------------------


def root_kind(decision: Decision) -> str:
    """The kind of the decision at the start of ``decision``'s chain of upheld objection rulings."""
    while decision.supersedes_id is not None:
        decision = decision.supersedes
    return decision.kind


def current_grant(application: Application) -> Decision | None:
    """The grant in force: the latest grant, or an upheld objection ruling replacing it (directly or through
    earlier rulings). A ruling on a release, forfeit or settlement is not a grant: it states no granted amount."""
    candidates = (
        application.decisions.filter(
            kind__in=[DecisionKind.GRANT, DecisionKind.OBJECTION_RULING], superseded_by__isnull=True
        )
        .exclude(kind=DecisionKind.OBJECTION_RULING, supersedes__isnull=True)
        .order_by("-decided_at", "-id")
    )
    for decision in candidates:
        if decision.kind == DecisionKind.GRANT or root_kind(decision) in INITIAL_GRANT_KINDS:
            return decision
    return None


def settlement_compute(*, application: Application) -> Settlement:
    """R30 for ``application`` from the database (no writes)."""
    grant = current_grant(application)
    if grant is None:
        raise StateConflict(field="status", code="no_grant", message=_("This application has no grant decision."))
    decisions = application.decisions.all()
    released = decisions.filter(kind=DecisionKind.HOLDBACK_RELEASE).aggregate(s=Sum("released_amount"))["s"] or ZERO
    advances = net_advances_paid(application)
    rates = _rates(application)
    actuals = [
        ParticipantActuals(
            eligible=bool(p.eligible),
            started=bool(p.started),
            rate=rates[p.activity_type],
            contract_hours=p.contract_hours,
            actual_cost=p.actual_cost,
            planned_amount=p.requested_amount,
        )
        for p in application.participants.all()
    ]
    return settle(
        participants=actuals,
        eligible_amount=application.eligible_amount or ZERO,
        granted_amount=grant.granted_amount,
        unconditional_amount=grant.granted_amount - grant.held_amount,
        released_amount=released,
        advances_paid=advances,
        small=is_small(application),
    )


def _ledger(**kwargs) -> None:
    """Post one money movement to the budgets ledger (R25)."""
    from budgets.services import ledger_post

    ledger_post(**kwargs)


def _budget_earmark(application: Application) -> str:
    return "pooled" if application.period.pooled else application.employer.earmark


@transaction.atomic
def application_settle(*, application: Application, by, today: date | None = None) -> tuple[Decision, Settlement]:
    """R30: settle a reported, granted application: a settlement decision, its letter, ledger entries and
    the transition to ``settled``."""
    from applications.letters import letter_request
    from applications.services import transition

    application = Application.objects.select_for_update().select_related("period", "employer").get(pk=application.pk)
    if application.status != ApplicationStatus.GRANTED:
        raise StateConflict(
            field="status", code="invalid_transition", message=_("Only a granted application can be settled.")
        )
    report = AccountabilityReport.objects.filter(application=application, submitted_at__isnull=False).first()
    if report is None:
        raise StateConflict(field="status", code="no_report", message=_("The employer has not reported yet."))
    result = settlement_compute(application=application)
    decision = Decision.objects.create(
        application=application,
        kind=DecisionKind.SETTLEMENT,
        date=today or timezone.localdate(),
        decided_by=by,
        granted_amount=result.settled_amount,
        settled_amount=result.settled_amount,
        payment_amount=result.payment_amount,
        reasons=_("Settlement on the accountability report of %(date)s.")
        % {"date": timezone.localtime(report.submitted_at).strftime("%d-%m-%Y")},
    )
    common = {"period": application.period, "earmark": _budget_earmark(application), "application": application,
              "decision": decision, "by": by}
    _ledger(kind="settlement", amount=result.settled_amount, memo="R30 settlement", **common)
    if result.payment_amount < 0:
        _ledger(kind="reclaim", amount=-result.payment_amount, memo="R30 reclaim", **common)
    transition(application=application, to=ApplicationStatus.SETTLED, by=by, reason=_("Settled"))
    letter_request(decision=decision, by=by)
    logger.info("application %s settled", application.pk)
    return decision, result


# --- Reminders (R32) ---------------------------------------------------------------------------


def _reminder_kind(days_left: int) -> str | None:
    if 0 <= days_left <= 7:
        return ReminderKind.DAYS_7
    if 7 < days_left <= 30:
        return ReminderKind.DAYS_30
    return None


def reminders_send(*, today: date | None = None) -> int:
    """Mail the members of every granted, unreported application 30 and 7 days before its deadline.

    Each kind goes out once per application (a unique row is the guard); a first run within the last
    week sends only the 7-day reminder. Returns the number of reminders sent.
    """
    today = today or timezone.localdate()
    sent = 0
    candidates = (
        Application.objects.filter(
            status=ApplicationStatus.GRANTED,
            period__accountability_deadline__gte=today,
            period__accountability_deadline__lte=today + timedelta(days=30),
        )
        .exclude(accountability_report__submitted_at__isnull=False)
        .select_related("period", "employer")
    )
    for application in candidates:
        kind = _reminder_kind((application.period.accountability_deadline - today).days)
        if kind is None:
            continue
        sent += _reminder_send_one(application=application, kind=kind)
    return sent


@transaction.atomic
def _reminder_send_one(*, application: Application, kind: str) -> int:
    guard, created = ReminderSent.objects.get_or_create(application=application, kind=kind)
    if not created:
        return 0
    emails = sorted(
        set(Membership.objects.filter(employer=application.employer).exclude(user__email="").values_list("user__email", flat=True))
    )
    guard.recipients = len(emails)
    guard.save(update_fields=["recipients"])
    if emails:
        context = {"application": application, "deadline": application.period.accountability_deadline, "kind": kind}
        subject = _("Reminder: accountability for %(reference)s due %(date)s") % {
            "reference": application.reference,
            "date": application.period.accountability_deadline.strftime("%d-%m-%Y"),
        }
        body = render_to_string("accounting/email/reminder.txt", context)
        transaction.on_commit(
            lambda: send_mail(subject=subject, message=body, from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=emails)
        )
    logger.info("reminder %s for application %s to %s recipients", kind, application.pk, len(emails))
    return 1


# --- Objections (R33) ------------------------------------------------------------------------------


@transaction.atomic
def objection_record(*, decision: Decision, received_on: date, grounds: str, by) -> Objection:
    """The office records an objection received on ``received_on``; it must be within the term."""
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    deadline = deadlines.objection_deadline(decision.date)
    if received_on < decision.date:
        raise DomainError(field="received_on", code="before_decision", message=_("The objection predates the decision."))
    if received_on > deadline:
        raise DomainError(
            field="received_on",
            code="objection_late",
            message=_("The objection term ended on %(date)s.") % {"date": deadline.strftime("%d-%m-%Y")},
        )
    if not (grounds or "").strip():
        raise DomainError(field="grounds", code="required", message=_("State the grounds of the objection."))
    return Objection.objects.create(decision=decision, received_on=received_on, deadline=deadline, grounds=grounds, recorded_by=by)


#: Decisions whose amount an upheld objection can change: the grant (or rejection) and earlier rulings on it.
GRANT_LIKE_KINDS = frozenset({DecisionKind.GRANT, DecisionKind.REJECTION, DecisionKind.OBJECTION_RULING})
#: The decisions a chain of grant-changing rulings starts from.
INITIAL_GRANT_KINDS = frozenset({DecisionKind.GRANT, DecisionKind.REJECTION})


def net_advances_paid(application: Application) -> Decimal:
    """Advances paid (R20) less advance reclaimed by objection rulings that lowered the grant (R33)."""
    rows = application.decisions.aggregate(
        advance=Sum("advance_amount"),
        reclaimed=Sum("payment_amount", filter=Q(kind=DecisionKind.OBJECTION_RULING, payment_amount__lt=0)),
    )
    return (rows["advance"] or ZERO) + (rows["reclaimed"] or ZERO)


def _objection_money(*, application: Application, original: Decision, new_amount: Decimal, by) -> dict:
    """R33 with R19-R22: the money of an upheld objection that changes the granted amount.

    Choices (the ruling states ``held_amount`` like a grant: everything held back under it, released or not):

    * **Raising** (also granting a formerly rejected application): the increase is a new grant part. In a
      holdback period whose region's latest advice is not positive, the holdback percentage of the increase is
      held back (R22); the rest is committed unconditionally. Both go through the ceiling check under the
      period lock (R19): 409 ``ceiling_exceeded`` when the budget line has no room.
    * **Lowering**: the decrease comes out of the unconditional part and is posted as ``decommitment``: it
      returns to the budget line as available. What is held back or already released is not touched by a
      ruling; lowering below that is refused (400 ``below_held``): forfeit or settle instead.
    * **Advance** (R20): the advance due is the advance share of (unconditional + released). A raise tops the
      advance up to it (``advance`` entry, the ruling's ``advance_amount``); a lowering reclaims what was paid
      above it (``reclaim`` entry, the ruling's negative ``payment_amount``).
    """
    from budgets.constants import AdviceOutcome, LedgerKind
    from budgets.selectors import latest_advice

    period = application.period
    old_unconditional = original.granted_amount - original.held_amount
    released = application.decisions.filter(kind=DecisionKind.HOLDBACK_RELEASE).aggregate(
        s=Sum("released_amount"))["s"] or ZERO
    entries: list[tuple[str, Decimal]] = []
    held = original.held_amount
    delta = new_amount - original.granted_amount
    if delta > 0:
        latest = latest_advice(period=period, region=application.region) if period.holdback_applies else None
        hold = period.holdback_applies and not (latest and latest.outcome == AdviceOutcome.POSITIVE)
        held_increase = percent_of(delta, period.holdback_percent) if hold else ZERO
        held += held_increase
        entries += [(LedgerKind.COMMITMENT, delta - held_increase), (LedgerKind.HOLD, held_increase)]
    else:
        if -delta > old_unconditional:
            raise DomainError(
                field="granted_amount", code="below_held",
                message=_("The grant cannot be lowered below its held-back part (%(held)s).")
                % {"held": format_eur(original.held_amount)},
            )
        entries.append((LedgerKind.DECOMMITMENT, -delta))
    due = percent_of(new_amount - held + released, period.advance_percent)
    paid = net_advances_paid(application)
    advance = max(due - paid, ZERO)
    reclaim = max(paid - due, ZERO)
    entries += [(LedgerKind.ADVANCE, advance), (LedgerKind.RECLAIM, reclaim)]
    return {"held": held, "advance": advance, "reclaim": reclaim, "entries": entries}


@transaction.atomic
def objection_rule(
    *, objection: Objection, outcome: str, ruling: str, by, granted_amount: Decimal | None = None, today: date | None = None
) -> Objection:
    """The office rules. Every ruling is a decision with a letter (R26); an upheld objection's ruling replaces
    the decision objected to (``supersedes``) and, for a grant, may state a new granted amount."""
    from applications.letters import letter_request
    from applications.services import transition

    objection = Objection.objects.select_for_update().select_related("decision__application").get(pk=objection.pk)
    if objection.status != ObjectionStatus.RECEIVED:
        raise StateConflict(field="status", code="already_ruled", message=_("This objection has already been ruled on."))
    if outcome not in (ObjectionStatus.UPHELD, ObjectionStatus.REJECTED):
        raise DomainError(field="outcome", code="invalid_choice", message=_("Choose upheld or rejected."))
    if not (ruling or "").strip():
        raise DomainError(field="ruling", code="required", message=_("State the ruling's reasons."))
    original = objection.decision
    application = Application.objects.select_for_update().select_related("period", "employer", "region").get(
        pk=original.application_id
    )
    upheld = outcome == ObjectionStatus.UPHELD
    # A ruling is grant-like only when its chain starts at a grant or rejection (not a release or settlement).
    grant_like = original.kind in GRANT_LIKE_KINDS and root_kind(original) in INITIAL_GRANT_KINDS
    if upheld and grant_like and Decision.objects.filter(supersedes=original).exists():
        # R25/R33: the money of a second ruling on the same decision would be computed against a grant that is
        # no longer in force (committed twice). The objection is ruled on against the decision in force.
        raise StateConflict(
            field="decision", code="superseded",
            message=_("This decision has already been replaced by an objection ruling; rule on the decision in force."),
        )
    if granted_amount is not None and not (upheld and grant_like):
        raise DomainError(
            field="granted_amount", code="not_applicable",
            message=_("A new granted amount is only stated when an objection against a grant or rejection is upheld."),
        )
    new_amount = original.granted_amount if granted_amount is None else round_half_up(granted_amount)
    if new_amount < 0:
        raise DomainError(field="granted_amount", code="negative", message=_("The amount may not be negative."))
    money = _objection_money(application=application, original=original, new_amount=new_amount, by=by) if (
        upheld and grant_like and new_amount != original.granted_amount
    ) else None
    decision = Decision.objects.create(
        application=application,
        kind=DecisionKind.OBJECTION_RULING,
        date=today or timezone.localdate(),
        decided_by=by,
        granted_amount=new_amount if upheld else original.granted_amount,
        held_amount=money["held"] if money else original.held_amount,
        advance_amount=money["advance"] if money else ZERO,
        payment_amount=-money["reclaim"] if money and money["reclaim"] else None,
        reasons=ruling,
        supersedes=original if upheld else None,
    )
    if money:
        common = {"period": application.period, "earmark": _budget_earmark(application), "application": application,
                  "decision": decision, "by": by}
        for kind, amount in money["entries"]:
            if amount > 0:
                _ledger(kind=kind, amount=amount, memo="R33 objection upheld", **common)
    if upheld and original.kind == DecisionKind.REJECTION and new_amount > 0:
        transition(application=application, to=ApplicationStatus.GRANTED, by=by, reason=_("Objection upheld"))
    objection.status, objection.ruling, objection.ruled_by, objection.ruled_at = outcome, ruling, by, timezone.now()
    objection.ruling_decision = decision
    objection.save()
    letter_request(decision=decision, by=by)
    return objection
