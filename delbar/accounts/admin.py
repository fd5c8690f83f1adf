from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from delbar.accounts import access
from delbar.accounts.models import ApiToken, ExternalIdentity, Membership
from delbar.admin.site import DelbarAdminOnly
from delbar.audit import record


class MembershipAdminForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "organization", "role", "status", "source", "decided_at"]

    def clean(self):
        cleaned = super().clean()
        organization, role = cleaned.get("organization"), cleaned.get("role")
        if organization is not None and role and role not in access.roles_for(organization):
            self.add_error("role", _("This role does not exist in an organization of this kind."))
        return cleaned


@admin.register(Membership)
class MembershipAdmin(DelbarAdminOnly, admin.ModelAdmin):
    """For Delbar's administrators only; each change is audited against the organization, like grants made
    on the organization's members page."""

    form = MembershipAdminForm
    list_display = ["user", "organization", "role", "status", "source", "created_at"]
    list_filter = ["role", "status", "source"]
    search_fields = ["user__username", "user__email", "organization__name"]
    autocomplete_fields = ["organization"]
    raw_id_fields = ["user"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        record(actor=request.user, action="membership.grant", obj=obj.organization, user=obj.user_id,
               username=obj.user.get_username(), role=obj.role, status=obj.status, via="admin")

    def delete_model(self, request, obj):
        record(actor=request.user, action="membership.remove", obj=obj.organization, user=obj.user_id,
               username=obj.user.get_username(), role=obj.role, via="admin")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("user", "organization"):
            self.delete_model(request, membership)


@admin.register(ApiToken)
class ApiTokenAdmin(DelbarAdminOnly, admin.ModelAdmin):
    list_display = ["name", "user", "hint", "scope", "created_at", "expires_at", "last_used_at"]
    readonly_fields = ["key_hash", "hint"]


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(DelbarAdminOnly, admin.ModelAdmin):
    list_display = ["user", "issuer", "subject", "created_at", "last_login_at"]
    readonly_fields = ["user", "issuer", "subject", "created_at", "last_login_at"]
