from django.contrib import admin

from .models import Membership


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "employer", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "employer__name", "employer__kvk_number"]
    autocomplete_fields = ["employer"]
