"""Applications, registrations, decisions and letters are read in the admin, never changed or deleted
there (R39): state changes go through the services (portal, API)."""

import csv
from datetime import UTC

from django import forms
from django.contrib import admin
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from budgets.models import EmployerOrganisation
from sectorplan.admin_base import ReadOnlyAdmin, ReadOnlyInline
from sectorplan.roles import OFFICE_ROLES

from . import services
from .constants import ApplicationStatus
from .models import (
    Application,
    ApplicationTransition,
    CompletionRequest,
    Decision,
    Employer,
    Letter,
    Message,
    OfficeScope,
    OfficeScopeChange,
    OfficeUser,
    ProcessingLogEntry,
    Receipt,
    Registration,
    RegistrationDocument,
    RegistrationTransition,
)

#: The columns of the processing-log export (R54).
PROCESSING_LOG_COLUMNS = ["at", "user", "action", "purpose", "object_type", "object_ids", "employer", "kvk_number",
                          "application"]


def processing_log_csv(employers) -> HttpResponse:
    """R54: the processing log of ``employers`` as CSV (UTF-8 with BOM, semicolons, as Dutch Excel reads it),
    newest first; times in UTC (RFC 3339)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="verwerkingslog-{timezone.localdate():%Y%m%d}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(PROCESSING_LOG_COLUMNS)
    entries = (
        ProcessingLogEntry.objects.filter(employer__in=employers)
        .select_related("user", "employer", "application")
        .order_by("employer__name", "-at", "-id")
    )
    for entry in entries:
        writer.writerow([
            entry.at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            entry.user.username,
            entry.action,
            entry.purpose,
            entry.object_type,
            " ".join(str(pk) for pk in entry.object_ids),
            entry.employer.name,
            entry.employer.kvk_number,
            entry.application.reference if entry.application else "",
        ])
    return response


@admin.register(Employer)
class EmployerAdmin(admin.ModelAdmin):
    list_display = ["name", "kvk_number", "region", "earmark", "account_holder"]
    list_filter = ["earmark", "region"]
    search_fields = ["name", "kvk_number", "account_holder"]
    actions = ["export_processing_log"]

    @admin.action(description=_("Export the processing log (CSV)"))
    def export_processing_log(self, request, queryset):
        """R54: staff export the processing log of the selected employers (the admin is staff only)."""
        return processing_log_csv(queryset)


@admin.register(ProcessingLogEntry)
class ProcessingLogEntryAdmin(ReadOnlyAdmin):
    """R54: the processing log, read-only; exported per employer from the employers' list."""

    list_display = ["at", "user", "action", "purpose", "object_type", "object_ids", "employer", "application"]
    list_filter = ["action", "purpose", "object_type"]
    list_select_related = ["user", "employer", "application"]
    search_fields = ["employer__name", "employer__kvk_number", "user__username", "application__reference"]


class TransitionInline(ReadOnlyInline):
    model = ApplicationTransition
    readonly_fields = ["from_status", "to_status", "actor", "reason", "at"]


def _is_draft(application: Application | None) -> bool:
    return application is not None and application.status == ApplicationStatus.DRAFT


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """Read-only: state changes go through the services. Only a draft may be opened for change (its fields
    are read-only all the same); nothing is deleted here."""

    list_display = ["reference", "employer", "region", "period", "status", "requested_amount", "eligible_amount"]
    list_filter = ["period", "status"]
    search_fields = ["reference", "employer__name", "employer__kvk_number"]
    readonly_fields = [f.name for f in Application._meta.fields]
    inlines = [TransitionInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and not _is_draft(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


class RegistrationTransitionInline(ReadOnlyInline):
    """R49: the registration's timeline."""

    model = RegistrationTransition
    readonly_fields = ["from_status", "to_status", "actor", "reason", "at"]


class RegistrationDocumentInline(ReadOnlyInline):
    """R50: the evidence, every version (never changed or deleted)."""

    model = RegistrationDocument
    readonly_fields = ["kind", "version", "sha256", "size", "media_type", "scanned", "uploaded_by", "uploaded_at"]
    fields = readonly_fields


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    inlines = [RegistrationDocumentInline, RegistrationTransitionInline]
    list_display = ["application", "status", "focus", "age_band", "activity_type", "amount"]
    list_filter = ["status", "focus", "age_band", "activity_type"]
    search_fields = ["application__reference"]
    readonly_fields = [f.name for f in Registration._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # registrations change only through their services (R49: every change on the timeline)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["application", "kind", "date", "granted_amount", "held_amount", "advance_amount"]
    list_filter = ["kind"]
    readonly_fields = [f.name for f in Decision._meta.fields]


@admin.register(Letter)
class LetterAdmin(ReadOnlyAdmin):
    list_display = ["decision", "version", "status", "sha256", "reason", "updated_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in Letter._meta.fields]


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["subject", "employer", "created_at", "delivered_at", "notified_at"]
    search_fields = ["subject"]
    readonly_fields = [f.name for f in Message._meta.fields]


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ["application", "received_at", "sha256"]
    search_fields = ["application__reference"]
    readonly_fields = [f.name for f in Receipt._meta.fields]


@admin.register(CompletionRequest)
class CompletionRequestAdmin(ReadOnlyAdmin):
    list_display = ["application", "requested_at", "due_date", "completed_at"]
    search_fields = ["application__reference"]
    readonly_fields = [f.name for f in CompletionRequest._meta.fields]


class OfficeUserForm(forms.ModelForm):
    employer_organisations = forms.ModelMultipleChoiceField(
        queryset=EmployerOrganisation.objects.order_by("name"), required=False, to_field_name="code",
        widget=forms.CheckboxSelectMultiple, label=_("Regional employer organisations"),
        help_text=_("None ticked: the user serves all regions (R4)."),
    )

    class Meta:
        model = OfficeUser
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["employer_organisations"].initial = list(
                EmployerOrganisation.objects.filter(office_scopes__user=self.instance)
            )


@admin.register(OfficeUser)
class OfficeUserAdmin(admin.ModelAdmin):
    """R4: staff scope office users to regions; saved through ``services.office_scope_set`` (audited)."""

    form = OfficeUserForm
    list_display = ["username", "scope"]
    search_fields = ["username"]
    fields = ["username", "employer_organisations"]
    readonly_fields = ["username"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(groups__name__in=list(OFFICE_ROLES)).distinct()

    @admin.display(description=_("regions"))
    def scope(self, obj):
        codes = list(OfficeScope.objects.filter(user=obj).values_list("employer_organisation__name", flat=True))
        return ", ".join(codes) or _("all regions")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return request.user.is_staff and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        services.office_scope_set(
            user=obj, codes=[o.code for o in form.cleaned_data["employer_organisations"]], by=request.user
        )


@admin.register(OfficeScopeChange)
class OfficeScopeChangeAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "user", "before", "after"]
    readonly_fields = [f.name for f in OfficeScopeChange._meta.fields]
