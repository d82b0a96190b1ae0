from django.contrib import admin

from .models import Application, ApplicationTransition, Decision, Employer, Letter, Participant


@admin.register(Employer)
class EmployerAdmin(admin.ModelAdmin):
    list_display = ["name", "kvk_number", "region", "earmark"]
    list_filter = ["earmark", "region"]
    search_fields = ["name", "kvk_number"]


class TransitionInline(admin.TabularInline):
    model = ApplicationTransition
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "actor", "reason", "at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """Read-mostly: state changes go through the services (portal, API), never through the admin."""

    list_display = ["reference", "employer", "region", "period", "status", "requested_amount", "eligible_amount"]
    list_filter = ["period", "status"]
    search_fields = ["reference", "employer__name", "employer__kvk_number"]
    readonly_fields = [f.name for f in Application._meta.fields]
    inlines = [TransitionInline]

    def has_add_permission(self, request):
        return False


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["application", "focus", "age_band", "activity_type", "requested_amount", "eligible"]
    list_filter = ["focus", "age_band", "activity_type"]
    search_fields = ["application__reference"]
    readonly_fields = [f.name for f in Participant._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["application", "kind", "date", "granted_amount", "held_amount", "advance_amount"]
    list_filter = ["kind"]
    readonly_fields = [f.name for f in Decision._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Letter)
class LetterAdmin(admin.ModelAdmin):
    list_display = ["decision", "version", "status", "sha256", "updated_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in Letter._meta.fields]

    def has_add_permission(self, request):
        return False
