"""The forms of applying and evaluating. They state the rules beside the fields (actions.application_problems,
the document inspection); the actions in actions.py write, and refuse again whatever slips past."""

from django import forms
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from delbar.cases.documents import ACCEPT_ATTRIBUTE, inspect_upload
from delbar.challenges import actions
from delbar.challenges.models import SCORE_MAX, Application, Criterion, Evaluation
from delbar.orgs.forms import OrganizationsField
from delbar.orgs.models import Organization
from delbar.suppliers.models import Solution

# New documents per sending: three rows cover the usual budget, CVs and a drawing without a page of empty
# file fields; more are added by editing the application.
DOCUMENT_ROWS = 3
# Documents one application holds at most: a structured form plus its attachments, not a file archive.
MAX_DOCUMENTS = 10


class ApplicationForm(forms.ModelForm):
    """A supplier's application: the structured parts, the lead (among the suppliers the person acts for
    that may still apply), consortium partners, a solution it builds on, and up to DOCUMENT_ROWS new
    documents with their titles, each inspected whole before anything is stored."""

    lead = forms.ModelChoiceField(label=_("Lead applicant"), queryset=Organization.objects.none(),
                                  help_text=_("The supplier that applies and answers for the consortium."))
    partners = OrganizationsField(Organization.objects.suppliers(), label=_("Consortium partners (optional)"))
    solution = forms.ModelChoiceField(label=_("Solution it builds on (optional)"), queryset=Solution.objects.none(),
                                      required=False, help_text=_("One of your registered solutions."))

    class Meta:
        model = Application
        fields = ["title", "summary", "approach", "innovation", "team", "plan", "amount_nok"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "approach": forms.Textarea(attrs={"rows": 8}),
            "innovation": forms.Textarea(attrs={"rows": 5}),
            "team": forms.Textarea(attrs={"rows": 5}),
            "plan": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, phase, leads=None, solutions=None, documents_held: int = 0, **kwargs):
        """`leads`: the suppliers that may lead (None when editing: the lead stays); `solutions`: those
        that may be named; `documents_held`: how many the application has already."""
        super().__init__(*args, **kwargs)
        self.phase = phase
        self.documents_held = documents_held
        if leads is None:
            del self.fields["lead"]
        else:
            chosen = [org.pk for org in leads]
            self.fields["lead"].queryset = Organization.objects.filter(pk__in=chosen).order_by("name")
            if len(leads) == 1:
                self.fields["lead"].initial = leads[0].pk
                self.fields["lead"].widget = forms.HiddenInput()
        self.fields["solution"].queryset = solutions if solutions is not None else Solution.objects.none()
        self.fields["solution"].initial = self.instance.solution_id
        # The lead is not its own partner: offered where it is known (editing, or one supplier to lead for).
        lead = self.instance.lead if self.instance.pk else leads[0] if leads and len(leads) == 1 else None
        if lead is not None:
            self.fields["partners"].queryset = self.fields["partners"].queryset.exclude(pk=lead.pk)
        if self.instance.pk:
            self.fields["partners"].initial = [partner.pk for partner in self.instance.partners.all()]
        amount = self.fields["amount_nok"]
        amount.widget.attrs.update(min=1, step=1, inputmode="numeric")
        if phase.budget_nok:
            amount.widget.attrs["max"] = phase.budget_nok
            amount.help_text = _("Whole kroner. The phase's budget is %(budget)s kr in all.") % {
                "budget": intcomma(phase.budget_nok)}
        for row in range(1, DOCUMENT_ROWS + 1):
            self.fields[f"document_title_{row}"] = forms.CharField(
                label=_("Title of document %(row)s") % {"row": row}, max_length=200, required=False)
            self.fields[f"document_{row}"] = forms.FileField(
                label=_("Document %(row)s") % {"row": row}, required=False,
                widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
                help_text=_("PDF, Word (DOCX), Excel (XLSX) or OpenDocument text (ODT).") if row == 1 else "")
        self.inspected: dict[int, str] = {}

    def document_rows(self):
        return [(self[f"document_title_{row}"], self[f"document_{row}"]) for row in range(1, DOCUMENT_ROWS + 1)]

    def clean(self):
        cleaned = super().clean()
        lead = cleaned.get("lead") or (self.instance.lead if self.instance.pk else None)
        partners = list(cleaned.get("partners") or [])
        if lead is not None and lead in partners:
            self.add_error("partners", _("The lead applicant is not its own partner."))
        solution = cleaned.get("solution")
        if solution is not None and lead is not None and solution.organization_id not in {
                lead.pk, *(partner.pk for partner in partners)}:
            self.add_error("solution", _("Choose a solution of the lead applicant or of a partner."))
        values = {name: cleaned.get(name) for name in actions.APPLICATION_FIELDS}
        for field, message in actions.application_problems(values, phase=self.phase).items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, message)
        added = 0
        for row in range(1, DOCUMENT_ROWS + 1):
            upload = cleaned.get(f"document_{row}")
            if not upload:
                if cleaned.get(f"document_title_{row}"):
                    self.add_error(f"document_{row}", _("Choose the file for this title."))
                continue
            try:
                self.inspected[row] = inspect_upload(upload)
            except ValidationError as error:
                self.add_error(f"document_{row}", error)
            added += 1
        if added and self.documents_held + added > MAX_DOCUMENTS:
            self.add_error(None, _("An application holds at most %(limit)s documents; it has %(held)s.") % {
                "limit": MAX_DOCUMENTS, "held": self.documents_held})
        return cleaned

    def application_fields(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in actions.APPLICATION_FIELDS}

    def documents(self) -> list:
        """(upload, content type, title) for each new document, as actions.apply and update_application take."""
        return [(self.cleaned_data[f"document_{row}"], content_type,
                 self.cleaned_data.get(f"document_title_{row}", "").strip())
                for row, content_type in sorted(self.inspected.items())]


