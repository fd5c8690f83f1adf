from django.contrib import admin

from delbar.admin.site import CuratorAccess
from delbar.search import indexing as search_index
from delbar.suppliers.models import Proposal, Solution


@admin.register(Solution)
class SolutionAdmin(CuratorAccess, admin.ModelAdmin):
    list_display = ["title", "organization", "active", "updated_at"]
    list_filter = ["active", "sectors"]
    search_fields = ["title", "description", "organization__name"]
    autocomplete_fields = ["organization", "cpv_codes", "cases"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        search_index.index(form.instance)

    def delete_model(self, request, obj):
        search_index.remove(obj)
        super().delete_model(request, obj)


@admin.register(Proposal)
class ProposalAdmin(CuratorAccess, admin.ModelAdmin):
    list_display = ["need", "organization", "created_at"]
    search_fields = ["body", "organization__name", "need__title"]
    readonly_fields = ["need", "organization", "solution", "author", "created_at"]
