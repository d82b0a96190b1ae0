from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from applications.models import Membership
from sectorplan.admin_base import ReadOnlyAdmin, ReadOnlyInline

from . import services
from .models import (
    AccountabilityReport,
    AgreementDocument,
    AgreementEvent,
    Invitation,
    Objection,
    ProjectAgreement,
    ReminderSent,
)


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    """Memberships change only through the services (invitations, R2/R3): read-only here."""

    list_display = ["user", "employer", "role", "created_at", "created_by"]
    list_filter = ["role"]
    search_fields = ["user__username", "employer__name", "employer__kvk_number"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["employer", "email", "role", "created_at", "expires_at", "accepted_at"]
    list_filter = ["role"]
    exclude = ["token_hash"]


@admin.register(AccountabilityReport)
class AccountabilityReportAdmin(ReadOnlyAdmin):
    list_display = ["application", "submitted_at", "completion_statement", "reopened_until"]
    actions = ["reopen_for_14_days"]

    @admin.action(description=_("Reopen reporting for 14 days (R32)"))
    def reopen_for_14_days(self, request, queryset):
        for report in queryset.select_related("application"):
            services.accountability_reopen(application=report.application, by=request.user, reason="admin")


@admin.register(ReminderSent)
class ReminderSentAdmin(ReadOnlyAdmin):
    list_display = ["application", "deadline_kind", "deadline", "kind", "sent_at", "recipients"]
    list_filter = ["deadline_kind", "kind"]


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ["decision", "received_on", "deadline", "status", "ruled_at"]
    list_filter = ["status"]


class AgreementDocumentInline(ReadOnlyInline):
    model = AgreementDocument
    fields = ["kind", "version", "sha256", "size", "issue_date", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


class AgreementEventInline(ReadOnlyInline):
    model = AgreementEvent
    fields = ["at", "actor", "from_status", "to_status", "reason"]
    readonly_fields = fields


@admin.register(ProjectAgreement)
class ProjectAgreementAdmin(ReadOnlyAdmin):
    """R45, R39: agreements, their documents and timeline change only through ``accounting.agreements``."""

    list_display = ["application", "status", "submitted_at", "reviewed_by", "reviewed_at"]
    list_filter = ["status"]
    search_fields = ["application__reference", "application__employer__name"]
    inlines = [AgreementDocumentInline, AgreementEventInline]
