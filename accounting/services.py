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
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from applications import registrations as registration_services
from applications.constants import ApplicationStatus, Focus, MembershipRole, Outcome, RegistrationStatus
from applications.decisions.amounts import application_amounts, reserved_at_grant
from applications.decisions.services import (
    lock_application,
    net_advances_paid,
    objection_ruling_decide,
    settlement_decide,
    settlement_in_force,
)
from applications.mail import mail_members
from applications.models import Application, Decision, Employer, Membership, Registration
from applications.rules import Rate
from applications.samples import pending_sample_draw, unsupported_registrations
from budgets.constants import DeadlineKind
from budgets.selectors import deadline_for, deadlines_for_employers
from sectorplan.api.errors import DomainError, StateConflict
from sectorplan.locking import lock_one
from sectorplan.money import ZERO, format_eur, round_half_up
from sectorplan.parsing import ParseError, parse_decimal
from sectorplan.plausibility import check_future_date, check_past_date
from sectorplan.roles import is_office

from . import deadlines
from .models import (
    AccountabilityReport,
    AgreementStatus,
    Invitation,
    Objection,
    ObjectionStatus,
    ProjectAgreement,
    ReminderKind,
    ReminderSent,
)
from .settlement import RegistrationActuals, Settlement, settle

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
    invitation = Invitation.objects.select_for_update(of=("self",)).filter(token_hash=_hash(token or "")).first()
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
    invitation = Invitation.objects.select_for_update(of=("self",)).filter(token_hash=_hash(token or "")).first()
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


def accountability_deadline(application: Application) -> date:
    """R53: the accountability deadline in force for the application's employer (extensions included)."""
    return deadline_for(period=application.period, kind=DeadlineKind.ACCOUNTABILITY, employer=application.employer_id)


def accountability_open_until(application: Application, report: AccountabilityReport | None) -> date:
    """The last day a report is accepted: the deadline in force for the employer (the period's, or a later
    extension for the period or for this employer, R53), or the office's reopening if later still."""
    deadline = accountability_deadline(application)
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


def _parse_rows(rows: list[dict], registrations: dict[int, Registration]):
    """The upload's own part of R29: each row names one approved registration once and says whether it started;
    return ``(errors, cleaned)``. The rules of progress itself are ``registrations.progress_report``'s.
    Field names are ``registrations[i].field``."""
    errors: list[dict] = []
    cleaned: dict[int, tuple[int, dict]] = {}

    def err(i, field, code, message):
        errors.append({"field": f"registrations[{i}].{field}", "code": code, "message": str(message)})

    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            errors.append({"field": f"registrations[{i}]", "code": "invalid", "message": _("Expected an object.")})
            continue
        pid = row.get("id")
        try:
            pid = int(pid)
        except (TypeError, ValueError):
            err(i, "id", "required", _("The registration's id is required."))
            continue
        if pid not in registrations:
            err(i, "id", "unknown", _("This is not an approved registration of the application."))
            continue
        if pid in cleaned:
            err(i, "id", "duplicate", _("This registration is reported more than once."))
            continue
        started = row.get("started")
        if not isinstance(started, bool):
            err(i, "started", "required", _("State whether the registration started (true or false)."))
            continue
        outcome = row.get("outcome") or ""
        if outcome and outcome not in Outcome.values:
            err(i, "outcome", "invalid_choice", _("Choose completed, dropped out or still running."))
            continue
        try:
            cost = _parse_cost(row.get("actual_cost"))
        except ParseError as exc:
            err(i, "actual_cost", "invalid", exc.message)
            continue
        if cost is not None and cost >= MAX_COST:
            err(i, "actual_cost", "too_large", _("This amount is implausibly large."))
            continue
        if cost is not None and cost != round_half_up(cost):
            err(i, "actual_cost", "invalid", _("An amount has at most two decimals."))
            continue
        cleaned[pid] = (i, {"started": started, "outcome": outcome, "actual_cost": cost})
    missing = [pid for pid in registrations if pid not in cleaned]
    if missing and not errors:
        errors.append(
            {
                "field": "registrations",
                "code": "incomplete",
                "message": _("Report on every approved registration of the application (%(n)s missing).")
                % {"n": len(missing)},
            }
        )
    return errors, cleaned


