"""The plan (aanvraagmatrix): lines per activity type x focus (R8), their amounts and the application's cap (R12),
the retention share (R9), the small-application choice (R14), the import as Dutch Excel writes it (R13) and the
assessment per line whose reasons reach the decision (R15, R18, R27)."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from openpyxl import Workbook

from applications import importing, services
from applications.constants import ApplicationStatus, DecisionKind
from applications.decisions import services as decision_services
from applications.models import PlanLine
from sectorplan.api.errors import DomainError, StateConflict
from tests.applications.conftest import INSIDE_WINDOW, plan_row
from tests.applications.factories import ApplicationFactory, PlanLineFactory, UserFactory
from tests.budgets.factories import PeriodFactory
from tests.budgets.helpers import closed_period

pytestmark = pytest.mark.django_db


def codes(exc) -> set[tuple]:
    return {(e["field"], e["code"]) for e in exc.value.errors}


def upload(text: str, name="plan.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


# --- R8: one line per activity type x focus -----------------------------------------------------


def test_one_line_per_activity_type_and_focus_is_a_database_constraint_R8(application):
    PlanLineFactory(application=application, activity_type="A", focus="upskilling")
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanLineFactory(application=application, activity_type="A", focus="upskilling")


def test_a_second_line_for_the_same_cell_is_refused_and_nothing_is_saved_R8(application, contact):
    services.plan_lines_add(application=application, rows=[plan_row()], by=contact)
    with pytest.raises(DomainError) as exc:
        services.plan_lines_add(application=application, rows=[plan_row(focus="new_intake"), plan_row()], by=contact)
    assert ("[1].focus", "duplicate_line") in codes(exc)
    assert application.plan_lines.count() == 1


def test_count_must_be_at_least_one_R8(application, contact):
    with pytest.raises(DomainError) as exc:
        services.plan_lines_add(application=application, rows=[plan_row(count=0)], by=contact)
    assert ("count", "out_of_range") in codes(exc)


def test_actual_cost_types_need_a_planned_cost_and_fixed_types_have_none_R8(application, contact):
    with pytest.raises(DomainError) as exc:
        services.plan_lines_add(
            application=application,
            rows=[plan_row(activity_type="C"), plan_row(activity_type="A", focus="new_intake", planned_cost=Decimal(1))],
            by=contact,
        )
    assert codes(exc) == {("[0].planned_cost", "required"), ("[1].planned_cost", "not_applicable")}


# --- R12: amounts ---------------------------------------------------------------------------------


def test_line_asks_count_times_fixed_amount_or_capped_planned_cost_R12(application, contact):
    a, c, d = services.plan_lines_add(application=application, rows=[
        plan_row(activity_type="A", count=3),
        plan_row(activity_type="C", count=2, planned_cost=Decimal("2500.00")),  # capped at 2,000
        plan_row(activity_type="D", count=4, planned_cost=Decimal("750.25")),
    ], by=contact)
    assert (a.requested_amount, c.requested_amount, d.requested_amount) == (
        Decimal("15000.00"), Decimal("4000.00"), Decimal("3001.00")
    )
    assert c.amount_per_trajectory == Decimal("2000.00")
    application.refresh_from_db()
    assert application.requested_amount == Decimal("22001.00")
    services.plan_line_delete(line=c, by=contact)
    application.refresh_from_db()
    assert application.requested_amount == Decimal("18001.00")


def test_requested_and_eligible_amounts_are_capped_at_the_periods_cap_per_application_R12(
    contact, employer, monkeypatch, at_time, reviewer
):
    period = PeriodFactory(number=12, application_cap=Decimal("12000.00"))
    application = ApplicationFactory(employer=employer, period=period)
    services.plan_lines_add(application=application, rows=[plan_row(count=3)], by=contact)
    application.refresh_from_db()
    assert application.requested_amount == Decimal("12000.00")
    at_time(INSIDE_WINDOW)
    services.application_submit(application=application, by=contact)
    line = application.plan_lines.get()
    services.application_assess(application=application, verdicts=[{"id": line.pk, "eligible_count": 3}], by=reviewer)
    application.refresh_from_db()
    assert application.eligible_amount == Decimal("12000.00")


# --- R9: retention ----------------------------------------------------------------------------------


def test_retention_focus_only_in_periods_that_allow_it_R9(application, contact):
    with pytest.raises(DomainError) as exc:
        services.plan_lines_add(application=application, rows=[plan_row(focus="retention")], by=contact)
    assert ("focus", "retention_not_allowed") in codes(exc)


def test_retention_lines_ask_at_most_the_retention_share_R9(contact, employer):
    period = PeriodFactory(number=13, with_retention=True)  # at most 50%
    application = ApplicationFactory(employer=employer, period=period)
    services.plan_lines_add(application=application, rows=[plan_row(count=1), plan_row(focus="retention", count=1)],
                            by=contact)
    with pytest.raises(DomainError) as exc:
        services.plan_lines_add(application=application, rows=[plan_row(activity_type="B", focus="retention")],
                                by=contact)
    assert ("focus", "retention_share_exceeded") in codes(exc)
    assert application.plan_lines.count() == 2


def test_retention_share_is_checked_again_at_submission_R9(contact, employer, at_time):
    period = PeriodFactory(number=14, with_retention=True)
    application = ApplicationFactory(employer=employer, period=period)
    services.plan_lines_add(application=application, rows=[plan_row(count=1), plan_row(focus="retention", count=1)],
                            by=contact)
    services.plan_line_delete(line=application.plan_lines.get(focus="upskilling"), by=contact)  # 100% retention now
    at_time(INSIDE_WINDOW)
    with pytest.raises(DomainError) as exc:
        services.application_submit(application=application, by=contact)
    assert ("focus", "retention_share_exceeded") in codes(exc)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


# --- R14: small applications -------------------------------------------------------------------------


def test_small_application_above_the_limit_is_refused_at_submission_R14(contact, employer, at_time):
    period = PeriodFactory(number=15, small_application_limit=Decimal("15000.00"))
    application = services.application_create(employer=employer, region=employer.region, period=period, small=True,
                                              by=contact)
    assert application.is_small
    services.plan_lines_add(application=application, rows=[plan_row(count=4)], by=contact)  # 20,000
    at_time(INSIDE_WINDOW)
    with pytest.raises(DomainError) as exc:
        services.application_submit(application=application, by=contact)
    assert ("small", "small_limit_exceeded") in codes(exc)
    services.plan_line_delete(line=application.plan_lines.get(), by=contact)
    services.plan_lines_add(application=application, rows=[plan_row(count=3)], by=contact)  # 15,000: at the limit
    assert services.application_submit(application=application, by=contact).status == ApplicationStatus.SUBMITTED


def test_small_is_refused_in_a_period_without_small_applications_R14(contact, employer, period):
    with pytest.raises(DomainError) as exc:
        services.application_create(employer=employer, region=employer.region, period=period, small=True, by=contact)
    assert ("small", "no_small_regime") in codes(exc)


# --- R7: only while draft ---------------------------------------------------------------------------


def test_plan_lines_change_only_while_draft_R7(contact, employer, period):
    application = ApplicationFactory(employer=employer, period=period, submitted=True)
    line = PlanLineFactory(application=application)
    with pytest.raises(StateConflict):
        services.plan_lines_add(application=application, rows=[plan_row(focus="new_intake")], by=contact)
    with pytest.raises(StateConflict):
        services.plan_line_delete(line=line, by=contact)
    assert PlanLine.objects.filter(pk=line.pk).exists()


# --- R13: import as Dutch Excel writes it ---------------------------------------------------------------


def test_semicolon_csv_with_bom_dutch_amounts_and_dutch_headers_is_imported_R13(application, contact):
    text = "\ufeffActiviteit;Focus;Aantal;Kosten per traject\r\nA;Upskilling;2;\r\nc;new_intake;3;1.234,56\r\n"
    created = importing.import_plan_lines(application=application, uploaded_file=upload(text), by=contact)
    assert [(x.activity_type, x.focus, x.count, x.planned_cost) for x in created] == [
        ("A", "upskilling", 2, None), ("C", "new_intake", 3, Decimal("1234.56"))
    ]
    application.refresh_from_db()
    assert application.requested_amount == Decimal("10000.00") + 3 * Decimal("1234.56")


def test_xlsx_plan_is_imported_R13(application, contact):
    book = Workbook()
    sheet = book.active
    sheet.append(["activity_type", "focus", "count", "planned_cost"])
    sheet.append(["E", "upskilling", 10, 450.5])
    data = io.BytesIO()
    book.save(data)
    file = SimpleUploadedFile("plan.xlsx", data.getvalue())
    (line,) = importing.import_plan_lines(application=application, uploaded_file=file, by=contact)
    assert (line.count, line.requested_amount) == (10, Decimal("4505.00"))


def test_bad_plan_file_lists_every_bad_row_and_saves_nothing_R13(application, contact):
    text = "activity_type;focus;count;planned_cost\nA;upskilling;2;\nZ;upskilling;1;\nA;upskilling;1;\nD;upskilling;1;1.234\n"
    with pytest.raises(DomainError) as exc:
        importing.import_plan_lines(application=application, uploaded_file=upload(text), by=contact)
    found = {(e["line"], e["field"], e["code"]) for e in exc.value.errors}
    assert found == {
        (3, "activity_type", "invalid_choice"),
        (4, "focus", "duplicate_line"),
        (5, "planned_cost", "ambiguous_number"),
    }
    assert not application.plan_lines.exists()


# --- R6/R8: submission needs a plan ------------------------------------------------------------------


def test_submission_needs_at_least_one_plan_line_R8(application, contact, at_time):
    at_time(INSIDE_WINDOW)
    with pytest.raises(DomainError) as exc:
        services.application_submit(application=application, by=contact)
    assert ("plan_lines", "no_plan_lines") in codes(exc)


# --- R15, R18, R27: reasons per line reach the decision ------------------------------------------------


def test_rejection_states_the_refused_lines_with_the_reviewers_reasons_R15_R18(db):
    period = closed_period(number=16)
    reviewer, decider = UserFactory(roles=["office_reviewer"]), UserFactory(roles=["office_decider"])
    refused = ApplicationFactory(period=period, submitted=True)
    line = PlanLineFactory(application=refused, activity_type="C", focus="upskilling", count=3,
                           planned_cost=Decimal("900.00"), amount_per_trajectory=Decimal("900.00"))
    granted = ApplicationFactory(period=period, submitted=True)
    kept = PlanLineFactory(application=granted, count=2)
    cut = PlanLineFactory(application=granted, activity_type="B", count=2)
    services.application_assess(application=refused, by=reviewer,
                                verdicts=[{"id": line.pk, "eligible_count": 0, "reason": "Geen opleiding van 128 uur."}])
    services.application_assess(application=granted, by=reviewer, verdicts=[
        {"id": kept.pk, "eligible_count": 2}, {"id": cut.pk, "eligible_count": 1, "reason": "Eén hbo-traject te veel."},
    ])
    granted.refresh_from_db()
    assert granted.eligible_amount == Decimal("15000.00")
    allocation = decision_services.allocation_propose(period=period, by=reviewer)
    decision_services.allocation_confirm(allocation=allocation, by=decider)
    rejection = refused.decisions.get()
    assert rejection.kind == DecisionKind.REJECTION
    assert "0 of 3" in rejection.reasons or "0 van 3" in rejection.reasons
    assert "Geen opleiding van 128 uur." in rejection.reasons
    grant = granted.decisions.get()
    assert grant.kind == DecisionKind.GRANT and "Eén hbo-traject te veel." in grant.reasons
    assert "A /" not in grant.reasons  # a wholly eligible line is no reason

