"""The challenges in Django's admin, for Delbar's curators and administrators.

Curators may correct a challenge's plain fields (its text, route, sector, CPV codes, notice) and a phase's
description, budget and dates, under the same rules as the pages (actions.problems, phase_problems,
criteria_problems); each change is audited and search is brought up to date. Everything that decides who
gets what — applications, declarations, scores, results, evaluators — is read-only here: it changes only
through actions.py, where it is told to the people concerned. Application documents are never served from
the admin: it links to the application's own download page, which asks access.py."""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from delbar import search
from delbar.accounts.roles import roles_of
from delbar.admin.site import CuratorAccess
from delbar.audit import record
from delbar.challenges import actions
from delbar.challenges.models import (
    Application,
    ApplicationDocument,
    Challenge,
    ChallengeQuestion,
    Criterion,
    Evaluation,
    Evaluator,
    Phase,
    Score,
)


class CuratorsReadOnly:
    """ModelAdmin/inline mixin: Delbar's curators and administrators may read these, nobody may add, change
    or delete them here (not even with Django's own model permissions): they change through actions.py."""

    def has_module_permission(self, request):
        return roles_of(request.user).is_curator

    def has_view_permission(self, request, obj=None):
        return roles_of(request.user).is_curator

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _scored(challenge: Challenge | None) -> bool:
    return challenge is not None and Score.objects.filter(criterion__challenge=challenge).exists()


# --- The challenge and what curators may correct -----------------------------------------------------------

class ChallengeAdminForm(forms.ModelForm):
    class Meta:
        model = Challenge
        fields = [*actions.EDITABLE_FIELDS, "cpv_codes"]

    def clean(self):
        cleaned = super().clean()
        values = {name: cleaned.get(name, getattr(self.instance, name)) for name in actions.EDITABLE_FIELDS}
        for field, message in actions.problems(values).items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, message)
        return cleaned


class PhaseForm(forms.ModelForm):
    """A phase's dates and budget, under the rules the pages keep (actions.phase_problems). A decided phase
    no longer changes."""

    class Meta:
        model = Phase
        fields = [name for name in actions.PHASE_FIELDS if name != "invited_only"]

    def clean(self):
        cleaned = super().clean()
        phase = self.instance
        if phase.pk is None or not self.has_changed():
            return cleaned
        if phase.decided_at is not None:
            raise forms.ValidationError(_("The phase is decided; it can no longer change."))
        values = {name: cleaned.get(name, getattr(phase, name)) for name in actions.PHASE_FIELDS}
        previous = phase.challenge.phases.filter(number__lt=phase.number).order_by("-number").first()
        following = phase.challenge.phases.filter(number__gt=phase.number).order_by("number").first()
        for field, message in actions.phase_problems(values, previous=previous, following=following).items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, message)
            elif field not in self.fields:
                raise forms.ValidationError(message)
        return cleaned


class PhaseInline(CuratorAccess, admin.StackedInline):
    """Phases are added and removed on the challenge's pages (the order of phases and their applications
    depend on it); here a curator corrects one."""

    model = Phase
    form = PhaseForm
    extra = 0
    can_delete = False
    fields = ["number", "kind", "description", "budget_nok", "max_awards", "opens_at", "closes_at",
              "evaluation_until", "awards_by", "invited_only", "justification", "decided_at", "decided_by",
              "notified_at"]
    readonly_fields = ["number", "invited_only", "justification", "decided_at", "decided_by", "notified_at"]

    def has_add_permission(self, request, obj=None):
        return False


class CriteriaFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors) or not self.has_changed():
            return
        rows = [{"name": form.cleaned_data.get("name", ""), "weight": form.cleaned_data.get("weight")}
                for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        for message in actions.criteria_problems(rows).values():
            raise forms.ValidationError(message)


class CriterionInline(CuratorAccess, admin.TabularInline):
    """Criteria may be corrected until the first score is given against them (as actions.set_criteria);
    then they are read-only, for everyone."""

    model = Criterion
    formset = CriteriaFormSet
    extra = 0
    fields = ["name", "description", "weight", "position"]

    def get_readonly_fields(self, request, obj=None):
        return self.fields if _scored(obj) else []

    def has_add_permission(self, request, obj=None):
        return not _scored(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not _scored(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Replacing a criterion is part of correcting them, for curators too (not only administrators).
        return not _scored(obj) and (roles_of(request.user).is_curator or super().has_delete_permission(request, obj))


class EvaluatorInline(CuratorsReadOnly, admin.TabularInline):
    model = Evaluator
    extra = 0
    fields = ["user", "organization", "appointed_by", "appointed_at"]
    readonly_fields = fields


class QuestionInline(CuratorsReadOnly, admin.TabularInline):
    model = ChallengeQuestion
    extra = 0
    fields = ["body", "asked_by", "created_at", "answer", "answered_by", "answered_at"]
    readonly_fields = fields


@admin.register(Challenge)
class ChallengeAdmin(CuratorAccess, admin.ModelAdmin):
    form = ChallengeAdminForm
    list_display = ["title", "owner", "route", "published_at", "ended_at", "cancelled_at"]
    list_filter = ["route", "sector", "ended_in_contract"]
    search_fields = ["title", "problem", "owner__name"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["cpv_codes"]
    raw_id_fields = ["notice"]
    fields = ["title", "problem", "success", "eligibility", "route", "sector", "cpv_codes", "notice", "notice_url",
              "owner", "need", "group", "network", "published_at", "cancelled_at", "ended_at", "ended_in_contract",
              "case", "created_by", "created_at", "updated_at"]
    # Who owns it and where it stands change through the actions (publish, cancel, end, publish_case).
    readonly_fields = ["owner", "need", "group", "network", "published_at", "cancelled_at", "ended_at",
                       "ended_in_contract", "case", "created_by", "created_at", "updated_at"]
    inlines = [PhaseInline, CriterionInline, EvaluatorInline, QuestionInline]

    def has_add_permission(self, request, *args):
        # A challenge is created from a need, a buyer group or a network on its pages (access.owner_choices).
        return False

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Changes made here are audited and searchable like those made on the challenge's pages.
        changed = list(form.changed_data) + [f"{formset.prefix}" for formset in formsets if formset.has_changed()]
        record(actor=request.user, action="challenge.admin_change", obj=form.instance, fields=changed)
        if form.instance.published_at is not None and form.instance.cancelled_at is None:
            search.index(form.instance)
        else:
            search.remove(form.instance)

    def delete_model(self, request, obj):
        record(actor=request.user, action="challenge.delete", obj=obj, title=obj.title)
        search.remove(obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for challenge in queryset:
            self.delete_model(request, challenge)


# --- Applications, evaluations and scores: read-only -------------------------------------------------------

class DocumentInline(CuratorsReadOnly, admin.TabularInline):
    model = ApplicationDocument
    extra = 0
    fields = ["title", "original_name", "content_type", "size", "uploaded_at", "download"]
    readonly_fields = fields

    @admin.display(description=_("download"))
    def download(self, document):
        application = document.application
        url = reverse("application_document_download",
                      args=[application.phase.challenge_id, application.pk, document.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download (checked by the application's access rules)"))


@admin.register(Application)
class ApplicationAdmin(CuratorsReadOnly, admin.ModelAdmin):
    list_display = ["title", "lead", "challenge", "phase_number", "status", "amount_nok", "awarded_nok",
                    "submitted_at"]
    list_filter = ["status"]
    search_fields = ["title", "lead__name", "phase__challenge__title"]
    list_select_related = ["lead", "phase__challenge"]
    fields = ["phase", "lead", "partners", "solution", "title", "summary", "approach", "innovation", "team", "plan",
              "amount_nok", "status", "awarded_nok", "submitted_by", "submitted_at", "updated_at"]
    readonly_fields = fields
    inlines = [DocumentInline]

    @admin.display(description=_("challenge"), ordering="phase__challenge__title")
    def challenge(self, application):
        return application.phase.challenge

    @admin.display(description=_("phase"), ordering="phase__number")
    def phase_number(self, application):
        return application.phase.number


class ScoreInline(CuratorsReadOnly, admin.TabularInline):
    model = Score
    extra = 0
    fields = ["criterion", "value", "note"]
    readonly_fields = fields


@admin.register(Evaluation)
class EvaluationAdmin(CuratorsReadOnly, admin.ModelAdmin):
    list_display = ["application", "evaluator", "has_conflict", "declared_at", "submitted_at"]
    list_filter = ["has_conflict"]
    search_fields = ["application__title", "application__lead__name", "application__phase__challenge__title"]
    list_select_related = ["application__lead", "evaluator__user", "evaluator__organization"]
    fields = ["evaluator", "application", "has_conflict", "conflict_note", "declared_at", "comment", "submitted_at",
              "weighted"]
    readonly_fields = fields
    inlines = [ScoreInline]

    @admin.display(description=_("weighted score"))
    def weighted(self, evaluation):
        value = evaluation.weighted_score()
        return "–" if value is None else f"{value:.2f}"