@transaction.atomic
def accountability_submit(*, application: Application, rows: list[dict], by, now: datetime | None = None) -> AccountabilityReport:
    """R29/R31: the employer reports the progress of every approved registration at once (the form or a CSV
    upload). Each row goes through the one progress rule (``registrations.progress_report``: approved only,
    outcome and costs, the deadline with extensions or the office's reopening); all or nothing."""
    now = now or timezone.now()
    application = Application.objects.select_for_update(of=("self",)).select_related("period").get(pk=application.pk)
    if application.status != ApplicationStatus.GRANTED:
        raise StateConflict(
            field="status", code="not_granted", message=_("Only a granted, not yet settled application can be reported on.")
        )
    report, _created = AccountabilityReport.objects.select_for_update(of=("self",)).get_or_create(application=application)
    open_until = accountability_open_until(application, report)
    if deadlines.is_past(open_until, now):
        raise DomainError(
            field="non_field_errors",
            code="deadline_passed",
            message=_("The accountability deadline (%(date)s) has passed.") % {"date": open_until.strftime("%d-%m-%Y")},
        )
    if not isinstance(rows, list) or not rows:
        raise DomainError(field="registrations", code="required", message=_("Report on every registration."))
    registrations = {
        p.pk: p for p in application.registrations.filter(status=RegistrationStatus.APPROVED).order_by("pk")
    }
    errors, cleaned = _parse_rows(rows, registrations)
    for pid, (i, values) in cleaned.items():
        try:
            registration_services.progress_report(
                registration=registrations[pid], by=by, today=timezone.localtime(now).date(),
                reopened_until=report.reopened_until, **values,
            )
        except DomainError as exc:
            for error in exc.errors:
                errors.append({**error, "field": f"registrations[{i}].{error['field']}"})
    if errors:
        raise DomainError(sorted(errors, key=lambda e: e["field"]))  # nothing is saved: the transaction rolls back
    report.submitted_at, report.submitted_by, report.completion_statement = now, by, application.is_small
    report.save(update_fields=["submitted_at", "submitted_by", "completion_statement"])
    logger.info("accountability report for application %s submitted", application.pk)
    return report


@transaction.atomic
def accountability_reopen(*, application: Application, by, until: date | None = None, reason: str = "") -> AccountabilityReport:
    """The office reopens reporting after the deadline, until ``until`` (default: 14 days from today)."""
    application = Application.objects.select_for_update(of=("self",)).get(pk=application.pk)
    if application.status != ApplicationStatus.GRANTED:
        raise StateConflict(field="status", code="not_granted", message=_("Only a granted application can be reopened."))
    until = until or timezone.localdate() + timedelta(days=14)
    check_future_date(until, field="until")
    report, _created = AccountabilityReport.objects.select_for_update(of=("self",)).get_or_create(application=application)
    report.reopened_until, report.reopened_by, report.reopened_at, report.reopen_reason = until, by, timezone.now(), reason
    report.save()
    return report


# --- Settlement (R30, R31) ---------------------------------------------------------------------------


#: Registrations that may still become approved: settlement waits for their review (R49).
AWAITING_REVIEW = (RegistrationStatus.SUBMITTED, RegistrationStatus.REPAIR_REQUESTED)


