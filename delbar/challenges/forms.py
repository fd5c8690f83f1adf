"""The forms of the challenge pages (views.py). They state the rules of actions.py beside the fields
(`problems`, `phase_problems`) so a person sees every problem at once; the actions refuse the same input
anyway, whoever calls them."""

from django import forms
from django.utils.translation import gettext_lazy as _

from delbar.challenges import actions
from delbar.challenges.models import ROUTE_EXPLANATIONS, Challenge, Phase, Route
from delbar.dialogues.actions import find_notice
from delbar.dialogues.forms import DATETIME_WIDGET, PageForm
from delbar.orgs.forms import CpvCodesField
from delbar.orgs.models import Organization, Sector

DATE_WIDGET = {"attrs": {"type": "date"}, "format": "%Y-%m-%d"}


def route_explanations() -> list[tuple[str, str]]:
    """(name, plain explanation) of each legal route, in the order of the choice."""
    return [(label, ROUTE_EXPLANATIONS[Route(value)]) for value, label in Route.choices]


def _keep_seconds(form: forms.ModelForm, cleaned: dict, names) -> None:
    """The fields show times to the minute: an unchanged field keeps the stored time's seconds, so saving
    the form does not count as a change (nor move a deadline)."""
    if not form.instance.pk:
        return
    for name in names:
        stored = getattr(form.instance, name)
        if cleaned.get(name) is not None and stored is not None and \
                cleaned[name] == stored.replace(second=0, microsecond=0):
            cleaned[name] = stored


class ChallengeForm(forms.ModelForm):
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=Organization.objects.none(), help_text=_(
        "Its editors run the challenge: phases, evaluators and the result."))
    cpv = CpvCodesField(help_text=_("Eight-digit codes separated by commas, e.g. 48000000. Suppliers following "
                                    "their divisions are told when the challenge is published."))
    notice_reference = forms.CharField(
        label=_("Notice in Delbar"), required=False, max_length=200,
        help_text=_("The competition's notice: its Doffin number (such as 2024-113575) or its number in Delbar. "
                    "Or paste its address on Doffin or TED below."))

    class Meta:
        model = Challenge
        fields = ["title", "problem", "success", "eligibility", "route", "sector", "notice_url"]
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 6}),
            "success": forms.Textarea(attrs={"rows": 4}),
            "eligibility": forms.Textarea(attrs={"rows": 3}),
            "route": forms.RadioSelect,
        }
        help_texts = {"sector": _("Needed to publish a case from the challenge when it ends.")}

    def __init__(self, *args, owners: list | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if owners is None:
            del self.fields["owner"]
        else:
            self.fields["owner"].queryset = Organization.objects.filter(pk__in=[o.pk for o in owners]).order_by("name")
            if len(owners) == 1:
                self.fields["owner"].initial = owners[0].pk
                self.fields["owner"].widget = forms.HiddenInput()
        if self.instance.pk:
            self.fields["cpv"].initial = list(self.instance.cpv_codes.all())
            if self.instance.notice_id:
                self.fields["notice_reference"].initial = str(self.instance.notice_id)
        self.fields["sector"].queryset = Sector.objects.all()
        self.fields["sector"].empty_label = _("Choose a sector")
        self.fields["notice_url"].widget.attrs.update(placeholder="https://doffin.no/notices/…")

    def clean(self):
        cleaned = super().clean()
        reference = cleaned.get("notice_reference", "")
        cleaned["notice"] = find_notice(reference) if reference else None
        if reference and cleaned["notice"] is None:
            self.add_error("notice_reference", _("No notice in Delbar has this number."))
        for field, message in actions.problems(self.challenge_fields()).items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, message)
        return cleaned

    def challenge_fields(self) -> dict:
        values = {name: self.cleaned_data.get(name) for name in actions.EDITABLE_FIELDS}
        for name in ("title", "problem", "success", "eligibility", "notice_url"):
            values[name] = values[name] or ""
        return values


class PhaseForm(forms.ModelForm):
    class Meta:
        model = Phase
        fields = list(actions.PHASE_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "opens_at": forms.DateTimeInput(**DATETIME_WIDGET),
            "closes_at": forms.DateTimeInput(**DATETIME_WIDGET),
            "evaluation_until": forms.DateInput(**DATE_WIDGET),
            "awards_by": forms.DateInput(**DATE_WIDGET),
        }

    def __init__(self, *args, previous: Phase | None = None, following: Phase | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.previous, self.following = previous, following
        for name in ("budget_nok", "max_awards"):
            self.fields[name].widget.attrs.update(min=1)
        if previous is None:
            # The first phase is open to every supplier (phase_problems refuses the opposite).
            del self.fields["invited_only"]

    def clean(self):
        cleaned = super().clean()
        _keep_seconds(self, cleaned, ("opens_at", "closes_at"))
        for field, message in actions.phase_problems(self.phase_fields(), previous=self.previous,
                                                     following=self.following).items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, message)
        return cleaned

    def validate_constraints(self):
        # The model's constraints are the rules phase_problems() above states with clearer words.
        pass

    def phase_fields(self) -> dict:
        values = {name: self.cleaned_data.get(name) for name in actions.PHASE_FIELDS if name in self.fields}
        values["description"] = values.get("description") or ""
        return values


