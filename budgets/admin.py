from django.contrib import admin

from .models import ActivityRate, Allocation, AllocationLine, BudgetLine, EmployerOrganisation, Period, Region


@admin.register(EmployerOrganisation)
class EmployerOrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "employer_organisation"]
    list_filter = ["employer_organisation"]
    search_fields = ["name", "code"]


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    extra = 0


class ActivityRateInline(admin.TabularInline):
    model = ActivityRate
    extra = 0


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ["number", "application_opens", "application_closes", "pooled", "holdback_applies"]
    inlines = [BudgetLineInline, ActivityRateInline]


class AllocationLineInline(admin.TabularInline):
    model = AllocationLine
    extra = 0
    can_delete = False
    readonly_fields = ["earmark", "ceiling", "requested", "factor", "granted"]


@admin.register(Allocation)
class AllocationAdmin(admin.ModelAdmin):
    list_display = ["period", "status", "created_by", "created_at", "confirmed_by", "confirmed_at"]
    readonly_fields = ["period", "status", "created_by", "created_at", "confirmed_by", "confirmed_at"]
    inlines = [AllocationLineInline]

    def has_add_permission(self, request):
        return False
