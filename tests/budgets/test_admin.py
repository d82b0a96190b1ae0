"""The admin edits reference data through the same services (validation, R25, audit) as the API, and
shows allocations, advice, the ledger and the audit read-only (R39)."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from budgets import reference_services
from budgets.models import (
    ActivityRate,
    Allocation,
    BudgetLine,
    CommissionAdvice,
    LedgerEntry,
    Period,
    ReferenceDataChange,
    Region,
)
from sectorplan.api.errors import StateConflict
from tests.budgets.factories import PeriodFactory, RegionFactory
from tests.problems import problems
from tests.support.otp import login_verified

from .helpers import assessed, closed_period
from .test_reference_freeze import grant_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff_user):
    login_verified(client, staff_user)
    return client


def _value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    return str(value)


def period_form(period: Period, *, lines=None, rates=None, deadlines=None, **fields) -> dict:
    """The POST of the admin's period change form as a browser sends it, with ``fields`` changed.

    ``lines``/``rates``: rows of the inlines (dicts; an ``id`` marks an existing row, ``DELETE`` removes it);
    by default the period's own rows unchanged.
    """
    data = {}
    for name in ("application_opens", "application_closes"):
        local = timezone.localtime(fields.pop(name, getattr(period, name)))
        data[f"{name}_0"], data[f"{name}_1"] = local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")
    for name in (
        "number", "training_start_from", "training_start_until", "accountability_deadline", "holdback_applies",
        "holdback_percent", "advance_percent", "retention_allowed", "retention_max_percent",
        "small_application_limit", "oversubscription_floor", "application_cap", "allocation_method",
        "decision_term_weeks",
    ):
        data[name] = _value(fields.pop(name, getattr(period, name)))
    assert not fields, fields
    if lines is None:
        lines = [{"id": b.pk, "earmark": b.earmark, "ceiling": b.ceiling} for b in period.budget_lines.all()] if period.pk else []
    if rates is None:
        rates = [
            {"id": r.pk, **{n: getattr(r, n) for n in reference_services.RATE_FIELDS}}
            for r in period.activity_rates.order_by("activity_type")
        ] if period.pk else []
    if deadlines is None:
        deadlines = [
            {"id": d.pk, "kind": d.kind, "date": d.date} for d in period.deadlines.exclude(kind="accountability")
        ] if period.pk else []
    for prefix, rows in (("budget_lines", lines), ("activity_rates", rates), ("deadlines", deadlines)):
        initial = [row for row in rows if row.get("id")]
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = str(len(initial))
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
        ordered = initial + [row for row in rows if not row.get("id")]
        for i, row in enumerate(ordered):
            for key, value in row.items():
                if key == "DELETE":
                    if value:
                        data[f"{prefix}-{i}-DELETE"] = "on"
                    continue
                data[f"{prefix}-{i}-{key}"] = _value(value)
            if period.pk:
                data[f"{prefix}-{i}-period"] = str(period.pk)
    return data


def change_url(period):
    return f"/admin/budgets/period/{period.pk}/change/"


@pytest.fixture
def granted_pooled(client_for, reviewer, decider):
    period = closed_period(pooled=True, budget={"pooled": Decimal("10000.00")})
    assessed(period, "6000.00", reviewer=reviewer)
    grant_all(client_for, reviewer, decider, period)
    return period


def test_period_admin_saves_through_the_service_and_audits_the_actor(admin_client, staff_user):
    period = PeriodFactory(pooled=True)
    (line,) = period.budget_lines.all()
    response = admin_client.post(
        change_url(period),
        period_form(period, advance_percent="80.00", lines=[{"id": line.pk, "earmark": "pooled", "ceiling": "2000000.00"}]),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    period.refresh_from_db()
    assert period.advance_percent == Decimal("80.00")
    assert period.budget_lines.get().ceiling == Decimal("2000000.00")
    changes = {c.model: c for c in ReferenceDataChange.objects.all()}
    assert set(changes) == {"budgets.period", "budgets.budgetline"}
    assert {c.actor for c in changes.values()} == {staff_user}
    assert changes["budgets.period"].changes == {"advance_percent": {"old": "75.00", "new": "80.00"}}
    assert changes["budgets.budgetline"].changes == {"ceiling": {"old": "1000000.00", "new": "2000000.00"}}


def test_period_admin_add_goes_through_the_service(admin_client, staff_user):
    template = PeriodFactory.build(number=42, pooled=True)
    data = period_form(template, lines=[{"earmark": "pooled", "ceiling": "500.00"}], rates=[])
    response = admin_client.post("/admin/budgets/period/add/", data)
    assert response.status_code == 302
    period = Period.objects.get(number=42)
    assert period.pooled and period.budget_lines.get().ceiling == Decimal("500.00")
    assert period.activity_rates.count() == 5  # the §3 defaults, as through the API
    assert ReferenceDataChange.objects.filter(model="budgets.period", action="create", actor=staff_user).exists()


def test_period_admin_refuses_a_pooled_line_beside_another_like_the_api(admin_client, client_for, staff_user):
    period = PeriodFactory(pooled=True)
    (line,) = period.budget_lines.all()
    lines = [{"id": line.pk, "earmark": "pooled", "ceiling": "1.00"}, {"earmark": "other", "ceiling": "1.00"}]
    response = admin_client.post(change_url(period), period_form(period, lines=lines))
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    api = client_for(staff_user).patch(
        f"/api/v2/periods/{period.number}", {"budgetLines": [{"earmark": "pooled", "ceiling": "1.00"},
                                                             {"earmark": "other", "ceiling": "1.00"}]},
        format="json",
    )
    assert api.status_code == 400
    assert list(formset.non_form_errors()) == [e["message"] for e in problems(api)]
    assert period.budget_lines.count() == 1
    assert not ReferenceDataChange.objects.exists()


def test_period_admin_refuses_a_ceiling_below_committed_on_the_field_R25(admin_client, granted_pooled):
    (line,) = granted_pooled.budget_lines.all()
    data = period_form(granted_pooled, lines=[{"id": line.pk, "earmark": "pooled", "ceiling": "5000.00"}])
    response = admin_client.post(change_url(granted_pooled), data)
    assert response.status_code == 200
    (form,) = response.context["inline_admin_formsets"][0].formset.forms
    assert list(form.errors) == ["ceiling"]
    assert "6000.00" in form.errors["ceiling"][0]
    assert BudgetLine.objects.get(pk=line.pk).ceiling == Decimal("10000.00")


def test_period_admin_refuses_a_layout_change_after_grants_R25(admin_client, granted_pooled):
    (line,) = granted_pooled.budget_lines.all()
    lines = [
        {"id": line.pk, "earmark": "pooled", "ceiling": "10000.00", "DELETE": True},
        {"earmark": "nursing_home", "ceiling": "5000.00"},
        {"earmark": "other", "ceiling": "10000.00"},
    ]
    response = admin_client.post(change_url(granted_pooled), period_form(granted_pooled, lines=lines))
    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.non_form_errors()
    assert list(granted_pooled.budget_lines.values_list("earmark", flat=True)) == ["pooled"]


def test_period_admin_refuses_a_frozen_share_naming_the_field_R25(admin_client, granted_pooled):
    response = admin_client.post(change_url(granted_pooled), period_form(granted_pooled, advance_percent="90.00"))
    assert response.status_code == 200
    assert set(response.context["adminform"].form.errors) == {"advance_percent"}
    granted_pooled.refresh_from_db()
    assert granted_pooled.advance_percent == Decimal("75.00")


def test_period_admin_refuses_a_frozen_rate_on_its_field_R25(admin_client, granted_pooled):
    data = period_form(granted_pooled)
    data["activity_rates-0-amount"] = "9999.00"
    response = admin_client.post(change_url(granted_pooled), data)
    assert response.status_code == 200
    rate_form = response.context["inline_admin_formsets"][1].formset.forms[0]
    assert list(rate_form.errors) == ["amount"]
    assert ActivityRate.objects.get(period=granted_pooled, activity_type="A").amount == Decimal("5000.00")


def test_period_admin_still_edits_the_dates_of_a_decided_period(admin_client, granted_pooled):
    data = period_form(granted_pooled, accountability_deadline=date(2031, 7, 1))
    response = admin_client.post(change_url(granted_pooled), data)
    assert response.status_code == 302
    granted_pooled.refresh_from_db()
    assert granted_pooled.accountability_deadline == date(2031, 7, 1)


def test_period_admin_reports_a_conflict_found_at_save_time_and_saves_nothing(admin_client, monkeypatch):
    """The service checks again under the period lock; a commitment made since the form was checked
    is reported as a message, not a 500."""
    period = PeriodFactory(pooled=True)

    def conflict(**kwargs):
        raise StateConflict(field="budget_lines", code="layout_frozen", message="conflict found under the lock")

    monkeypatch.setattr(reference_services, "period_update", conflict)
    response = admin_client.post(change_url(period), period_form(period, advance_percent="80.00"), follow=True)
    assert response.redirect_chain[-1][0].endswith(change_url(period))
    assert any("conflict found under the lock" in str(m) for m in response.context["messages"])
    period.refresh_from_db()
    assert period.advance_percent == Decimal("75.00")


def test_region_admin_edit_is_audited(admin_client, staff_user):
    region = RegionFactory(name="Twente")
    response = admin_client.post(
        f"/admin/budgets/region/{region.pk}/change/",
        {"code": region.code, "name": "Twente-Oost", "employer_organisation": region.employer_organisation_id},
    )
    assert response.status_code == 302
    assert Region.objects.get(pk=region.pk).name == "Twente-Oost"
    change = ReferenceDataChange.objects.get(model="budgets.region")
    assert change.actor == staff_user and change.changes == {"name": {"old": "Twente", "new": "Twente-Oost"}}


def test_region_admin_delete_is_audited(admin_client, staff_user):
    region = RegionFactory(name="Zeeland")
    response = admin_client.post(f"/admin/budgets/region/{region.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Region.objects.filter(pk=region.pk).exists()
    change = ReferenceDataChange.objects.get(model="budgets.region")
    assert (change.action, change.actor, change.changes["name"]) == ("delete", staff_user, {"old": "Zeeland", "new": None})


def test_allocation_advice_ledger_and_audit_are_read_only_in_the_admin_R39(admin_client, granted_pooled, staff_user):
    allocation = Allocation.objects.get(period=granted_pooled)
    entry = LedgerEntry.objects.filter(period=granted_pooled).first()
    holdback = closed_period(with_holdback=True)
    advice = CommissionAdvice.objects.create(
        region=RegionFactory(), period=holdback, outcome="positive", date=date(2021, 1, 1), reference="CWZ",
        recorded_by=staff_user,
    )
    organisation = RegionFactory().employer_organisation
    reference_services.reference_save(obj=Region(code="nieuw", name="Nieuw", employer_organisation=organisation),
                                      by=staff_user)
    audit = ReferenceDataChange.objects.get()
    for model, obj in (("allocation", allocation), ("ledgerentry", entry), ("commissionadvice", advice),
                       ("referencedatachange", audit)):
        base = f"/admin/budgets/{model}/"
        assert admin_client.get(f"{base}{obj.pk}/change/").status_code == 200  # shown read-only
        assert admin_client.post(f"{base}{obj.pk}/change/", {}).status_code == 403
        assert admin_client.post(f"{base}{obj.pk}/delete/", {"post": "yes"}).status_code == 403
        assert admin_client.get(f"{base}add/").status_code == 403
        assert b"delete_selected" not in admin_client.get(base).content
        assert type(obj).objects.filter(pk=obj.pk).exists()
