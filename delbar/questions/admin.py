from django.contrib import admin

from delbar import search as search_index
from delbar.admin.site import CuratorAccess
from delbar.questions.models import Question


@admin.register(Question)
class QuestionAdmin(CuratorAccess, admin.ModelAdmin):
    """Curators moderate: edit or remove what should not stand in public. The case's search text follows."""

    list_display = ["body", "case", "organization", "created_at", "answered_at"]
    search_fields = ["body", "answer", "case__title"]
    readonly_fields = ["case", "author", "organization", "created_at", "answered_by", "answered_at"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        search_index.index(obj.case)

    def delete_model(self, request, obj):
        case = obj.case
        super().delete_model(request, obj)
        search_index.index(case)
