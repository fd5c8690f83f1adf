from django.contrib import admin

from delbar import search
from delbar.admin.site import CuratorAccess
from delbar.needs.tasks import refresh_later
from delbar.suppliers.models import Proposal, Solution


@admin.register(Solution)
class SolutionAdmin(CuratorAccess, admin.ModelAdmin):
    list_display = ["title", "organization", "active", "updated_at"]
    list_filter = ["active", "sectors"]
    search_fields = ["title", "description", "organization__name"]
    autocomplete_fields = ["organization", "cpv_codes", "cases"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        search.index(form.instance)
        refresh_later("solution", [form.instance.pk])

    def delete_model(self, request, obj):
        search.remove(obj)
        refresh_later("solution", [obj.pk])
        super().delete_model(request, obj)


@admin.register(Proposal)
class ProposalAdmin(CuratorAccess, admin.ModelAdmin):
    list_display = ["need", "organization", "created_at"]
    search_fields = ["body", "organization__name", "need__title"]
    readonly_fields = ["need", "organization", "solution", "author", "created_at"]
