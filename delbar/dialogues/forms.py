from django import forms
from django.utils.translation import gettext_lazy as _

from delbar.cases.documents import ACCEPT_ATTRIBUTE, inspect_upload
from delbar.dialogues import actions
from delbar.dialogues.models import Dialogue, Meeting
from delbar.orgs.models import County, Organization, Sector

DATETIME_WIDGET = {"attrs": {"type": "datetime-local"}, "format": "%Y-%m-%dT%H:%M"}


class PageForm(forms.Form):
    """A form on a page with others: its fields' ids start with the form's name, so no two are alike."""

    id_prefix = "form"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


def _one_or_choice(field: forms.ModelChoiceField, organizations: list) -> None:
    """Limits the field to `organizations`; with only one, it is chosen and hidden."""
    field.queryset = Organization.objects.filter(pk__in=[org.pk for org in organizations]).order_by("name")
    if len(organizations) == 1:
        field.initial = organizations[0].pk
        field.widget = forms.HiddenInput()


class DialogueForm(forms.ModelForm):
    organizer = forms.ModelChoiceField(label=_("Organizer"), queryset=Organization.objects.none())
    notice_reference = forms.CharField(
        label=_("Notice in Delbar"), required=False, max_length=200,
        help_text=_("Doffin has no form for dialogue invitations: buyers publish a prior information notice "
                    "instead. Give its Doffin number (such as 2024-113575) or its number in Delbar, or paste "
                    "its Doffin address below."))

    class Meta:
        model = Dialogue
        fields = ["kind", "title", "purpose", "agenda", "market_questions", "needs", "starts_at", "ends_at",
                  "registration_deadline", "place", "online_url", "capacity", "notice_url"]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 4}),
            "agenda": forms.Textarea(attrs={"rows": 6}),
            "market_questions": forms.Textarea(attrs={"rows": 5}),
            "needs": forms.CheckboxSelectMultiple,
            "starts_at": forms.DateTimeInput(**DATETIME_WIDGET),
            "ends_at": forms.DateTimeInput(**DATETIME_WIDGET),
            "registration_deadline": forms.DateTimeInput(**DATETIME_WIDGET),
        }
        help_texts = {
            "needs": _("The needs the dialogue is about. Their pages show the dialogue."),
            "registration_deadline": _("Registration closes then; it must be before the dialogue ends."),
            "online_url": _("Shown to registered participants and organizers only, and sent in their "
                            "invitation."),
        }

    def __init__(self, *args, organizers: list, needs, own_needs_only: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.own_needs_only = own_needs_only
        _one_or_choice(self.fields["organizer"], organizers)
        if self.instance.pk:
            del self.fields["organizer"]
            if self.instance.notice_id:
                self.fields["notice_reference"].initial = str(self.instance.notice_id)
        self.fields["needs"].queryset = needs
        self.fields["needs"].label_from_instance = lambda need: f"{need.title} ({need.organization.name})"
        self.fields["capacity"].widget.attrs.update(min=1)
        self.fields["notice_url"].widget.attrs.update(placeholder="https://doffin.no/notices/…")

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            # The fields show times to the minute: an unchanged field keeps the stored time's seconds, so
            # saving the form does not move the dialogue (nor call its start new).
            for name in ("starts_at", "ends_at", "registration_deadline"):
                stored = getattr(self.instance, name)
                if cleaned.get(name) is not None and cleaned[name] == stored.replace(second=0, microsecond=0):
                    cleaned[name] = stored
        reference = cleaned.get("notice_reference", "")
        cleaned["notice"] = actions.find_notice(reference) if reference else None
        if reference and cleaned["notice"] is None:
            self.add_error("notice_reference", _("No notice in Delbar has this number."))
        values = {name: cleaned.get(name) for name in actions.EDITABLE_FIELDS}
        dialogue = self.instance
        organizer = cleaned.get("organizer") or (dialogue.organizer if dialogue.pk else None)
        others = [need for need in cleaned.get("needs") or () if organizer and need.organization_id != organizer.pk]
        if self.own_needs_only and others:
            self.add_error("needs", _("Choose the organizer's own needs."))
        starts_moved = dialogue.pk is None or cleaned.get("starts_at") != dialogue.starts_at
        registered = dialogue.places_taken() if dialogue.pk else 0
        for field, message in actions.problems(values, check_start=starts_moved, registered=registered).items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, message)
        return cleaned

    def validate_constraints(self):
        # The model's check constraints are the rules problems() above states with clearer words.
        pass

    def dialogue_fields(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in actions.EDITABLE_FIELDS}