def settlement_compute(*, application: Application) -> Settlement:
    """R30 v2 / R31 for ``application`` from the database (no writes).

    Every registration is listed (only approved ones realise anything); progress as reported (R29), an
    approved registration without progress realises nothing (after the accountability deadline unreported
    means not started; before it, :func:`settlement_blockers` refuses); registrations a sample check found
    unsupported realise nothing (R31). The factor's numerator is the reservation at grant
    (:func:`applications.decisions.amounts.reserved_at_grant`); the cap is the unconditional plus released
    reservation in force, from the ledger.
    """
    at_grant = reserved_at_grant(application)
    if at_grant is None:
        raise StateConflict(field="status", code="no_grant", message=_("This application has no grant decision."))
    amounts = application_amounts(application)
    rates = _rates(application)
    unsupported = unsupported_registrations(application)
    actuals = [
        RegistrationActuals(
            id=p.pk,
            approved=p.status == RegistrationStatus.APPROVED,
            started=p.started,
            rate=rates[p.activity_type],
            contract_hours=p.contract_hours,
            actual_cost=p.actual_cost,
            planned_amount=p.amount,
            retention=p.focus == Focus.RETENTION,
            unsupported=p.pk in unsupported,
        )
        for p in application.registrations.order_by("pk")
    ]
    period = application.period
    return settle(
        registrations=actuals,
        eligible_amount=application.eligible_amount or ZERO,
        granted_amount=at_grant,
        unconditional_amount=amounts["unconditional"],
        released_amount=amounts["released"],
        advances_paid=net_advances_paid(application),
        small=application.is_small,
        retention_max_percent=period.retention_max_percent if period.retention_allowed else Decimal(100),
    )


def settlement_blockers(*, application: Application, now: datetime | None = None) -> list[StateConflict]:
    """Why ``application`` cannot be settled now (R30, R31); empty when it can. Read by the settle service
    under its locks and by the office page to explain. In this order:

    * ``invalid_transition``: not granted (settled, lapsed, ...);
    * ``holdback_pending``: part of the reservation is still held (the region's advice decides it first);
    * ``objection_pending``: an objection against one of its decisions is not ruled on;
    * ``registrations_pending``: a registration awaits review or repair (it may still become approved), or a draft
      may still be submitted (the registration deadline in force has not passed, or the calendar has none);
    * ``progress_missing``: an approved registration has no progress (R29) and the accountability deadline in
      force for the employer (extensions and the office's reopening included) has not passed; once it has,
      unreported counts as not started (R29 refuses a later report);
    * ``sample_check_pending``: a small application drawn in a sample whose evidence check is not recorded (R31).
    """
    now = now or timezone.now()
    if application.status != ApplicationStatus.GRANTED:
        return [StateConflict(field="status", code="invalid_transition",
                              message=_("Only a granted application can be settled."))]
    out = []
    held = application_amounts(application)["held"]
    if held > 0:
        out.append(StateConflict(
            field="held_amount", code="holdback_pending",
            message=_("%(held)s of the reservation is still held back; the region's advice decides it first "
                      "(release or forfeit), then the application can be settled.") % {"held": format_eur(held)},
        ))
    pending = (
        Objection.objects.filter(decision__application=application, status=ObjectionStatus.RECEIVED)
        .order_by("received_on", "id")
        .first()
    )
    if pending is not None:
        out.append(StateConflict(
            field="objection", code="objection_pending",
            message=_("The objection received on %(date)s against decision %(decision)s has not been ruled on; "
                      "the application can be settled after the ruling.")
            % {"date": pending.received_on.strftime("%d-%m-%Y"), "decision": pending.decision_id},
        ))
    waiting_for = list(AWAITING_REVIEW)
    registration_deadline = deadline_for(
        period=application.period, kind=DeadlineKind.REGISTRATION, employer=application.employer_id
    )
    if registration_deadline is None or not deadlines.is_past(registration_deadline, now):
        waiting_for.append(RegistrationStatus.DRAFT)  # a draft may still be submitted (R53 registration deadline)
    awaiting = application.registrations.filter(status__in=waiting_for).count()
    if awaiting:
        out.append(StateConflict(
            field="registrations", code="registrations_pending",
            message=_("%(n)s registration(s) are still in draft, await review or await repair; settle after they are decided.") % {"n": awaiting},
        ))
    unreported = application.registrations.filter(status=RegistrationStatus.APPROVED, started__isnull=True).count()
    if unreported:
        report = AccountabilityReport.objects.filter(application=application).first()
        open_until = accountability_open_until(application, report)
        if not deadlines.is_past(open_until, now):
            out.append(StateConflict(
                field="registrations", code="progress_missing",
                message=_("%(n)s approved registration(s) have no progress reported and reporting is open until "
                          "%(date)s; settle once every one is reported or the deadline has passed.")
                % {"n": unreported, "date": open_until.strftime("%d-%m-%Y")},
            ))
    if application.is_small:
        sample = pending_sample_draw(application)
        if sample is not None:
            out.append(StateConflict(
                field="sample", code="sample_check_pending",
                message=_("This small application was drawn in the sample of %(date)s; a reviewer records the "
                          "evidence check before it is settled.") % {"date": timezone.localtime(sample.drawn_at).strftime("%d-%m-%Y")},
            ))
    return out