class CriterionForm(forms.Form):
    name = forms.CharField(label=_("Criterion"), max_length=200)
    description = forms.CharField(label=_("What the evaluators look for"), max_length=2000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    weight = forms.IntegerField(label=_("Weight (%)"), min_value=1, max_value=100)


CriterionFormSet = forms.formset_factory(CriterionForm, extra=1, can_delete=True, max_num=20, absolute_max=20,
                                         validate_max=True)


def criteria_rows(formset) -> list[dict]:
    """The rows the owner kept, in order ({name, description, weight})."""
    return [{"name": form.cleaned_data["name"], "description": form.cleaned_data.get("description", ""),
             "weight": form.cleaned_data["weight"]}
            for form in formset.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("name")]


class EvaluatorForm(PageForm):
    id_prefix = "evaluator"
    person = forms.ChoiceField(label=_("Person"), help_text=_(
        "People acting for the owner or the buyers taking part. Each scores alone and declares any conflict of "
        "interest first."))

    def __init__(self, *args, candidates: list[tuple], **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {f"{user.pk}:{organization.pk}": (user, organization) for user, organization in candidates}
        self.fields["person"].choices = [("", _("Choose a person"))] + [
            (key, f"{user.get_full_name() or user.username} ({organization.name})")
            for key, (user, organization) in self.candidates.items()]

    def clean_person(self):
        return self.candidates[self.cleaned_data["person"]]


class AwardForm(PageForm):
    id_prefix = "award"
    justification = forms.CharField(
        label=_("Justification of the result"), max_length=10000, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Why these go on: every applicant to the phase reads it. The public sees who went on and "
                    "with what amount, never the scores."))

    def __init__(self, *args, applications: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.applications = applications
        for application in applications:
            lead = application.lead.name
            self.fields[f"award_{application.pk}"] = forms.BooleanField(
                label=_("%(lead)s goes on") % {"lead": lead}, required=False)
            self.fields[f"amount_{application.pk}"] = forms.IntegerField(
                label=_("Amount to %(lead)s (NOK)") % {"lead": lead}, required=False, min_value=1,
                initial=application.amount_nok)

    def rows(self):
        """(application, its tick box, its amount) for the template."""
        return [(application, self[f"award_{application.pk}"], self[f"amount_{application.pk}"])
                for application in self.applications]

    def clean(self):
        cleaned = super().clean()
        for application in self.applications:
            if cleaned.get(f"award_{application.pk}") and cleaned.get(f"amount_{application.pk}") is None \
                    and f"amount_{application.pk}" not in self.errors:
                self.add_error(f"amount_{application.pk}", _("Give the amount awarded."))
        return cleaned

    def awards(self) -> dict:
        return {application.pk: self.cleaned_data[f"amount_{application.pk}"] for application in self.applications
                if self.cleaned_data.get(f"award_{application.pk}")}


class EndForm(PageForm):
    id_prefix = "end"
    ended_in_contract = forms.TypedChoiceField(
        label=_("Did it end in a contract?"), widget=forms.RadioSelect, coerce=lambda value: value == "yes",
        choices=[("yes", _("Yes: a buyer signed a contract for the solution, or an option to buy it")),
                 ("no", _("No"))])


class CancelForm(PageForm):
    id_prefix = "cancel"
    note = forms.CharField(label=_("Why (optional, kept in the audit log)"), max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class QuestionForm(PageForm):
    id_prefix = "question"
    body = forms.CharField(label=_("Your question"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Asked in public: the owner answers once, for every applicant. Your name is "
                                       "not shown."))


class AnswerForm(PageForm):
    id_prefix = "answer"
    body = forms.CharField(label=_("Answer"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class ChallengeFilterForm(forms.Form):
    STATES = [("", _("All")), ("open", _("Open for applications")), ("running", _("Running")),
              ("ended", _("Ended"))]
    state = forms.ChoiceField(label=_("State"), required=False, choices=STATES)
    route = forms.ChoiceField(label=_("Legal route"), required=False, choices=[("", _("All routes")), *Route.choices])
    sector = forms.ModelChoiceField(label=_("Sector"), required=False, queryset=Sector.objects.all(),
                                    empty_label=_("All sectors"), to_field_name="slug")