class RegistrationForm(PageForm):
    id_prefix = "registration"
    organization = forms.ModelChoiceField(label=_("Register for"), queryset=Organization.objects.none())
    attendees = forms.CharField(label=_("Who is coming"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                                help_text=_("Name and role of each person, one per line. Only the organizers see "
                                            "them; the published participant list names organizations only."))

    def __init__(self, *args, organizations: list, **kwargs):
        super().__init__(*args, **kwargs)
        _one_or_choice(self.fields["organization"], organizations)


class QuestionForm(PageForm):
    id_prefix = "question"
    body = forms.CharField(label=_("Your question"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Asked in public: the organizers answer once, for everyone. Your name is "
                                       "not shown."))


class AnswerForm(PageForm):
    id_prefix = "answer"
    body = forms.CharField(label=_("Answer"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class InputForm(PageForm):
    id_prefix = "input"
    organization = forms.ModelChoiceField(label=_("On behalf of"), queryset=Organization.objects.none())
    body = forms.CharField(label=_("Your input"), max_length=20000, widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=_("Answer the questions for the market. Only the organizers and your own "
                                       "organization see it."))
    document = forms.FileField(label=_("Attach a document (optional)"), required=False,
                               widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
                               help_text=_("PDF, Word (DOCX), Excel (XLSX) or OpenDocument text (ODT)."))
    document_title = forms.CharField(label=_("Document title (optional)"), max_length=200, required=False)

    def __init__(self, *args, organizations: list, **kwargs):
        super().__init__(*args, **kwargs)
        _one_or_choice(self.fields["organization"], organizations)
        self.detected_type = None

    def clean_document(self):
        upload = self.cleaned_data.get("document")
        if upload and hasattr(upload, "content_type"):
            self.detected_type = inspect_upload(upload)
        return upload

    def documents(self) -> list:
        upload = self.cleaned_data.get("document")
        return [(upload, self.detected_type, self.cleaned_data.get("document_title", ""))] if upload else []


class SummaryForm(PageForm):
    id_prefix = "summary"
    summary = forms.CharField(label=_("Summary"), max_length=10000, widget=forms.Textarea(attrs={"rows": 8}),
                              help_text=_("What the market said, and what you will do next. Published with the "
                                          "list of participating organizations (never the attendees' names)."))


class CancelForm(PageForm):
    id_prefix = "cancel"
    note = forms.CharField(label=_("A word to the registered participants (optional)"), max_length=1000,
                           required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MeetingChangeForm(forms.Form):
    action = forms.ChoiceField(choices=[("remove", "remove"), ("restore", "restore"), ("slot", "slot")])
    slot = forms.CharField(max_length=100, required=False)


class AddMeetingForm(PageForm):
    id_prefix = "meeting"
    first = forms.ModelChoiceField(label=_("Buyer"), queryset=Organization.objects.none())
    second = forms.ModelChoiceField(label=_("Meets"), queryset=Organization.objects.none())

    def __init__(self, *args, buyers, others, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first"].queryset = buyers
        self.fields["second"].queryset = others


class GroupFromMeetingsForm(PageForm):
    id_prefix = "group"
    meetings = forms.ModelMultipleChoiceField(label=_("Buyers to invite"), queryset=Meeting.objects.none(),
                                              widget=forms.CheckboxSelectMultiple)
    name = forms.CharField(label=_("Name of the group"), max_length=200, required=False)

    def __init__(self, *args, dialogue: Dialogue, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meetings"].queryset = dialogue.meetings.filter(kind=Meeting.Kind.BUYERS, removed=False)


class DialogueFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *Dialogue.Kind.choices])
    sector = forms.ModelChoiceField(label=_("Sector"), required=False, queryset=Sector.objects.all(),
                                    empty_label=_("All sectors"), to_field_name="slug")
    county = forms.ModelChoiceField(label=_("County"), required=False, queryset=County.objects.all(),
                                    empty_label=_("All counties"), to_field_name="number")