def settlement_reasons(*, application: Application, result: Settlement) -> str:
    """The settlement decision's reasons (Dutch, R27): what was counted."""
    approved = sum(1 for line in result.lines if line.basis != "not_approved")
    counted = sum(1 for line in result.lines if line.realised > 0)
    with translation.override("nl"):
        text = _(
            "Settled on the progress of %(approved)s approved registration(s), of which %(counted)s count with a "
            "realised subsidy of %(realised)s in total."
        ) % {"approved": approved, "counted": counted, "realised": format_eur(result.realised)}
        if result.retention_counted < result.realised_retention:
            text += " " + _("The retention part is capped at %(counted)s (R9).") % {
                "counted": format_eur(result.retention_counted)}
        if result.capped:
            text += " " + _("The settlement is capped at the reservation of %(cap)s.") % {"cap": format_eur(result.cap)}
    return text


@transaction.atomic
def application_settle(*, application: Application, by, today: date | None = None,
                       now: datetime | None = None) -> tuple[Decision, Settlement]:
    """R30 v2 / R31: settle a granted application on its approved registrations' progress: checked and
    computed here, written by the decisions service (decision, ledger, transition to ``settled``, letter).

    Refused (409, see :func:`settlement_blockers`) while held, while an objection is pending, while
    registrations await review, before every approved registration is reported (or the deadline passed) and
    while a drawn small application's sample check is not recorded. Everything is checked under the locks of
    :func:`lock_application` (period, then application), which :func:`objection_record` takes too.
    """
    _period, application = lock_application(application)
    blockers = settlement_blockers(application=application, now=now)
    if blockers:
        raise blockers[0]
    result = settlement_compute(application=application)
    decision = settlement_decide(
        application=application,
        settled_amount=result.settled_amount,
        payment_amount=result.payment_amount,
        reasons=settlement_reasons(application=application, result=result),
        by=by,
        today=today,
    )
    logger.info("application %s settled", application.pk)
    return decision, result


# --- Reminders (R32) ---------------------------------------------------------------------------


def _reminder_kind(days_left: int) -> str | None:
    if 0 <= days_left <= 7:
        return ReminderKind.DAYS_7
    if 7 < days_left <= 30:
        return ReminderKind.DAYS_30
    return None


#: R32: the deadlines of the calendar (R53) that concern an employer with a granted application. Until the project
#: agreements and registrations exist every one of them concerns every granted application of the period; the
#: accountability reminder stops once the report is submitted.
REMINDED_DEADLINES = (
    DeadlineKind.AGREEMENT,
    DeadlineKind.REGISTRATION,
    DeadlineKind.REPAIR,
    DeadlineKind.ACCOUNTABILITY,
)


