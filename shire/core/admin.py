from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import AuditEvent, OutgoingEmail, Team, User


@admin.register(User)
class ShireUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("Role", {"fields": ("role",)}),)
    list_display = ("username", "role", "is_active")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("members",)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records nobody adds, changes or deletes by hand: the audit log, the e-mails sent."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_id")
    list_filter = ("action", "object_type")


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ReadOnlyAdmin):
    """Read-only, for administrators alone: "did my e-mail go?" (its address and subject are
    personal data). Staff who are not administrators do not see it, whatever permissions they hold."""

    list_display = ("created_at", "about", "to", "status", "attempts", "attempted_at", "sent_at", "error_type")
    list_filter = ("status",)
    search_fields = ("to", "about")
    date_hierarchy = "created_at"

    def has_module_permission(self, request):
        return getattr(request.user, "is_administrator", False) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return getattr(request.user, "is_administrator", False) and super().has_view_permission(request, obj)
