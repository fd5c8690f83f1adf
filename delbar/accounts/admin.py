from django.contrib import admin

from delbar.accounts.models import ApiToken, Membership
from delbar.admin.site import CuratorAccess


@admin.register(Membership)
class MembershipAdmin(CuratorAccess, admin.ModelAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__email", "organization__name"]
    autocomplete_fields = ["organization"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "hint", "created_at", "last_used_at"]
    readonly_fields = ["key_hash", "hint"]
