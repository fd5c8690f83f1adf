from django.contrib import admin

from delbar.admin.site import CuratorAccess
from delbar.groups.models import BuyerGroup, GroupMember


class MemberInline(admin.TabularInline):
    model = GroupMember
    extra = 0
    autocomplete_fields = ["organization", "need"]


@admin.register(BuyerGroup)
class BuyerGroupAdmin(CuratorAccess, admin.ModelAdmin):
    list_display = ["name", "lead", "stage", "created_at"]
    list_filter = ["stage"]
    search_fields = ["name", "lead__name", "need__title"]
    autocomplete_fields = ["lead", "need"]
    inlines = [MemberInline]