def reminders_due(*, today: date) -> list[tuple[Application, str, date, str]]:
    """R32: ``(application, deadline kind, deadline date, reminder kind)`` for every granted application whose
    deadline in force for its employer (``budgets.selectors.deadline_for``'s rule, extensions included) falls
    within 30 days. Two queries per period and deadline kind, whatever the number of employers."""
    applications = list(
        Application.objects.filter(status=ApplicationStatus.GRANTED)
        .select_related("period", "employer", "accountability_report")
        .order_by("period__number", "pk")
    )
    with_approved_agreement = set(
        ProjectAgreement.objects.filter(
            application__in=applications, status=AgreementStatus.APPROVED
        ).values_list("application_id", flat=True)
    )
    due = []
    periods = {application.period_id: application.period for application in applications}
    deadlines = {
        (period_id, kind): deadlines_for_employers(period=period, kind=kind)
        for period_id, period in periods.items()
        for kind in REMINDED_DEADLINES
    }
    for application in applications:
        for kind in REMINDED_DEADLINES:
            period_date, per_employer = deadlines[(application.period_id, kind)]
            day = per_employer.get(application.employer_id, period_date)
            if day is None:
                continue
            reminder = _reminder_kind((day - today).days)
            if reminder is None:
                continue
            if kind == DeadlineKind.AGREEMENT and application.pk in with_approved_agreement:
                continue  # nothing left to do for this deadline (R45)
            if kind == DeadlineKind.ACCOUNTABILITY:
                report = getattr(application, "accountability_report", None)
                if report is not None and report.submitted_at is not None:
                    continue
            due.append((application, kind, day, reminder))
    return due


def reminders_send(*, today: date | None = None) -> int:
    """R32: mail the members of every granted application 30 and 7 days before each deadline that concerns them
    (agreement, registration, repair, accountability: the date in force for their employer, R53).

    Each reminder goes out once per application, deadline kind and deadline date (a unique row is the guard,
    written only once the mail was handed over), so an extension gives new reminders before the new date; a
    first run within the last week sends only the 7-day reminder. A mail that fails is logged and tried again
    on the next run. Returns the number of reminders sent.
    """
    today = today or timezone.localdate()
    sent = 0
    for application, deadline_kind, deadline, kind in reminders_due(today=today):
        try:
            sent += _reminder_send_one(application=application, deadline_kind=deadline_kind, deadline=deadline, kind=kind)
        except Exception as exc:  # noqa: BLE001 - a mail server fault: nothing recorded, the next run retries
            logger.error(
                "reminder %s/%s for application %s not sent (%s); will retry",
                deadline_kind, kind, application.pk, type(exc).__name__,
            )
    return sent


#: The subject of each deadline's reminder; no personal data (R40): the reference, the employer and the date.
REMINDER_SUBJECTS = {
    DeadlineKind.AGREEMENT: _lazy("Reminder: the signed project agreement for %(reference)s is due %(date)s"),
    DeadlineKind.REGISTRATION: _lazy("Reminder: registrations for %(reference)s are due %(date)s"),
    DeadlineKind.REPAIR: _lazy("Reminder: the last repairs for %(reference)s are due %(date)s"),
    DeadlineKind.ACCOUNTABILITY: _lazy("Reminder: accountability for %(reference)s due %(date)s"),
}


@transaction.atomic
def _reminder_send_one(*, application: Application, deadline_kind: str, deadline: date, kind: str) -> int:
    """Send one reminder and record it only after the mail server took it (R32): a failed send raises and
    records nothing, so the next run tries again. The application's row lock keeps two runs from sending
    the same reminder twice."""
    lock_one(Application.objects, pk=application.pk)
    guard = {"application": application, "deadline_kind": deadline_kind, "deadline": deadline, "kind": kind}
    if ReminderSent.objects.filter(**guard).exists():
        return 0
    context = {"application": application, "deadline": deadline, "deadline_kind": deadline_kind, "kind": kind}
    subject = str(REMINDER_SUBJECTS[deadline_kind]) % {
        "reference": application.reference,
        "date": deadline.strftime("%d-%m-%Y"),
    }
    body = render_to_string("accounting/email/reminder.txt", context)
    sent = mail_members(employer=application.employer, subject=subject, body=body)
    ReminderSent.objects.create(**guard, recipients=sent)
    logger.info("reminder %s/%s for application %s to %s recipients", deadline_kind, kind, application.pk, sent)
    return 1


