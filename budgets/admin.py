"""Reference data is edited here through ``budgets.reference_services`` (audited, with R25's freeze rules
checked by the same functions the API uses); allocations, advice, the ledger and the audit are read-only."""

import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from sectorplan.admin_base import ReadOnlyAdmin, ReadOnlyInline
from sectorplan.api.errors import DomainError

from . import reference_services
from .constants import DeadlineKind
from .models import (
    ActivityRate,
    Allocation,
    AllocationLine,
    BudgetLine,
    CommissionAdvice,
    Deadline,
    DeadlineExtension,
    EmployerOrganisation,
    LedgerEntry,
    Period,
    ReferenceDataChange,
    Region,
)

#: A service error on one row of a list, e.g. ``budget_lines[1].ceiling``.
ROW_ERROR = re.compile(r"^\w+\[(?P<index>\d+)\]\.(?P<field>\w+)$")


def _place_errors(errors: list[dict], row_forms: list[forms.Form]) -> list[str]:
    """Put each ``name[i].field`` error on that field of the i-th form; return the other messages."""
    rest = []
    for error in errors:
        match = ROW_ERROR.match(error["field"])
        index = int(match["index"]) if match else -1
        if match and index < len(row_forms) and match["field"] in row_forms[index].fields:
            row_forms[index].add_error(match["field"], error["message"])
        else:
            rest.append(error["message"])
    return rest