class DeclarationForm(forms.Form):
    """The evaluator's declaration of interests for one application, before she sees the score form."""

    has_conflict = forms.TypedChoiceField(
        label=_("Your interests"), widget=forms.RadioSelect, coerce=lambda value: value == "yes",
        choices=[("no", _("I have no conflict of interest with this applicant or its partners")),
                 ("yes", _("I have a conflict of interest, and do not score this application"))])
    conflict_note = forms.CharField(
        label=_("The conflict"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("If you have one: for example a former employer, a relative, shares. The owner sees it."))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("has_conflict") and not (cleaned.get("conflict_note") or "").strip():
            self.add_error("conflict_note", _("Say what the conflict is (for example: a former employer, a "
                                              "relative, shares)."))
        return cleaned


class ScoreForm(forms.Form):
    """A score from 0 to SCORE_MAX and a note for each criterion, and an overall comment. "Save" keeps a
    draft; "Submit" hands it in for good (every criterion scored)."""

    comment = forms.CharField(label=_("Overall comment"), max_length=5000, required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, criteria: list[Criterion], evaluation: Evaluation, **kwargs):
        scores = {score.criterion_id: score for score in evaluation.scores.all()}
        initial = {"comment": evaluation.comment}
        for criterion in criteria:
            if criterion.pk in scores:
                initial[f"score_{criterion.pk}"] = scores[criterion.pk].value
                initial[f"note_{criterion.pk}"] = scores[criterion.pk].note
        super().__init__(*args, initial=initial, **kwargs)
        self.criteria = criteria
        choices = [("", _("Not scored yet")), *((value, str(value)) for value in range(SCORE_MAX + 1))]
        for criterion in criteria:
            self.fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                label=_("Score for %(criterion)s (0–%(max)s)") % {"criterion": criterion.name, "max": SCORE_MAX},
                choices=choices, coerce=int, empty_value=None, required=False)
            self.fields[f"note_{criterion.pk}"] = forms.CharField(
                label=_("Why, for %(criterion)s") % {"criterion": criterion.name}, max_length=3000, required=False,
                widget=forms.Textarea(attrs={"rows": 2}))
        # The comment last, after the criteria.
        self.fields["comment"] = self.fields.pop("comment")

    def rows(self):
        return [(criterion, self[f"score_{criterion.pk}"], self[f"note_{criterion.pk}"]) for criterion in self.criteria]

    def values(self) -> dict:
        return {criterion.pk: (self.cleaned_data.get(f"score_{criterion.pk}"),
                               self.cleaned_data.get(f"note_{criterion.pk}", ""))
                for criterion in self.criteria}
