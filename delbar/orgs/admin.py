from django.contrib import admin

from delbar.admin.site import CuratorAccess, CuratorReadOnly
from delbar.orgs.models import County, CpvCode, NutsRegion, Organization, Sector


@admin.register(Organization)
class OrganizationAdmin(CuratorAccess, admin.ModelAdmin):
    list_display = ["name", "kind", "municipality_number", "org_number", "county", "size_class", "population"]
    list_filter = ["kind", "size_class", "maalform", "county"]
    search_fields = ["name", "official_name", "municipality_number", "org_number"]


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "official_name", "nuts_code", "population"]


@admin.register(CpvCode)
class CpvCodeAdmin(CuratorReadOnly, admin.ModelAdmin):
    list_display = ["code", "name_nb", "name_en"]
    search_fields = ["code", "name_nb", "name_en"]


admin.site.register(NutsRegion)
admin.site.register(Sector)
