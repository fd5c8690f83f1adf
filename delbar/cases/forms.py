
from django import forms
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from delbar.cases.actions import EDITABLE_FIELDS
from delbar.cases.documents import ACCEPT_ATTRIBUTE, inspect_upload
from delbar.cases.models import Benefit, Case, CaseDocument, CaseLink, CaseNetwork, ContactPerson
from delbar.networks.models import Network
from delbar.notices.forms import NoticesField, notice_reference
from delbar.orgs.forms import CpvCodesField, OrganizationsField
from delbar.orgs.models import Organization

CONTENT_LANGUAGES = [("nb", "Norsk bokmål"), ("nn", "Norsk nynorsk"), ("se", "Davvisámegiella"),
                     ("en", "English"), ("sv", "Svenska"), ("da", "Dansk")]


ROGERS_QUESTIONS = {
    "relative_advantage": (_("What is better than before?"),
                           _("Money, time, quality or safety: how much better it is than what it replaced.")),
    "compatibility": (_("How well does it fit in?"), _("With the systems, routines and values you already have.")),
    "complexity": (_("How hard was it?"), _("To procure, to put into use, and to use every day.")),
    "trialability": (_("Can others try it out first?"),
                     _("On a small scale or for a limited time, before a big commitment.")),
    "observability": (_("Where can others see it working?"),
                      _("A place to visit, a video, or figures that are published.")),
}


# The case form in the order an adviser tells the story, one step at a time: (step, title, fields,
# formsets). Each step is saved as a draft; "all" shows every step on one page.
STEPS = [
    ("need", _("The need"), ("lead_buyer", "title", "summary", "need", "requirements", "sector", "other_sectors",
                             "category", "language", "cpv"), ()),
    ("procurement", _("What was bought and how"), (
        "solution", "procedure", "year", "contract_value_nok", *Case.PHASE_FIELDS, "partner_buyers", "suppliers",
        "notices"), ()),
    ("results", _("Results and lessons"), ("outcome", "lessons", "what_went_wrong"), ("benefits",)),
    ("spread", _("Can others take it up?"), Case.ROGERS_FIELDS, ()),
    ("contacts", _("Documents and contact"), (), ("contacts", "links")),
]
STEP_NAMES = [name for name, *_rest in STEPS]


def step_formsets(step: str) -> tuple[str, ...]:
    return ("benefits", "contacts", "links") if step == "all" else next(
        formsets for name, _title, _fields, formsets in STEPS if name == step)


