from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from delbar.diffusion.models import AdoptionRoute
from delbar.notices.models import Notice


class DeclareForm(forms.Form):
    """“We have taken this up”: for which organization, when, how, and the evidence if there is any."""

    organization = forms.ModelChoiceField(queryset=None, label=_("Organization"), empty_label=None)
    adopted_on = forms.DateField(label=_("Taken up on"), widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text=_("When the contract was signed or the pilot began."))
    route = forms.ChoiceField(label=_("How"), choices=AdoptionRoute.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("What you took up, and what you changed"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    evidence_notice = forms.ModelChoiceField(queryset=Notice.objects.none(), required=False,
                                             label=_("Your notice (Doffin, TED)"),
                                             empty_label=_("No notice"))
    evidence_url = forms.URLField(label=_("Web page about it"), required=False, max_length=500, assume_scheme="https")

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["evidence_notice"].queryset = Notice.objects.current().filter(
            organization__in=organizations).order_by("-publication_date")
        self.fields["adopted_on"].initial = timezone.localdate()

    def clean_evidence_notice(self):
        notice = self.cleaned_data.get("evidence_notice")
        organization = self.cleaned_data.get("organization")
        if notice and organization and notice.organization_id != organization.pk:
            raise forms.ValidationError(_("Choose one of the organization's own notices."))
        return notice