class AuditedAdmin(admin.ModelAdmin):
    """Saves and deletes through the reference-data services, which write the audit row."""

    def save_model(self, request, obj, form, change):
        reference_services.reference_save(obj=obj, by=request.user)

    def delete_model(self, request, obj):
        reference_services.reference_delete(obj=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            reference_services.reference_delete(obj=obj, by=request.user)


@admin.register(EmployerOrganisation)
class EmployerOrganisationAdmin(AuditedAdmin):
    list_display = ["name", "code"]
    search_fields = ["name"]


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = ["name", "code", "employer_organisation"]
    list_filter = ["employer_organisation"]
    search_fields = ["name", "code"]


class RowsFormSet(BaseInlineFormSet):
    """An inline whose rows the period services take as a list of dicts (``fields``), checked by ``check``.

    A tabular inline puts each field's label in the column header only, so a screen reader hears an unlabelled
    field (axe ``label``, critical): every input gets an ``aria-label`` naming the field and the row."""

    fields: tuple[str, ...] = ()

    def add_fields(self, form, index):
        super().add_fields(form, index)
        row = _("new row") if index is None else _("row %(number)s") % {"number": index + 1}
        for name, field in form.fields.items():
            label = _("delete") if name == "DELETE" else (field.label or name)
            field.widget.attrs["aria-label"] = f"{label} ({row})"

    def kept_forms(self) -> list[forms.Form]:
        return [f for f in self.forms if f.cleaned_data and f not in self.deleted_forms]

    def rows(self) -> list[dict]:
        return [{name: f.cleaned_data.get(name) for name in self.fields} for f in self.kept_forms()]

    def check(self, rows: list[dict]) -> None:
        raise NotImplementedError

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        try:
            self.check(self.rows())
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc
        except DomainError as exc:
            rest = _place_errors(exc.errors, self.kept_forms())
            if rest:
                raise ValidationError(rest) from exc


class BudgetLineFormSet(RowsFormSet):
    fields = ("earmark", "ceiling")

    def check(self, rows):
        reference_services.budget_lines_check(rows)
        reference_services.budget_lines_change_check(period=self.instance, lines=rows)


class ActivityRateFormSet(RowsFormSet):
    fields = reference_services.RATE_FIELDS

    def check(self, rows):
        reference_services.activity_rates_check(period=self.instance, rates=rows)


class DeadlineFormSet(RowsFormSet):
    """The calendar but its accountability date, which is the period's own field (the row mirrors it)."""

    fields = ("kind", "date")

    def get_queryset(self):
        return super().get_queryset().exclude(kind=DeadlineKind.ACCOUNTABILITY)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["kind"].choices = [
            choice for choice in form.fields["kind"].choices if choice[0] != DeadlineKind.ACCOUNTABILITY
        ]

    def check(self, rows):
        reference_services.deadlines_check(rows)
        reference_services.deadlines_plausibility_check(period=self.instance, deadlines=rows)


class DeadlineInline(admin.TabularInline):
    """R53: agreement, registration and repair deadlines; the accountability deadline is edited above."""

    model = Deadline
    formset = DeadlineFormSet
    extra = 0
    max_num = len(DeadlineKind.values) - 1


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    formset = BudgetLineFormSet
    extra = 0


class ActivityRateInline(admin.TabularInline):
    model = ActivityRate
    formset = ActivityRateFormSet
    extra = 0


class PeriodAdminForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A date-and-time field is two inputs under one legend; a legend labels neither (axe ``label``).
        for field in self.fields.values():
            for widget in getattr(field.widget, "widgets", []):
                part = _("time") if isinstance(widget, forms.TimeInput) else _("date")
                widget.attrs["aria-label"] = f"{field.label} ({part})"

    def clean(self):
        cleaned = super().clean()
        try:
            reference_services.period_fields_check(period=self.instance, changed=self.changed_data)
        except DomainError as exc:
            for error in exc.errors:
                self.add_error(error["field"] if error["field"] in self.fields else None, error["message"])
        return cleaned


@admin.register(Period)
class PeriodAdmin(AuditedAdmin):
    """The period, its budget lines and its rates are saved together by one service call, so the admin
    goes through the same validation as the API (and writes the same audit rows)."""

    form = PeriodAdminForm
    list_display = [
        "number", "application_opens", "application_closes", "pooled", "holdback_applies", "allocation_method",
        "application_cap",
    ]
    readonly_fields = ["pooled"]
    inlines = [BudgetLineInline, ActivityRateInline, DeadlineInline]
    #: The services take each inline's rows as a list under this key.
    INLINE_KEYS = {BudgetLine: "budget_lines", ActivityRate: "activity_rates", Deadline: "deadlines"}

    def save_model(self, request, obj, form, change):
        """Nothing yet: ``save_related`` saves the period with its lines and rates."""

    def save_related(self, request, form, formsets, change):
        data = dict(form.cleaned_data)
        for formset in formsets:
            formset.save(commit=False)  # writes nothing; fills new/changed/deleted_objects for the change message
            data[self.INLINE_KEYS[formset.model]] = formset.rows()
        if change:
            reference_services.period_update(period=form.instance, data=data, by=request.user)
        else:
            form.instance.pk = reference_services.period_create(data=data, by=request.user).pk

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            # The forms were checked, but money was committed between that check and the save (the
            # service checks again under the period lock): nothing was saved.
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class AllocationLineInline(ReadOnlyInline):
    model = AllocationLine
    readonly_fields = ["earmark", "ceiling", "requested", "factor", "granted"]


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyAdmin):
    list_display = ["period", "status", "method", "created_by", "created_at", "confirmed_by", "confirmed_at"]
    readonly_fields = [
        "period", "status", "method", "application_cap", "floor", "created_by", "created_at", "confirmed_by",
        "confirmed_at",
    ]
    inlines = [AllocationLineInline]


@admin.register(CommissionAdvice)
class CommissionAdviceAdmin(ReadOnlyAdmin):
    list_display = ["region", "period", "outcome", "date", "reference", "recorded_by", "recorded_at"]
    list_filter = ["period", "outcome"]
    search_fields = ["region__name", "reference"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "period", "earmark", "kind", "amount", "application", "decision", "actor"]
    list_filter = ["period", "kind", "earmark"]
    list_select_related = ["period", "application", "decision__application", "actor"]
    search_fields = ["application__reference"]


@admin.register(ReferenceDataChange)
class ReferenceDataChangeAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "model", "object_repr"]
    list_filter = ["action", "model"]
    search_fields = ["object_repr", "actor__username"]


@admin.register(DeadlineExtension)
class DeadlineExtensionAdmin(ReadOnlyAdmin):
    """R53: extensions are made through ``POST /api/v2/periods/{number}/deadline-extensions`` (audited); the
    admin shows them read-only."""

    list_display = ["period", "kind", "date", "employer", "reason", "created_by", "created_at"]
    list_filter = ["period", "kind"]
    list_select_related = ["period", "employer", "created_by"]
    search_fields = ["employer__name", "reason"]
