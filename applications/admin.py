"""Applications, participants, decisions and letters are read in the admin, never changed or deleted
there (R39): state changes go through the services (portal, API)."""

from django.contrib import admin

from sectorplan.admin_base import ReadOnlyAdmin, ReadOnlyInline

from .constants import ApplicationStatus
from .models import Application, ApplicationTransition, Decision, Employer, Letter, Participant


@admin.register(Employer)
class EmployerAdmin(admin.ModelAdmin):
    list_display = ["name", "kvk_number", "region", "earmark", "account_holder"]
    list_filter = ["earmark", "region"]
    search_fields = ["name", "kvk_number", "account_holder"]


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


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["application", "focus", "age_band", "activity_type", "requested_amount", "eligible"]
    list_filter = ["focus", "age_band", "activity_type"]
    search_fields = ["application__reference"]
    readonly_fields = [f.name for f in Participant._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and not _is_draft(obj.application):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["application", "kind", "date", "granted_amount", "held_amount", "advance_amount"]
    list_filter = ["kind"]
    readonly_fields = [f.name for f in Decision._meta.fields]


@admin.register(Letter)
class LetterAdmin(ReadOnlyAdmin):
    list_display = ["decision", "version", "status", "sha256", "updated_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in Letter._meta.fields]
