from django.contrib import admin

from delbar.admin.site import CuratorAccess
from delbar.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(CuratorAccess, admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "object_type", "object_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "actor__username"]
    readonly_fields = [field.name for field in AuditEvent._meta.fields]

    def has_add_permission(self, request, *args):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
