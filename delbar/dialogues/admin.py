from django.contrib import admin

from delbar import search
from delbar.admin.site import CuratorAccess, CuratorReadOnly
from delbar.audit import record
from delbar.dialogues.models import Dialogue, Registration


class RegistrationInline(CuratorReadOnly, admin.TabularInline):
    """Registrations as the organizers see them, read-only: they are made and cancelled by the people who
    register (dialogues/actions.py), so the e-mails and calendars follow."""

    model = Registration
    extra = 0
    can_delete = False
    fields = ["organization", "attendees", "registered_by", "created_at", "cancelled_at", "reminded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Dialogue)
class DialogueAdmin(CuratorAccess, admin.ModelAdmin):
    list_display = ["title", "kind", "organizer", "starts_at", "cancelled_at", "summary_published_at"]
    list_filter = ["kind"]
    search_fields = ["title", "purpose", "organizer__name"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["organizer", "group", "needs"]
    raw_id_fields = ["network", "notice"]
    readonly_fields = ["created_by", "created_at", "updated_at", "cancelled_at", "reminded_at",
                       "summary_published_at", "sequence"]
    inlines = [RegistrationInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Changes made here are audited and searchable like those made on the dialogue's pages.
        record(actor=request.user, action="dialogue.admin_change", obj=form.instance)
        if form.instance.cancelled_at is None:
            search.index(form.instance)

    def delete_model(self, request, obj):
        record(actor=request.user, action="dialogue.delete", obj=obj, title=obj.title)
        search.remove(obj)
        super().delete_model(request, obj)
