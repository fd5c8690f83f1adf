from django import forms
from django.utils.translation import gettext_lazy as _

from delbar.cases.forms import CONTENT_LANGUAGES
from delbar.needs.actions import EDITABLE_FIELDS
from delbar.needs.models import MatchState, Need
from delbar.orgs.forms import CpvCodesField
from delbar.orgs.models import Organization


class NeedForm(forms.ModelForm):
    cpv = CpvCodesField()
    language = forms.ChoiceField(label=_("Content language"), choices=CONTENT_LANGUAGES)

    class Meta:
        model = Need
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "wanted_by": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "visibility": forms.RadioSelect,
        }

    def __init__(self, *args, organization_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["cpv"].initial = list(self.instance.cpv_codes.all())
        else:
            del self.fields["status"]
        self.fields["sector"].empty_label = _("Choose a sector")
        for name in ("budget_min_nok", "budget_max_nok"):
            self.fields[name].widget.attrs.update(min=0, step=1000)
        if organization_choices is not None and len(organization_choices) > 1:
            self.fields["organization"] = forms.ModelChoiceField(
                label=_("Buyer"), queryset=Organization.objects.filter(pk__in=[o.pk for o in organization_choices]))

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("budget_min_nok"), cleaned.get("budget_max_nok")
        if low is not None and high is not None and low > high:
            self.add_error("budget_max_nok", _("The upper end must be at least the lower end."))
        return cleaned

    def need_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS if name in self.cleaned_data}


class JoinForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("On behalf of"), queryset=Organization.objects.none())
    note = forms.CharField(label=_("A note to the owner (optional)"), required=False, max_length=2000,
                           help_text=_("Only the need's owner sees it; others see that your organization joined."),
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(pk__in=[org.pk for org in organizations])
        if len(organizations) == 1:
            self.fields["organization"].initial = organizations[0]
            self.fields["organization"].widget = forms.HiddenInput()


class DecisionForm(forms.Form):
    state = forms.ChoiceField(choices=MatchState.choices)
