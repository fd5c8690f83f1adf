from django.contrib import admin

from delbar.accounts.roles import roles_of
from delbar.admin.site import CuratorAccess
from delbar.cases import access, actions
from delbar.cases.models import Benefit, Case, CaseDocument, CaseLink, CaseRevision, ContactPerson, Status


class BenefitInline(admin.TabularInline):
    model = Benefit
    extra = 0


class LinkInline(admin.TabularInline):
    model = CaseLink
    extra = 0


class ContactInline(admin.TabularInline):
    model = ContactPerson
    extra = 0


class DocumentInline(admin.TabularInline):
    model = CaseDocument
    extra = 0
    fields = ["kind", "title", "original_name", "content_type", "size"]
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(CuratorAccess, admin.ModelAdmin):
    """For curators and admins. Status changes belong on the case page, where they are audited."""

    list_display = ["title", "lead_buyer", "sector", "status", "outcome", "year", "published_at"]
    list_filter = ["status", "sector", "category", "procedure", "outcome"]
    search_fields = ["title", "summary", "external_id", "lead_buyer__name"]
    autocomplete_fields = ["lead_buyer", "partner_buyers", "suppliers", "cpv_codes", "based_on"]
    readonly_fields = ["status", "created_at", "updated_at", "submitted_at", "published_at", "created_by"]
    inlines = [BenefitInline, LinkInline, ContactInline, DocumentInline]

    def get_queryset(self, request):
        # Nobody but the owner and Delbar's administrators sees a draft (cases/access.py), here too.
        queryset = super().get_queryset(request)
        return queryset if roles_of(request.user).is_admin else queryset.exclude(status=Status.DRAFT)

    # One object at a time, the admin asks the same rules as the case pages and the API.
    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (obj is None or access.can_view(request.user, obj))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or access.can_edit(request.user, obj))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Changes made here are revised and audited like those made on the case pages.
        actions.record_change(case=form.instance, actor=request.user, action="case.admin_change")


@admin.register(CaseRevision)
class CaseRevisionAdmin(CuratorAccess, admin.ModelAdmin):
    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, *args):
        return False

    list_display = ["case", "number", "author", "created_at"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if roles_of(request.user).is_admin else queryset.exclude(case__status=Status.DRAFT)
    readonly_fields = ["case", "number", "author", "created_at", "changed_fields", "snapshot"]
