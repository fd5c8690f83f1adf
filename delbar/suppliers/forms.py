from django import forms
from django.utils.translation import gettext_lazy as _

from delbar.accounts.roles import roles_of
from delbar.cases.forms import CONTENT_LANGUAGES
from delbar.cases.models import Case
from delbar.orgs.forms import CpvCodesField
from delbar.suppliers.models import Solution


class SolutionForm(forms.ModelForm):
    cpv = CpvCodesField()
    language = forms.ChoiceField(label=_("Content language"), choices=CONTENT_LANGUAGES)

    class Meta:
        model = Solution
        fields = ["title", "description", "sectors", "cases", "language", "active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6}), "sectors": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].queryset = Case.objects.published().order_by("title")
        self.fields["cases"].help_text = _("Published cases where the solution is in use.")
        if self.instance.pk:
            self.fields["cpv"].initial = list(self.instance.cpv_codes.all())


class ProposalForm(forms.Form):
    body = forms.CharField(label=_("Your proposal"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}),
                           help_text=_("Seen only by the buyer, its buyer group and curators."))
    solution = forms.ModelChoiceField(label=_("Solution (optional)"), queryset=Solution.objects.none(),
                                      required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["solution"].queryset = Solution.objects.filter(
            organization_id__in=roles_of(user).supplier_org_ids, active=True)