# --- Objections (R33) ------------------------------------------------------------------------------


@transaction.atomic
def objection_record(*, decision: Decision, received_on: date, grounds: str, by, today: date | None = None) -> Objection:
    """The office records an objection received on ``received_on``; it must be within the term.

    After settlement (R30 v2) the settlement is the final word on the grant and the advances: an objection
    against any other decision of a settled application (grant, rejection, release, forfeit, ruling) is
    refused (409 ``settled``, naming the settlement decision); the employer objects to the settlement
    instead, whose upheld ruling gives a new settlement. Locks the application, then the decision
    (:mod:`sectorplan.locking`), so a settlement running at the same time sees this objection or refuses it.
    """
    application_id = Decision.objects.values_list("application_id", flat=True).get(pk=decision.pk)
    application = lock_one(Application.objects, pk=application_id)
    decision = Decision.objects.select_for_update(of=("self",)).get(pk=decision.pk)
    if application.status == ApplicationStatus.SETTLED:
        settlement = settlement_in_force(application)
        if settlement is not None and settlement.pk != decision.pk:
            raise StateConflict(
                field="decision", code="settled",
                message=_("This application was settled by decision %(decision)s of %(date)s; only that settlement "
                          "decision can still be objected to.")
                % {"decision": settlement.pk, "date": settlement.date.strftime("%d-%m-%Y")},
            )
    deadline = deadlines.objection_deadline(decision.date)
    check_past_date(received_on, field="received_on")
    if received_on < decision.date:
        raise DomainError(field="received_on", code="before_decision", message=_("The objection predates the decision."))
    if received_on > (today or timezone.localdate()):
        raise DomainError(field="received_on", code="future", message=_("The receipt date cannot be in the future."))
    if received_on > deadline:
        raise StateConflict(
            field="received_on",
            code="objection_term_passed",
            message=_("The objection term ended on %(date)s.") % {"date": deadline.strftime("%d-%m-%Y")},
        )
    if not (grounds or "").strip():
        raise DomainError(field="grounds", code="required", message=_("State the grounds of the objection."))
    return Objection.objects.create(decision=decision, received_on=received_on, deadline=deadline, grounds=grounds, recorded_by=by)


@transaction.atomic
def objection_rule(
    *, objection: Objection, outcome: str, ruling: str, by, granted_amount: Decimal | None = None,
    settled_amount: Decimal | None = None, today: date | None = None,
) -> Objection:
    """The office rules. Every ruling is a decision with a letter (R26), written by the decisions service; an
    upheld objection's ruling replaces the decision objected to and, for a grant, may state a new amount
    (``granted_amount``); for a settlement it must state the new settled amount (``settled_amount``), and
    the ruling decision is then the new settlement decision (R30 v2, R33)."""
    decision = Objection.objects.values_list("decision_id", flat=True).get(pk=objection.pk)
    application = Application.objects.only("id", "period_id").get(decisions__id=decision)
    _period, application = lock_application(application)
    objection = lock_one(Objection.objects.select_related("decision"), pk=objection.pk)
    if objection.status != ObjectionStatus.RECEIVED:
        raise StateConflict(field="status", code="already_ruled", message=_("This objection has already been ruled on."))
    if outcome not in (ObjectionStatus.UPHELD, ObjectionStatus.REJECTED):
        raise DomainError(field="outcome", code="invalid_choice", message=_("Choose upheld or rejected."))
    if not (ruling or "").strip():
        raise DomainError(field="ruling", code="required", message=_("State the ruling's reasons."))
    if outcome == ObjectionStatus.REJECTED and not objection.hearing_recorded:
        # Awb 7:2: the objector is heard before an objection is rejected, unless the hearing is waived on a
        # ground of Awb 7:3 (recorded with its reason); the letter states which.
        raise StateConflict(field="outcome", code="hearing_required", message=_(
            "Record the hearing, or why none is held (Awb 7:3), before rejecting the objection."))
    decision = objection_ruling_decide(
        original=objection.decision, application=application, upheld=outcome == ObjectionStatus.UPHELD,
        ruling=ruling, by=by, granted_amount=granted_amount, settled_amount=settled_amount, today=today,
    )
    objection.status, objection.ruling, objection.ruled_by, objection.ruled_at = outcome, ruling, by, timezone.now()
    objection.ruling_decision = decision
    objection.save()
    return objection


