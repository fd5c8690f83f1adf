from django import forms
from django.utils.translation import gettext_lazy as _

from delbar.cases.documents import ACCEPT_ATTRIBUTE, inspect_upload
from delbar.groups.models import GroupDocument, Stage
from delbar.needs.models import Need
from delbar.orgs.models import Organization


class FormGroupForm(forms.Form):
    name = forms.CharField(label=_("Name of the group"), max_length=200, required=False)
    members = forms.ModelMultipleChoiceField(label=_("Buyers who joined the need"), required=False,
                                             queryset=Organization.objects.none(),
                                             widget=forms.CheckboxSelectMultiple)
    partner_needs = forms.ModelMultipleChoiceField(label=_("Buyers with a matching need"), required=False,
                                                   queryset=Need.objects.none(), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, need: Need, partner_needs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].initial = need.title
        self.fields["members"].queryset = Organization.objects.filter(need_interests__need=need)
        self.fields["partner_needs"].queryset = Need.objects.filter(
            pk__in=[partner.pk for partner in partner_needs]).select_related("organization")
        # In the order given (closest first), not the table's.
        self.fields["partner_needs"].choices = [(partner.pk, f"{partner.organization.name}: {partner.title}")
                                                for partner in partner_needs]
        self.fields["partner_needs"].label_from_instance = lambda n: f"{n.organization.name}: {n.title}"

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("members") and not cleaned.get("partner_needs"):
            raise forms.ValidationError(_("Choose at least one other buyer for the group."))
        return cleaned


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices)


class GroupDocumentForm(forms.ModelForm):
    class Meta:
        model = GroupDocument
        fields = ["title", "file"]
        widgets = {"file": forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload and hasattr(upload, "content_type"):
            self.detected_type = inspect_upload(upload)
        return upload


class AddMembersForm(forms.Form):
    members = forms.ModelMultipleChoiceField(label=_("Add buyers who joined the need"),
                                             queryset=Organization.objects.none(), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = Organization.objects.filter(need_interests__need=group.need).exclude(
            group_memberships__group=group).order_by("name")
