"""Networks in Django's admin, for Delbar's administrators only: a network is created here for an organization
of the kind "network", and its members-only news must stay out of Delbar's curators' sight
(networks/access.py). Its curators change it on its own pages, where every change is audited."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from delbar.admin.site import DelbarAdminOnly
from delbar.networks.actions import RESERVED_SLUGS, origin_problems
from delbar.networks.forms import check_logo
from delbar.networks.models import Network, NetworkMember, NewsItem


class NetworkAdminForm(forms.ModelForm):
    class Meta:
        model = Network
        fields = ["organization", "slug", "kind", "description", "logo", "website", "embed_origins",
                  "accepts_suppliers"]

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(_("That short name is taken by a page of Delbar."))
        return slug

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and hasattr(logo, "content_type"):
            check_logo(logo)
        return logo

    def clean_embed_origins(self):
        problems = origin_problems(self.cleaned_data.get("embed_origins", ""))
        if problems:
            raise forms.ValidationError(problems)
        return self.cleaned_data["embed_origins"]


class MemberInline(admin.TabularInline):
    model = NetworkMember
    extra = 0
    autocomplete_fields = ["organization"]
    fields = ["organization", "status", "requested_at", "decided_at"]
    readonly_fields = ["requested_at", "decided_at"]


@admin.register(Network)
class NetworkAdmin(DelbarAdminOnly, admin.ModelAdmin):
    form = NetworkAdminForm
    list_display = ["__str__", "slug", "kind", "accepts_suppliers", "created_at"]
    list_filter = ["kind", "accepts_suppliers"]
    search_fields = ["slug", "organization__name", "description"]
    autocomplete_fields = ["organization"]
    inlines = [MemberInline]


@admin.register(NetworkMember)
class NetworkMemberAdmin(DelbarAdminOnly, admin.ModelAdmin):
    list_display = ["organization", "network", "status", "requested_at", "decided_at"]
    list_filter = ["status", "network"]
    search_fields = ["organization__name", "network__slug", "network__organization__name"]
    autocomplete_fields = ["organization", "network"]
    readonly_fields = ["requested_by", "requested_at", "decided_by", "decided_at"]


@admin.register(NewsItem)
class NewsItemAdmin(DelbarAdminOnly, admin.ModelAdmin):
    list_display = ["title", "network", "members_only", "published_at"]
    list_filter = ["members_only", "network"]
    search_fields = ["title", "body", "network__slug"]
    autocomplete_fields = ["network"]
    readonly_fields = ["author", "published_at"]