def _lock_objection(objection: Objection) -> Objection:
    """The locks of a change to an objection: its application (as recording and ruling take), then the row."""
    application_id = Objection.objects.values_list("decision__application_id", flat=True).get(pk=objection.pk)
    lock_one(Application.objects, pk=application_id)
    objection = lock_one(Objection.objects.select_related("decision"), pk=objection.pk)
    if objection.status != ObjectionStatus.RECEIVED:
        raise StateConflict(field="status", code="already_ruled", message=_("This objection has already been ruled on."))
    return objection


@transaction.atomic
def objection_hearing_record(
    *, objection: Objection, by, held_on: date | None = None, attendees: str = "", summary: str = "",
    waived: bool = False, waived_reason: str = "", today: date | None = None,
) -> Objection:
    """Awb 7:2: record the hearing (date, who attended, a summary) or that none was held (the objector waived it,
    or Awb 7:3 applies) with the reason. Recorded once, before the ruling."""
    objection = _lock_objection(objection)
    if objection.hearing_recorded:
        raise StateConflict(field="hearing", code="already_recorded", message=_("The hearing is already recorded."))
    today = today or timezone.localdate()
    if waived:
        if held_on is not None:
            raise DomainError(field="held_on", code="waived", message=_("A waived hearing has no date."))
        if not (waived_reason or "").strip():
            raise DomainError(field="waived_reason", code="required", message=_("State why no hearing was held."))
    else:
        errors = []
        if held_on is None:
            errors.append({"field": "held_on", "code": "required", "message": _("This field is required.")})
        elif held_on > today:
            errors.append({"field": "held_on", "code": "future", "message": _("The hearing date cannot be in the future.")})
        elif held_on < objection.received_on:
            errors.append({"field": "held_on", "code": "before_objection",
                           "message": _("The hearing cannot be before the objection was received.")})
        if not (attendees or "").strip():
            errors.append({"field": "attendees", "code": "required", "message": _("State who attended.")})
        if not (summary or "").strip():
            errors.append({"field": "summary", "code": "required", "message": _("Summarise the hearing.")})
        if errors:
            raise DomainError(errors)
    objection.hearing_on, objection.hearing_attendees, objection.hearing_summary = held_on, attendees, summary
    objection.hearing_waived, objection.hearing_waived_reason = waived, waived_reason if waived else ""
    objection.hearing_recorded_by, objection.hearing_recorded_at = by, timezone.now()
    objection.save()
    return objection


@transaction.atomic
def objection_adjourn(*, objection: Objection, reason: str, by, today: date | None = None) -> Objection:
    """Awb 7:10 lid 3: adjourn the ruling once by six weeks, before the ruling term ends, with a reason."""
    objection = _lock_objection(objection)
    if objection.adjourned_at is not None:
        raise StateConflict(field="objection", code="already_adjourned", message=_("The ruling is already adjourned."))
    if not (reason or "").strip():
        raise DomainError(field="reason", code="required", message=_("State why the ruling is adjourned."))
    if (today or timezone.localdate()) > objection.ruling_due:
        raise StateConflict(
            field="objection", code="ruling_term_passed",
            message=_("The ruling term ended on %(date)s; it can no longer be adjourned.")
            % {"date": objection.ruling_due.strftime("%d-%m-%Y")},
        )
    objection.adjourned_at, objection.adjournment_reason = timezone.now(), reason
    objection.save(update_fields=["adjourned_at", "adjournment_reason"])
    return objection
