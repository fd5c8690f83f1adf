from django.contrib import admin

from delbar import search
from delbar.admin.site import CuratorAccess
from delbar.audit import record
from delbar.needs.actions import delete_need
from delbar.needs.models import Need, NeedInterest
from delbar.needs.tasks import refresh_later, rematch


class InterestInline(admin.TabularInline):
    model = NeedInterest
    extra = 0
    autocomplete_fields = ["organization"]
    readonly_fields = ["user", "created_at"]


@admin.register(Need)
class NeedAdmin(CuratorAccess, admin.ModelAdmin):
    list_display = ["title", "organization", "sector", "status", "visibility", "created_at"]
    list_filter = ["status", "visibility", "sector", "open_for_joint_procurement"]
    search_fields = ["title", "description", "external_id", "organization__name"]
    autocomplete_fields = ["organization", "cpv_codes", "based_on_case", "based_on_need"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    inlines = [InterestInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Changes made here are searchable, audited and matched like those made on the need pages.
        record(actor=request.user, action="need.admin_change", obj=form.instance)
        rematch(form.instance)
        search.index(form.instance)
        refresh_later("need", [form.instance.pk])

    def delete_model(self, request, obj):
        delete_need(need=obj, actor=request.user)
