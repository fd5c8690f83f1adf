from django.contrib import admin

from delbar.admin.site import CuratorAccess
from delbar.diffusion.models import Adoption


@admin.register(Adoption)
class AdoptionAdmin(CuratorAccess, admin.ModelAdmin):
    list_display = ["case", "organization", "adopted_on", "route", "state"]
    list_filter = ["state", "route"]
    search_fields = ["case__title", "organization__name"]
    autocomplete_fields = ["case", "organization", "evidence_case"]
    raw_id_fields = ["evidence_notice"]
    readonly_fields = ["reasons", "score", "declared_by", "confirmed_by", "confirmed_at"]