class CaseForm(forms.ModelForm):
    """The case itself. CPV codes are typed as numbers (there are 9,454 of them) and checked here."""

    cpv = CpvCodesField()
    language = forms.ChoiceField(label=_("Content language"), choices=CONTENT_LANGUAGES)
    notices = NoticesField()
    partner_buyers = OrganizationsField(Organization.objects.buyers(), label=_("Partner buyers"))
    suppliers = OrganizationsField(Organization.objects.suppliers(), label=_("Suppliers"))

    class Meta:
        model = Case
        fields = [name for name in EDITABLE_FIELDS] + ["other_sectors", "partner_buyers", "suppliers"]
        widgets = {
            **{name: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d") for name in Case.PHASE_FIELDS},
            "summary": forms.Textarea(attrs={"rows": 3}),
            "other_sectors": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, lead_buyer_choices=None, step: str = "all", **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["cpv"].initial = ", ".join(self.instance.cpv_codes.values_list("code", flat=True))
            self.fields["notices"].initial = ", ".join(map(notice_reference, self.instance.notices.all()))
        for name in ("need", "requirements", "solution", "lessons", "what_went_wrong", *Case.ROGERS_FIELDS):
            self.fields[name].widget.attrs["rows"] = 4
        # Rogers' five attributes, asked as the plain questions they are.
        for name, (question, hint) in ROGERS_QUESTIONS.items():
            self.fields[name].label, self.fields[name].help_text = question, hint
        self.fields["year"].widget.attrs.update(min=1990, max=2100)
        if lead_buyer_choices is not None and len(lead_buyer_choices) > 1:
            self.fields["lead_buyer"] = forms.ModelChoiceField(
                label=_("Lead buyer"), queryset=Organization.objects.filter(pk__in=[o.pk for o in lead_buyer_choices]))
        if step != "all":
            kept = next(fields for name, _title, fields, _formsets in STEPS if name == step)
            for name in [name for name in self.fields if name not in kept]:
                del self.fields[name]

    def clean(self):
        cleaned = super().clean()
        sector = cleaned.get("sector", self.instance.sector if self.instance.sector_id else None)
        if sector and sector in cleaned.get("other_sectors", []):
            cleaned["other_sectors"] = [s for s in cleaned["other_sectors"] if s != sector]
        dates = [(name, cleaned.get(name)) for name in Case.PHASE_FIELDS if cleaned.get(name)]
        for (_earlier, first), (later, second) in zip(dates, dates[1:], strict=False):
            if second < first:
                self.add_error(later, _("This phase cannot begin before the previous one (%(date)s).")
                               % {"date": first.isoformat()})
        return cleaned

    def case_fields(self) -> dict:
        """The case's fields this form holds (a step holds some of them)."""
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS if name in self.fields}

    def case_relations(self) -> dict:
        relations = {"cpv_codes": "cpv", "notices": "notices", "other_sectors": "other_sectors",
                     "partner_buyers": "partner_buyers", "suppliers": "suppliers"}
        return {relation: self.cleaned_data[name] for relation, name in relations.items() if name in self.fields}


class ContactForm(forms.ModelForm):
    consent = forms.BooleanField(
        label=_("This person has agreed to be shown as a contact on the published case"),
        required=True, error_messages={"required": _("A contact person is stored only with their consent.")})

    class Meta:
        model = ContactPerson
        fields = ["name", "role", "email", "phone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["consent"].initial = True


class DocumentForm(forms.ModelForm):
    """A new attachment. The file is typed by its content before anything is stored."""

    class Meta:
        model = CaseDocument
        fields = ["kind", "title", "file"]
        widgets = {"file": forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload and hasattr(upload, "content_type"):
            self.detected_type = inspect_upload(upload)
        return upload


BenefitFormSet = inlineformset_factory(Case, Benefit, fields=["kind", "description", "amount", "unit"],
                                       extra=1, can_delete=True)
LinkFormSet = inlineformset_factory(Case, CaseLink, fields=["kind", "url", "title"], extra=1, can_delete=True)
ContactFormSet = inlineformset_factory(Case, ContactPerson, form=ContactForm, extra=1, can_delete=True)


def rows(formset, fields: tuple[str, ...]) -> list[dict]:
    """The kept rows of a valid formset, as plain dicts for the actions."""
    kept, deleted = [], formset.deleted_forms if formset.can_delete else []
    for form in formset.forms:
        if (not form.has_changed() and not form.instance.pk) or form in deleted:
            continue
        row = {name: form.cleaned_data.get(name) for name in fields}
        if isinstance(form.instance, ContactPerson):
            row["consent_given_at"] = form.instance.consent_given_at or timezone.now()
        kept.append(row)
    return kept


class ReturnForm(forms.Form):
    comment = forms.CharField(label=_("What should the authors change?"), widget=forms.Textarea(attrs={"rows": 3}))


class SubmitForm(forms.Form):
    """Submitting a draft, optionally offered to networks: their own curators review it too."""

    networks = forms.ModelMultipleChoiceField(
        label=_("Offer it to networks"), required=False, queryset=Network.objects.none(),
        widget=forms.CheckboxSelectMultiple, to_field_name="slug",
        help_text=_("Their curators review it in their own queue, and once published it is in their collection."))

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["networks"].queryset = Network.objects.select_related("organization")
        # Offered before (and returned since): offered again unless unticked.
        self.fields["networks"].initial = list(Network.objects.filter(
            organization__case_links__case=case, organization__case_links__via=CaseNetwork.Via.SUBMISSION))
